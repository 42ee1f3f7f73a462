"""Which run directories `report`, `check`, `baseline`, `score` and `export` read below a folder:
every folder holding a spec.json, symbolic links to folders followed, each real run once."""

from pathlib import Path

import pytest

from gan_bench.errors import RunDirError
from gan_bench.rundir.layout import find_runs


def run_at(folder: Path) -> Path:
    (folder / "samples").mkdir(parents=True)
    (folder / "spec.json").write_text("{}")
    (folder / "samples" / "spec.json").write_text("{}")  # inside a run: never a run of its own
    return folder


def test_a_folder_of_links_to_runs_kept_elsewhere_is_read_each_run_once(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    run_at(elsewhere / "a" / "seed-0")
    run_at(elsewhere / "b")
    compare = tmp_path / "compare"
    run_at(compare / "real" / "seed-1")
    (compare / "one").symlink_to(elsewhere / "a", target_is_directory=True)
    (compare / "again").symlink_to(elsewhere / "a", target_is_directory=True)  # the same runs by a second link
    (compare / "two").symlink_to(elsewhere / "b", target_is_directory=True)
    (compare / "loop").symlink_to(compare, target_is_directory=True)  # a link back up: not followed round
    found = [run.root.relative_to(compare) for run in find_runs([compare])]
    assert found == [Path("again/seed-0"), Path("real/seed-1"), Path("two")]


def test_a_folder_holding_only_a_loop_holds_no_runs(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "loop").symlink_to(tmp_path / "empty", target_is_directory=True)
    with pytest.raises(RunDirError, match="not a run directory"):
        find_runs([tmp_path / "empty"])
