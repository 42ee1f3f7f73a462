"""What starting ganbench loads: help and argument errors need no torch, `import gan_bench` needs
none, and commands that score nothing skip torch-fidelity, torchvision, torchmetrics and matplotlib
(about 3 s of imports). Each check runs in a fresh interpreter, since this one has loaded them all."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import gan_bench

SCORING_LIBRARIES = ("torch_fidelity", "torchvision", "torchmetrics", "matplotlib")


def loaded_after(code: str, *watched: str) -> list[str]:
    """The modules of ``watched`` a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {list(watched)!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_call(*args: str) -> str:
    """Code that runs the ganbench command with ``args`` in-process, as the console script does."""
    return f"from gan_bench.cli import app\ntry:\n    app({list(args)!r})\nexcept SystemExit:\n    pass"


def test_importing_the_package_loads_no_torch():
    assert loaded_after("import gan_bench", "torch", "pandas", *SCORING_LIBRARIES) == []


@pytest.mark.parametrize(
    "args",
    [("--help",), ("run", "--help"), ("report", "--help"), ("check", "--help"), ("data", "--help"), ()],
    ids=["--help", "run --help", "report --help", "check --help", "data --help", "no command"],
)
def test_help_loads_no_torch(args):
    assert loaded_after(cli_call(*args), "torch", "pandas", *SCORING_LIBRARIES) == []


def test_an_argument_error_exits_2_before_loading_torch():
    # typer refuses a non-integer before the command runs
    probe = (
        "import sys\nfrom gan_bench.cli import app\ntry:\n    app(['run', '--jobs', 'many'])\n"
        "except SystemExit as e:\n    print('torch' in sys.modules)\n    sys.exit(e.code)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout.strip()) == (2, "False"), done.stderr
    assert "Invalid value for '--jobs'" in done.stderr


def test_data_list_loads_no_torch(tmp_path):
    code = cli_call("data", "list", "--data-dir", str(tmp_path))
    assert loaded_after(code, "torch", *SCORING_LIBRARIES) == []


@pytest.mark.slow  # each fresh interpreter loads torch: seconds
def test_the_api_loads_no_scoring_library_until_it_scores(tmp_path):
    assert (
        loaded_after(
            "import gan_bench.api.runs, gan_bench.api.scoring, gan_bench.api.results, gan_bench.training.engine",
            *SCORING_LIBRARIES,
        )
        == []
    )
    # a dry run checks the scoring options and plans a suite without them too, and writes nothing
    out = tmp_path / "planned"
    code = cli_call("run", "--suite", "smoke", "--device", "cpu", "--out", str(out), "--dry-run")
    assert loaded_after(code, *SCORING_LIBRARIES) == []
    assert not out.exists()


@pytest.mark.slow  # each fresh interpreter loads torch: seconds
def test_scoring_still_loads_torch_fidelity_when_it_scores():
    code = (
        "import torch\nfrom gan_bench.metrics import fidelity\n"
        "fidelity.fid_statistics(torch.randn(20, 4, dtype=torch.float64))"
    )
    assert loaded_after(code, "torch_fidelity") == ["torch_fidelity"]


def test_every_public_name_is_the_object_its_module_defines():
    for name in gan_bench.__all__:
        home = importlib.import_module(gan_bench._HOMES[name])
        assert getattr(gan_bench, name) is getattr(home, name), name
    assert set(gan_bench.__all__) <= set(dir(gan_bench))
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        gan_bench.not_a_name  # noqa: B018


@pytest.mark.slow  # each fresh interpreter loads torch: seconds
def test_from_import_of_a_public_name_works_in_a_fresh_interpreter():
    code = "from gan_bench import train, UserError, Suite\nassert callable(train) and issubclass(UserError, Exception)"
    assert loaded_after(code, "gan_bench.api") == ["gan_bench.api"]


@pytest.mark.slow
def test_check_and_report_of_a_scored_suite_load_no_torch(suite_run, tmp_path):
    root, runs, baseline = suite_run
    code = (
        f"import gan_bench as gb\nassert gb.check([{str(runs)!r}], baseline={str(baseline)!r}).passed\n"
        f"df = gb.report([{str(runs)!r}])\nassert len(df) == 4\ngb.render_report(df, 'md')"
    )
    assert loaded_after(code, "torch", *SCORING_LIBRARIES) == []
    # the commands too: they read JSON and CSV files, and resolve suites and recipes by name
    for args in (
        ("check", str(runs), "--baseline", str(baseline), "--junit", str(tmp_path / "junit.xml")),
        ("report", str(runs), "--format", "csv", "--out", str(tmp_path / "report.csv")),
        ("baseline", str(runs), "--out", str(tmp_path / "baseline.json")),
    ):
        assert loaded_after(cli_call(*args), "torch", *SCORING_LIBRARIES) == [], args
    assert (tmp_path / "junit.xml").exists() and (tmp_path / "report.csv").exists()
    assert (tmp_path / "baseline.json").exists()
