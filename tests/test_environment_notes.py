"""env.json names the CPU and the kernels torch picked; report and check say when the runs, or the
runs and their baseline, come from machines whose bits differ."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.reporting import environments
from gan_bench.rundir import repro

runner = CliRunner()


def test_env_json_records_cpu_model_and_kernel_capability():
    env = repro.environment(torch.device("cpu"), {})
    assert env["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
    assert env["cpu_capability"] in {"DEFAULT", "VSX", "Z VECTOR", "NO AVX", "AVX2", "AVX512", "SVE256"} or env[
        "cpu_capability"
    ].startswith(("AVX", "SVE"))
    assert env["cpu_model"] == repro.cpu_name() and env["cpu_model"]
    assert env["torch_threads"] == torch.get_num_threads()


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame({f"env.{k}": v for k, v in columns.items()})


def test_notes_name_each_key_that_differs():
    runs = environments.of_runs(frame(cpu_capability=["AVX2", "AVX2"], torch_threads=[2, 2], torch=["2.14.1", None]))
    assert runs == {"cpu_capability": ["AVX2"], "torch_threads": ["2"], "torch": ["2.14.1"]}
    assert environments.mixed(runs) == []
    baseline = {"cpu_capability": ["AVX512"], "torch_threads": ["2"], "cpu_model": ["Some Xeon"]}
    assert environments.against(runs, baseline) == ["runs and baseline differ in CPU kernels: AVX2 against AVX512"]
    both = environments.of_runs(frame(torch_threads=[1, 2]))
    assert environments.mixed(both) == ["runs differ in torch threads: 1, 2"]
    assert environments.against(runs, {}) == []  # a baseline from before env was recorded: nothing claimed


def test_a_run_without_a_thread_count_does_not_turn_the_others_into_floats():
    # one damaged or old env.json leaves a gap, and pandas stores the column's integers as floats
    runs = environments.of_runs(frame(torch_threads=[2, None, 2]))
    assert runs == {"torch_threads": ["2"]}
    assert environments.against(runs, {"torch_threads": ["2"]}) == []
    assert environments.mixed(environments.of_runs(frame(torch_threads=[16, None, 2]))) == [
        "runs differ in torch threads: 2, 16"
    ]


@pytest.mark.slow
def test_check_and_report_say_when_machines_differ(suite_run, tmp_path):
    root, runs, baseline = suite_run
    data = json.loads(baseline.read_text())
    assert data["environment"]["cpu_capability"] == [torch.backends.cpu.get_cpu_capability()]
    same = runner.invoke(app, ["check", str(runs), "--baseline", str(baseline)])
    assert same.exit_code == 0 and "note:" not in same.output
    data["environment"]["cpu_capability"] = ["SOMEWHERE-ELSE"]
    data["environment"]["torch_threads"] = ["64"]
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    result = runner.invoke(app, ["check", str(runs), "--baseline", str(other)])
    assert result.exit_code == 0, result.output
    assert "note: runs and baseline differ in CPU kernels:" in result.output
    assert "SOMEWHERE-ELSE" in result.output and "differ in torch threads" in result.output
    report = runner.invoke(app, ["report", str(runs)])
    assert report.exit_code == 0 and "note:" not in report.output  # one machine made them all
