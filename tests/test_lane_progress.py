"""`run --jobs N`'s suite display: the lanes' steps reach the suite clock as trained or found done,
a dead worker's steps are taken back, and a log says the time left each time a lane's unit ends."""

import io
import queue
import warnings

import pytest
from rich.console import Console

from gan_bench.errors import CacheWarning
from gan_bench.executors.lane_progress import ForwardingReporter, SuiteRelay
from gan_bench.training.progress import QuietReporter


def _quiet(total: int):
    """A quiet reporter whose clock reads 10 s after it started, and its output."""
    buffer = io.StringIO()
    ticks = iter([0.0])
    reporter = QuietReporter(Console(file=buffer, width=200), suite_steps=total, now=lambda: next(ticks, 10.0))
    return reporter, buffer


def _relayed(events: list[tuple], total: int = 100, take_back_after: int | None = None, attempt: int = 0):
    """``events`` shown by a relay (``take_back_after``: the dead worker's attempt is taken back
    after that many events); its reporter and what it printed."""
    reporter, out = _quiet(total)
    relay = SuiteRelay(reporter)
    for i, event in enumerate(events):
        if i == take_back_after:
            relay._take_back(attempt)
        relay.show(*event)
    return reporter, out.getvalue()


def test_a_resumed_runs_first_steps_count_toward_the_total_not_the_rate():
    """Before, they counted as trained: resuming 60 of 100 steps read as 60 steps trained at once,
    and the time left as a fraction of what it was."""
    reporter, _ = _relayed([("found", 60, 0), ("steps", 20, 0)])
    assert (reporter.clock.counted, reporter.clock.timed) == (80, 20)
    assert reporter.clock.left() == 10.0 / 20 * 20


def test_a_dead_workers_steps_are_taken_back_and_its_late_ones_dropped():
    """The fresh worker resumes from the last checkpoint and shows those steps again: kept, they
    would count the run twice and the suite past its total."""
    events = [("found", 10, 0), ("steps", 30, 0), ("steps", 5, 1), ("steps", 7, 0), ("found", 20, 2), ("steps", 80, 2)]
    reporter, _ = _relayed(events, take_back_after=3)
    assert (reporter.clock.counted, reporter.clock.timed) == (5 + 20 + 80, 5 + 80)


def test_a_log_says_the_time_left_when_a_lanes_unit_ends_and_shows_its_messages():
    events = [
        ("started", "a seed 0: 100 steps", None),
        ("steps", 50, 0),
        ("message", "a seed 0: scoring", None),
        ("ended", None, 0),
        ("outcome", (["a seed 0: trained. 100 steps"], False, None), 0),
    ]
    _, printed = _relayed(events)
    assert printed.splitlines() == [
        "a seed 0: 100 steps",
        "a seed 0: scoring",
        "a seed 0: trained. 100 steps",
        "suite: 50 of 100 steps done, about 0m10s left",
    ]


@pytest.mark.parametrize("outcome_first", [True, False])
def test_a_units_outcome_shows_after_its_last_steps_and_before_the_time_left_whichever_came_first(outcome_first):
    """The outcome comes from the thread that handed the unit out, the steps and end through the
    lane's queue: before, the time left and the outcome lines came in either order, and a time
    left before the unit's last steps."""
    outcome = ("outcome", (["a seed 0: trained. 40 steps"], False, None), 3)
    lane = [("steps", 30, 3), ("steps", 10, 3), ("ended", None, 3)]
    other = [("steps", 5, 4)]
    events = [outcome, *lane, *other] if outcome_first else [*lane, *other, outcome]
    _, printed = _relayed(events)
    assert printed.splitlines() == [
        "a seed 0: trained. 40 steps",
        f"suite: {40 if outcome_first else 45} of 100 steps done, about 0m{15 if outcome_first else 12}s left",
    ]


def test_a_unit_stopped_by_a_ctrl_c_shows_no_time_left():
    """A stopped unit has no outcome line; its time left ("about 0m05s left") read as if the
    suite were going on, where one lane shows none once stopped."""
    _, printed = _relayed([("steps", 50, 0), ("ended", None, 0), ("outcome", ([], False, None), 0)])
    assert printed == ""


def test_a_lost_lanes_outcome_shows_at_once_and_an_outcome_whose_end_never_came_at_the_stop():
    reporter, out = _quiet(100)
    relay = SuiteRelay(reporter)
    relay.start()
    for event in [("steps", 20, 0), ("steps", 30, 1), ("ended", None, 1)]:
        relay.events.put(event)
    relay.outcome(0, ["a seed 0: failed. its worker process died 4 times"], lane_lost=True)
    relay.outcome(2, ["c seed 0: trained. its end was lost"])  # its end never comes
    relay.message("after both")
    relay.stop()
    assert out.getvalue().splitlines() == [
        "a seed 0: failed. its worker process died 4 times",
        "suite: 50 of 100 steps done, about 0m10s left",
        "after both",
        "c seed 0: trained. its end was lost",
    ]


def test_a_workers_pid_is_recorded_by_lane_and_its_cache_note_warned_here():
    pids: dict[int, int] = {}
    relay = SuiteRelay(_quiet(10)[0], on_pid=lambda lane, pid: pids.update({lane: pid}))
    relay.show("pid", (1, 4242), None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        relay.show("cache-warning", "reference features are not cached", None)
    assert pids == {1: 4242}
    assert [(w.category, str(w.message)) for w in caught] == [(CacheWarning, "reference features are not cached")]


def test_the_relay_thread_shows_every_event_sent_and_takes_back_on_request():
    """Events from this process's own lane and from a worker's queue (here a thread's queue)."""
    reporter, _ = _quiet(100)
    relay = SuiteRelay(reporter)
    worker_queue = relay.queue_for_worker(ThreadQueues, lane=0)
    relay.start()
    for event in [("found", 10, 0), ("steps", 40, 0)]:
        worker_queue.put(event)
    relay.events.put(("steps", 25, 1))
    relay.take_back(0)
    relay.stop()
    # attempt 0's steps are dropped or taken back, whichever of its events the relay saw first
    assert (reporter.clock.counted, reporter.clock.timed) == (25, 25)
    assert not relay.thread.is_alive()


class ThreadQueues:
    """Stands in for a multiprocessing context: its queues are threads' queues."""

    Queue = queue.Queue


def test_a_dead_workers_queue_is_read_until_empty_and_the_fresh_worker_gets_a_new_one():
    reporter, printed = _quiet(100)
    relay = SuiteRelay(reporter)
    first = relay.queue_for_worker(ThreadQueues, lane=0)
    first.put(("message", "sent before it died", None))
    retired = relay.readers[0]
    second = relay.queue_for_worker(ThreadQueues, lane=0)
    second.put(("message", "from the fresh worker", None))
    retired.thread.join(10)  # it stops by itself once its queue is empty
    assert second is not first and not retired.thread.is_alive()
    relay.start()
    relay.stop()
    assert sorted(printed.getvalue().splitlines()) == ["from the fresh worker", "sent before it died"]
    assert not relay.readers[0].thread.is_alive()


def test_a_lane_sends_a_runs_last_steps_before_its_scoring_begins():
    """They waited for run_finished, after scoring: seconds in which the suite count and its time
    left missed them (a 30-step smoke run's 29 steps, for its 5 s of scoring)."""
    events = queue.Queue()
    lane = ForwardingReporter(events, attempt=2)
    lane.run_started("a seed 0", 30, 0)
    for _ in range(29):
        lane.advance()  # within FORWARD_SECONDS: held to be sent in one batch
    lane.scoring("a seed 0")
    sent = [events.get_nowait() for _ in range(events.qsize())]
    assert sum(steps for kind, steps, _ in sent if kind == "steps") == 29
    assert sent[-1] == ("message", "a seed 0: scoring", None)


def test_a_lane_sends_found_and_trained_steps_marked_with_its_attempt_and_ends_after_them():
    events = queue.Queue()
    lane = ForwardingReporter(events, attempt=7)
    lane.run_skipped("a seed 0", 30)
    lane.run_started("b seeds 0,1", 40, 10, runs=2)
    for _ in range(3):
        lane.advance()
    lane.unit_ended()  # stopped or failed before run_finished: its steps are still sent
    sent = [events.get_nowait() for _ in range(events.qsize())]
    assert sent == [
        ("found", 30, 7),
        ("started", "b seeds 0,1: 40 steps (resuming at step 10)", None),
        ("found", 20, 7),
        ("steps", 6, 7),
        ("ended", None, 7),
    ]


def test_each_lanes_steps_are_timed_as_its_recipes():
    """A lane says its unit's recipe first; its steps then count toward that recipe's total and
    rate, so a recipe no lane has trained yet is named as not timed."""
    buffer = io.StringIO()
    ticks = iter([0.0, 10.0])
    reporter = QuietReporter(
        Console(file=buffer, width=200), suite_steps={"a": 40, "b": 100, "c": 50}, now=lambda: next(ticks, 20.0)
    )
    relay = SuiteRelay(reporter)
    for event in [("recipe", "a", 0), ("recipe", "b", 1), ("steps", 20, 0), ("found", 30, 1), ("steps", 10, 1)]:
        relay.show(*event)
    assert (reporter.clock.counted_by, reporter.clock.timed_by) == ({"a": 20, "b": 40}, {"a": 20, "b": 10})
    relay._take_back(1)  # b's worker died: its steps leave b's count
    assert reporter.clock.counted_by == {"a": 20, "b": 0}
    reporter.suite_time_left()
    assert buffer.getvalue().splitlines()[-1].endswith("more for 2 recipes not timed yet (b, c)")


@pytest.mark.parametrize("lane_lost", [False, True])
def test_a_failed_units_steps_not_shown_leave_the_suite_total(lane_lost):
    """A run that fails trains no more in this suite run. Before, its steps stayed in the suite's
    total ("40 of 300 steps done") and time left, and the suite bar never reached its end.
    A dead worker's steps sent after its unit's failure are dropped, as its rest was given up."""
    buffer = io.StringIO()
    ticks = iter([0.0, 10.0])
    reporter = QuietReporter(
        Console(file=buffer, width=200), suite_steps={"a": 200, "b": 100}, now=lambda: next(ticks, 20.0)
    )
    relay = SuiteRelay(reporter)
    failed = (["a seed 0: failed. RuntimeError: boom"], lane_lost, ("a", 100))
    end = [] if lane_lost else [("ended", None, 0)]
    for event in [("recipe", "a", 0), ("found", 10, 0), ("steps", 30, 0), *end, ("outcome", failed, 0)]:
        relay.show(*event)
    relay.show("steps", 5, 0)  # late, from a dead worker's queue
    # a seed 0 showed 40 of its 100 steps: the other 60 leave a's 200; a seed 1's 100 are left,
    # at 20 s for 30 steps
    assert (reporter.clock.total, reporter.clock.counted) == (240, 40)
    assert buffer.getvalue().splitlines() == [
        "a seed 0: failed. RuntimeError: boom",
        "suite: 40 of 240 steps done, about 1m07s left, more for 1 recipe not timed yet (b)",
    ]
