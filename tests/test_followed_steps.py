"""The steps the Ray driver reads from run directories: a run's last whole timing.csv row, and the
changes the suite's display counts (found done, trained, taken back, finished)."""

from hypothesis import given
from hypothesis import strategies as st

from gan_bench.executors.followed_steps import FollowedSteps, logged_step

HEADER = "step,wall_time_s\n"


def timing_text(steps: list[int]) -> str:
    return HEADER + "".join(f"{s},{s * 0.013:.3f}\n" for s in steps)


@given(
    steps=st.lists(st.integers(1, 10**7), unique=True, max_size=200).map(sorted),
    cut=st.integers(0, 30),
)
def test_the_last_whole_row_is_read_whatever_is_being_appended(tmp_path_factory, steps, cut):
    """However long the file, and wherever an append in progress stops, the step read is the last
    row that ends in a newline."""
    path = tmp_path_factory.mktemp("run") / "timing.csv"
    appending = f"{10**8},12345.678\n"[: cut % 18]  # part of a row, never its newline
    path.write_text(timing_text(steps) + appending)
    assert logged_step(path) == (steps[-1] if steps else 0)


def test_a_missing_or_empty_file_is_step_0(tmp_path):
    assert logged_step(tmp_path / "timing.csv") == 0
    (tmp_path / "timing.csv").write_text("")
    assert logged_step(tmp_path / "timing.csv") == 0
    (tmp_path / "timing.csv").write_text("step,wall")  # the header being written
    assert logged_step(tmp_path / "timing.csv") == 0


def test_the_changes_count_each_step_once_and_take_back_dropped_rows(tmp_path):
    """Found, trained and taken back, the changes add up to the suite's total once every run is
    finished, though a run resumed from its checkpoint and a task was retried."""
    a, b, c = (tmp_path / name for name in ("a.csv", "b.csv", "c.csv"))
    a.write_text(timing_text([10, 20, 30]))  # complete (30 steps)
    b.write_text(timing_text([10, 20]))  # begun by an earlier suite run
    followed = FollowedSteps([a, b, c], [30, 40, 40])
    counted = [sum(followed.found().values())]
    assert counted == [50] and followed.found() == {0: 30, 1: 20}

    def look(expected):
        changes = followed.look()
        assert changes == expected
        counted.extend(sum(by_run.values()) for by_run in changes)

    look(({}, {}))
    c.write_text(timing_text([10, 20, 30]))
    look(({2: 30}, {}))
    b.write_text(timing_text([10]))  # resumed from its checkpoint at step 10: rows found after it dropped
    look(({}, {1: -10}))
    c.write_text(timing_text([10]))  # its task retried after a lost worker: rows it trained dropped
    look(({2: -20}, {}))
    b.write_text(timing_text([10, 20, 30]))
    c.write_text(timing_text([10, 20, 30]))
    look(({1: 20, 2: 20}, {}))
    c.write_text(timing_text([10, 20, 30, 40]))
    counted.append(followed.finished(2))  # its last row, logged after the last look
    b.write_text(timing_text([10, 20, 30, 40]))
    counted.append(followed.finished(1))
    assert counted[-2:] == [10, 10]
    look(({}, {}))
    assert sum(counted) == 110


def test_a_run_whose_task_ended_is_not_read_again(tmp_path, monkeypatch):
    from gan_bench.executors import followed_steps

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    followed = FollowedSteps([a, b], [30, 30])
    a.write_text(timing_text([10, 20, 30]))
    assert followed.finished(0) == 30
    read = []
    monkeypatch.setattr(followed_steps, "logged_step", lambda timing: read.append(timing) or 0)
    assert followed.look() == ({}, {})
    assert read == [b]
    followed.stopped(1)  # its task failed: nothing more to read either
    assert followed.look() == ({}, {}) and read == [b]
