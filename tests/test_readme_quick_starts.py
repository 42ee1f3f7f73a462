"""The README's quick starts run as written: each line of its command-line and CI blocks, in
order, in a new folder, with the exit codes the README gives, and its Python block as a script."""

import contextlib
import io
import re
import shlex

import pytest
from conftest import REPO
from typer.testing import CliRunner

from gan_bench.cli import app


def _block(heading: str, language: str) -> str:
    """The first fenced block of ``language`` under the README's ``## heading``."""
    section = (REPO / "README.md").read_text().split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.search(rf"```{language}\n(.*?)```", section, flags=re.S).group(1)


def _run_lines(block: str) -> list[str]:
    outputs = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        assert words[0] == "ganbench", line
        result = CliRunner().invoke(app, words[1:], catch_exceptions=False)
        assert result.exit_code == 0, f"{line}\n{result.output}"
        outputs.append(result.output)
    return outputs


@pytest.mark.slow
def test_the_command_line_quick_start_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outputs = _run_lines(_block("Command-line quick start", "bash"))
    assert "keras-mlp" in outputs[0] and "smoke" in outputs[1]  # list, then the plan
    assert (tmp_path / "runs/smoke/suite.json").is_file() and (tmp_path / "report.html").is_file()
    assert "passed, 0 failed" in outputs[5]
    assert (tmp_path / "runs/keras-1/metrics.json").is_file()


@pytest.mark.slow
def test_the_ci_gating_commands_run_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _run_lines(_block("CI gating", "bash"))
    assert "<testsuite" in (tmp_path / "junit.xml").read_text()


@pytest.mark.slow
def test_the_python_quick_start_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_block("Python quick start", "python"), "README.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert lines[0].split() == ["recipe", "seed", "fid_lenet_1k_test", "verdict"]
    assert lines[-1] == "pass", printed.getvalue()
