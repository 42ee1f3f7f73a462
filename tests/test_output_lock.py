"""One writer per output folder: a second `ganbench run` on a folder in use refuses, naming the lock."""

from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.lock import LOCK_NAME, output_lock


def test_second_run_on_a_locked_folder_refuses(tmp_path):
    out = tmp_path / "out"
    with output_lock(out):
        result = CliRunner().invoke(app, ["run", "--suite", "smoke", "--out", str(out), "--device", "cpu"])
    assert result.exit_code == 2
    assert LOCK_NAME in result.output and "another ganbench run" in result.output
    assert "Traceback" not in result.output
    assert not any(p.name != LOCK_NAME for p in out.iterdir())  # nothing was written


def test_lock_is_released_on_exit(tmp_path):
    with output_lock(tmp_path):
        pass
    with output_lock(tmp_path) as path:  # a later run takes it again
        assert path.read_text().startswith("pid ")
