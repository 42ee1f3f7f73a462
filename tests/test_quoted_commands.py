"""A command ganbench advises, with a path in it, runs as written when pasted into a shell: a
path with a space is quoted."""

import shlex

from typer.testing import CliRunner

from gan_bench.cli import app

runner = CliRunner()


def test_a_suite_run_folder_given_for_a_suite_names_the_resume_command_quoted(tmp_path):
    folder = tmp_path / "my runs"
    folder.mkdir()
    (folder / "suite.json").write_text("{}")
    result = runner.invoke(app, ["run", "--suite", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    advised = f"`ganbench run --resume '{folder}'` continues it"
    assert advised in " ".join(result.output.split())
    assert shlex.split(f"ganbench run --resume '{folder}'")[-1] == str(folder)


def test_a_single_run_given_to_resume_names_the_train_command_quoted(tmp_path):
    run = tmp_path / "one run"
    run.mkdir()
    (run / "spec.json").write_text("{}")
    result = runner.invoke(app, ["run", "--suite", "smoke", "--resume", str(run)])
    assert result.exit_code == 2
    assert f"resume it with `ganbench train RECIPE --resume --out '{run}'`" in " ".join(result.output.split())
