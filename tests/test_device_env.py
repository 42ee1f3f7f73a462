"""The device check's preparation and summary. On a GPU machine that has PyTorch but not ganbench's
other dependencies, and no internet, benchmarks/device_env.py finds what is missing before any of
the loan is spent and installs it from carried wheels. The summary's CUDA figures, which a CPU dry
run never renders, are rendered here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import types
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import device_env  # noqa: E402


@pytest.fixture
def own_path(monkeypatch, tmp_path) -> list[str]:
    """sys.path and PYTHONPATH restored after the test, whatever it put first; PYTHONPATH's entries
    before it (the test's own, and one more). Installed wheels go under the test's folder, not /tmp."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    earlier = [*filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep)), str(tmp_path / "earlier")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(earlier))
    return earlier


def probe_wheel(folder: Path, version: str, tag: str = "py3-none-any", requires_python: str | None = None) -> Path:
    """A minimal pure-Python wheel of the distribution ``ganbench-probe``, as pip installs it offline
    (its file named for ``tag``, its metadata with ``requires_python`` if given)."""
    info = f"ganbench_probe-{version}.dist-info"
    needs = f"Requires-Python: {requires_python}\n" if requires_python else ""
    files = {
        "ganbench_probe/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: ganbench-probe\nVersion: {version}\n{needs}",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    wheel = folder / f"ganbench_probe-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return wheel


def test_unmet_names_the_missing_and_the_too_old_and_skips_other_platforms():
    problems = device_env.unmet(
        [
            "pytest>=7",  # installed, new enough
            "torch>=2.1",  # installed as a local version (2.x+cpu or +cu130): admitted
            "no-such-distribution-xyz>=1.5",
            "pytest>=999",
            "tomli>=2; python_version < '3.0'",  # a marker that does not apply here
        ]
    )
    installed = metadata.version("pytest")
    assert problems == [
        "no-such-distribution-xyz: not installed (ganbench needs >=1.5)",
        f"pytest {installed}: ganbench needs >=999",
    ]


def test_the_projects_own_requirements_are_met_in_the_test_environment():
    requirements = device_env.project_requirements()
    assert any(r.startswith("torch-fidelity") for r in requirements) and any(
        r.startswith("pydantic") for r in requirements
    )
    # the training section's benchmarks need pytest-benchmark's fixture; the CUDA tests need pytest
    assert {r.split(">")[0] for r in requirements} >= {"pytest", "pytest-benchmark"}
    assert device_env.unmet(requirements) == []


def test_prepare_installs_carried_wheels_only_when_something_is_unmet(tmp_path, own_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    probe_wheel(wheels, "1.2")
    assert device_env.unmet(["ganbench-probe>=1"]) == ["ganbench-probe: not installed (ganbench needs >=1)"]
    assert device_env.prepare(wheels, ["ganbench-probe>=1"]) == []
    site = Path(sys.path[0])
    assert (site / "ganbench_probe" / "__init__.py").is_file() and site.name.startswith("ganbench-wheels-")
    # the checkout, then the wheels, lead every subprocess's path too; what was there stays after them
    assert os.environ["PYTHONPATH"].split(os.pathsep) == [str(site), str(REPO), *own_path]
    child = subprocess.run(
        [sys.executable, "-c", "import ganbench_probe, gan_bench; print(ganbench_probe.VERSION)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert child.stdout.strip() == "1.2"


def test_prepare_installs_only_the_wheels_this_python_takes(tmp_path, own_path):
    """fetch_wheels.sh fetches a binary wheel for each Python the machine may have: the others are left."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    foreign = probe_wheel(wheels, "1.1", "cp27-cp27m-win32")  # a Python and platform no device has
    too_new = probe_wheel(wheels, "1.3", "py2.py3-none-any", requires_python=">=99")  # as typer 0.29 on 3.10
    probe_wheel(wheels, "1.2", requires_python=">=3.8")
    compiled = probe_wheel(wheels, "1.2", str(next(iter(device_env.sys_tags()))))  # as tomli: both fit, one is taken
    assert not device_env.fits(foreign) and not device_env.fits(too_new) and device_env.fits(compiled)
    assert device_env.fits(wheels / "ganbench_probe-1.2-py3-none-any.whl")
    assert device_env.prepare(wheels, ["ganbench-probe>=1"]) == []
    site = Path(sys.path[0])
    assert (site / "ganbench_probe" / "__init__.py").read_text() == "VERSION = '1.2'\n"


def test_prepare_reports_what_the_wheels_do_not_mend(tmp_path, own_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    probe_wheel(wheels, "0.9")
    assert device_env.prepare(wheels, ["ganbench-probe>=1"]) == ["ganbench-probe 0.9: ganbench needs >=1"]
    assert device_env.prepare(tmp_path / "none", ["absent-dist-xyz"]) == [
        "absent-dist-xyz: not installed (ganbench needs any version)"
    ]


def test_the_check_stops_before_writing_when_a_dependency_is_missing(tmp_path, monkeypatch):
    """gpu_check.py exits 2, naming what is missing and how to bring it, and leaves OUT unmade."""
    import gpu_check

    monkeypatch.setattr(gpu_check, "prepare", lambda wheels: ["pydantic: not installed (ganbench needs >=2.5)"])
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", str(tmp_path / "out"), "--cpu-dry-run", "--wheels", "w"])
    assert gpu_check.main() == 2
    assert not (tmp_path / "out").exists()


def test_benchmark_rates_are_appended_as_they_are_taken(tmp_path, monkeypatch):
    """What gpu_check.py reads back when the training benchmarks are stopped at their budget."""
    import speed_table

    monkeypatch.setattr(speed_table, "RATES", {})
    monkeypatch.setenv("GANBENCH_BENCH_RATES", str(tmp_path / "rates.jsonl"))
    speed_table.keep("tf-mlp (cuda)", "ganbench engine", 16583.04)
    speed_table.keep("tf-mlp (cuda)", "textbook loop", 13717.0)
    lines = (tmp_path / "rates.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"comparison": "tf-mlp (cuda)", "loop": "ganbench engine", "images_per_s": 16583.0},
        {"comparison": "tf-mlp (cuda)", "loop": "textbook loop", "images_per_s": 13717.0},
    ]


def test_the_summary_renders_the_graphed_figures_only_a_device_produces():
    """The CUDA branches of the Markdown summary, which a CPU dry run never reaches."""
    import gpu_check

    rates = {"steps": 20_000, "steps_per_s": {"eager": 500.0, "graphed": 6000.0}, "graphed_speedup": 12.0}
    toy = {**rates, "projected_400k_run_s": 66.7}
    keras = {"full_run_steps": 187_200, "projected_full_run_s": 31.2}
    suite = {"runs_finished": 27, "runs_total": 27, "runs_scored": 27, "steps_done": 10, "steps_total": 10}
    summary = {
        "environment": {"device_name": "NVIDIA H200", "torch": "2.11.0+cu130", "cuda": "13.0"},
        "dry_run": False,
        "seconds": 470.0,
        "sections": {
            "cuda_tests": {
                "status": "ok",
                "seconds": 30,
                "value": {
                    **{"passed": 19, "skipped": 0, "failed": 1, "error": 0},
                    **{"returncode": "timed out", "not_passed": ["tests/t.py::x"]},
                },
            },
            "mnist_suite": {
                "status": "ok",
                "seconds": 200,
                "value": {**suite, "total_s": 200.0, "total_is": "measured"},
            },
            "toy_suite": {
                "status": "ok",
                "seconds": 60,
                "value": {**suite, "total_s": 1234.0, "total_is": "projected"},
            },
            "step_rates": {
                "status": "ok",
                "seconds": 40,
                "value": {"toy-gan": toy, "tf-mlp": rates, "keras-mlp": {**rates, **keras}},
            },
            "training": {"status": "failed", "seconds": 1, "error": "TimeoutExpired: 10 s"},
            "graph_drift": {"status": "ok", "seconds": 20, "value": {"cgan": {"eager": 3.8e-05, "graphed": 0.0}}},
            "jobs_scaling": {
                "status": "ok",
                "seconds": 90,
                "value": [{"recipe": "tf-mlp", "jobs": 8, "threads": 2, "steps_per_s_all": 3097.1, "wall_s": 20.5}],
            },
        },
    }
    text = gpu_check.markdown(summary)
    assert (
        "| graph_drift | cgan: eager 3.8e-05, graphed 0 (largest history difference from the graphed run) | 20 |"
        in text
    )
    assert "| jobs_scaling | tf-mlp ×8 (2 threads): 3,097 steps/s in all, 20 s | 90 |" in text
    assert "NVIDIA H200 · torch 2.11.0+cu130 · CUDA 13.0 · full check · 470 s in all" in text
    assert "| cuda_tests | 19 passed, 0 skipped, 1 failed (tests/t.py::x) (pytest timed out) | 30 |" in text
    assert "27/27 runs finished, 27 scored, 10/10 steps; total 200 s (measured) (target ≤ 600 s)" in text
    assert (
        "| toy_suite | 27/27 runs finished, 27 scored, 10/10 steps; total 1,234 s (projected) (target ≤ 1800 s) | 60 |"
        in text
    )
    assert "toy-gan: eager 500, graphed 6,000 steps/s (12.0× graphed); tf-mlp: eager 500, graphed 6,000" in text
    assert "a full keras-mlp run (187,200 steps) alone ≈ 31 s, the mnist suite's floor" in text
    assert (
        "400k-step toy run ≈ 67 s (target ≤ 900)" in text and "| training | FAILED: TimeoutExpired: 10 s | 1 |" in text
    )


def test_largest_difference_is_over_every_history_cell():
    import gpu_check

    assert gpu_check._largest_difference([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.5], [2.0, 4.0]]) == 1.0
    assert gpu_check._largest_difference([[1.0]], [[1.0]]) == 0.0


def _progress_of(spec, recipe, steps, train_s, scored=False, score_s=None):
    return {"spec": spec, "recipe": recipe, "steps": steps, "train_s": train_s, "scored": scored, "score_s": score_s}


def test_projection_times_each_unfinished_run_at_its_recipes_rate_in_the_lane_free_first():
    """Runs are matched to the dry run's plan by spec hash, so a suite over two datasets (the same
    recipe and seed twice) is counted right."""
    import gpu_check

    planned = {
        "aaa": {"recipe": "toy-gan", "steps": 1000},  # ring: scored
        "bbb": {"recipe": "toy-gan", "steps": 1000},  # grid, same recipe and seed: 400 steps done
        "ccc": {"recipe": "toy-gan-pac2", "steps": 600},  # begun: 100 steps at 50 steps/s
        "ddd": {"recipe": "new", "steps": 750},  # not begun: the mean of the recipes' rates, 75
    }
    runs = {
        "ring/toy-gan/seed-0": _progress_of("aaa", "toy-gan", 1000, 10.0, scored=True, score_s=4.0),
        "grid/toy-gan/seed-0": _progress_of("bbb", "toy-gan", 400, 4.0),
        "ring/toy-gan-pac2/seed-0": _progress_of("ccc", "toy-gan-pac2", 100, 2.0),
    }
    # toy-gan 100 steps/s, pac2 50, mean 75; each unscored run adds the mean scoring time, 4 s.
    # Two lanes: bbb's holds 600/100 + 4 = 10 s more, ccc's 500/50 + 4 = 14; ddd (750/75 + 4 = 14)
    # takes the lane free first, bbb's, and ends at 24.
    assert gpu_check.projection(planned, runs, jobs=2, elapsed=30.0) == pytest.approx(30.0 + 24)
    assert gpu_check.projection(planned, runs, jobs=3, elapsed=30.0) == pytest.approx(30.0 + 14)  # a free lane
    assert gpu_check.projection(planned, {}, jobs=2, elapsed=30.0) is None
    assert gpu_check.unmeasured(planned, runs) == ["new"]
    assert gpu_check.projection(planned, runs | {"x": _progress_of("ddd", "new", 750, 5.0, True, 4.0)}, 2, 30.0) == (
        pytest.approx(30.0 + 14)
    )  # everything scored but bbb and ccc, each in its lane


def test_projection_keeps_a_seed_group_in_one_lane():
    """A --batch-seeds group trains its runs together in one lane: its time is its remaining steps
    at the rate, however many lanes are free, and the runs after it fill the other lanes."""
    import gpu_check

    planned = {f"a{i}": {"recipe": "tf-mlp", "steps": 900, "group": 3, "unit": 0} for i in range(3)}
    planned |= {"b0": {"recipe": "dcgan", "steps": 100, "unit": 1}, "c0": {"recipe": "cgan", "steps": 200, "unit": 2}}
    runs = {f"tf-mlp/seed-{i}": _progress_of(f"a{i}", "tf-mlp", 300, 3.0) for i in range(3)}  # 100 steps/s
    # the group: 600 steps at 100/s = 6 s; b0 (1 s) and c0 (2 s), at the mean rate, share the other lane
    assert gpu_check.projection(planned, runs, jobs=2, elapsed=10.0) == pytest.approx(10.0 + 6)
    assert gpu_check.projection(planned, runs, jobs=1, elapsed=10.0) == pytest.approx(10.0 + 6 + 1 + 2)
    assert gpu_check.unmeasured(planned, runs) == ["cgan", "dcgan"]


def test_the_planned_runs_are_keyed_by_spec_hash_with_their_seed_groups():
    """One entry per run, even where recipe and seed repeat across datasets, with the size of the
    --batch-seeds group it trains in."""
    import gpu_check

    planned = gpu_check.planned_runs("toy", "full", "cpu", ("toy-gan", "toy-gan-pac2"), 1)
    assert len(planned) == 12
    assert sorted({(p["recipe"], p["steps"], p["group"]) for p in planned.values()}) == [
        ("toy-gan", 400_000, 1),
        ("toy-gan-pac2", 400_000, 1),
    ]
    mnist = gpu_check.planned_runs("mnist", "smoke", "cpu", ("tf-mlp", "dcgan-mnist"), 3)
    assert sorted((p["recipe"], p["group"]) for p in mnist.values()) == [("dcgan-mnist", 1)] * 3 + [("tf-mlp", 3)] * 3
    # units in the order `run --jobs` hands them out: the tf-mlp group, then each dcgan-mnist run
    assert [(p["recipe"], p["unit"]) for p in mnist.values()] == [("tf-mlp", 0)] * 3 + [
        ("dcgan-mnist", u) for u in (1, 2, 3)
    ]
    ring_gap = gpu_check.planned_runs(gpu_check.RING_GAP_SUITE, "full", "cpu", (), 3)
    assert (
        sorted((p["recipe"], p["group"]) for p in ring_gap.values())
        == [("toy-gan-pacgan-code", 3)] * 3 + [("toy-gan-pacgan-code-pac2", 3)] * 3
    )


def test_a_suite_run_an_earlier_check_stopped_is_continued(tmp_path, monkeypatch):
    """A suite folder an earlier check stopped (it holds suite.json) is resumed, not begun
    again, and the summary counts the steps done before."""
    import gpu_check

    folder = tmp_path / gpu_check.RING_GAP_SUITE
    run = folder / "toy-gan-pacgan-code" / "seed-0"
    run.mkdir(parents=True)
    (folder / "suite.json").write_text("{}")
    (run / "spec.json").write_text(json.dumps({"recipe": {"name": "toy-gan-pacgan-code"}, "spec_hash": "ab" * 32}))
    (run / "timing.csv").write_text("step,wall_time_s\n100,2.0\n250,5.0\n")
    commands = []

    class Finished:
        returncode = 0

        def __init__(self, args, **kwargs):
            commands.append(args)

        def wait(self, timeout=None):
            return 0

    reported = types.SimpleNamespace(stdout="", stderr="")
    fake = types.SimpleNamespace(Popen=Finished, run=lambda *a, **k: reported, STDOUT=subprocess.STDOUT)
    monkeypatch.setattr(gpu_check, "subprocess", fake)  # this module's calls only
    result = gpu_check.ring_gap(tmp_path, True, "cpu", 60, batch_seeds=3)
    (command,) = commands
    assert command[command.index("run") :] == [
        "run",
        "--resume",
        str(folder),
        "--jobs",
        "6",
        "--quiet",
        "--batch-seeds",
        "3",
    ]
    assert result["steps_before"] == 250 and result["total_is"] == "measured, from this check's start"
    (tmp_path / "fresh").mkdir()
    gpu_check.ring_gap(tmp_path / "fresh", True, "cpu", 60, batch_seeds=3)
    assert commands[1][commands[1].index("run") :][:3] == ["run", "--suite", gpu_check.RING_GAP_SUITE]


def test_a_command_stopped_at_its_timeout_keeps_what_it_printed(tmp_path):
    """How the CUDA tests' and the benchmarks' outcomes survive their budgets."""
    import gpu_check

    lines = [
        "tests/a.py::one PASSED [50%]",
        "tests/a.py::t[args2---x and y: choose one] FAILED",
        "FAILED tests/a.py::t",
    ]
    script = f"print({chr(10).join(lines)!r}, flush=True); import time; time.sleep(60)"
    log = tmp_path / "log"
    assert gpu_check._run_logged([sys.executable, "-c", script], log, timeout=1.5) == "timed out"
    assert gpu_check.OUTCOME.findall(log.read_text()) == [
        ("tests/a.py::one", "PASSED"),
        ("tests/a.py::t[args2---x and y: choose one]", "FAILED"),
    ]
    assert gpu_check._run_logged([sys.executable, "-c", "raise SystemExit(3)"], log, timeout=30) == 3


@pytest.mark.slow
def test_the_graphed_step_rates_run_through_the_api_with_the_stand_in_backend(tmp_path, monkeypatch):
    """The step-rate section's graphed path, which only a device takes, on CPU: the stand-in
    backend of test_cuda_graph replays each step, and the API's CUDA-device check is waived."""
    import gpu_check
    from test_cuda_graph import RerunBackend

    import gan_bench.api.runs
    from gan_bench.training import cuda_graph

    monkeypatch.setitem(cuda_graph.BACKENDS, "cpu", RerunBackend)
    monkeypatch.setattr(gan_bench.api.runs, "check_cuda_graph", lambda *args: None)
    result = gpu_check.step_rates(tmp_path, True, "cpu", graphed=True)
    for recipe, steps in (("toy-gan", 300), ("tf-mlp", 100), ("keras-mlp", 100)):
        rates = result[recipe]["steps_per_s"]
        assert result[recipe]["steps"] == steps and rates["eager"] > 0 and rates["graphed"] > 0
        assert result[recipe]["graphed_speedup"] == pytest.approx(rates["graphed"] / rates["eager"])
        (graphed_spec,) = (tmp_path / f"{recipe}-graphed").rglob("spec.json")
        (eager_spec,) = (tmp_path / f"{recipe}-eager").rglob("spec.json")
        assert json.loads(graphed_spec.read_text())["cuda_graph"] is True
        assert "cuda_graph" not in json.loads(eager_spec.read_text())
    assert result["toy-gan"]["projected_400k_run_s"] == pytest.approx(
        400_000 / max(result["toy-gan"]["steps_per_s"].values())
    )
    keras = result["keras-mlp"]
    assert keras["full_run_steps"] == 187_200  # 400 epochs of 468 steps
    assert keras["projected_full_run_s"] == pytest.approx(187_200 / max(keras["steps_per_s"].values()))


def test_sections_runs_only_those_named_and_refuses_unknown_names(tmp_path, monkeypatch, capsys):
    """A rerun on what is left of a loan: --sections step_rates runs that section alone."""
    import gpu_check

    def must_not_run(*args, **kwargs):
        raise AssertionError("a section that was not chosen ran")

    for name in ("cuda_tests", "suite_run", "training", "ring_gap", "graph_drift", "jobs_scaling"):
        monkeypatch.setattr(gpu_check, name, must_not_run)
    toy = {"steps": 300, "steps_per_s": {"eager": 30.0}, "graphed_speedup": None, "projected_400k_run_s": 13333.3}
    stub = {"toy-gan": toy, "tf-mlp": {"steps": 100, "steps_per_s": {"eager": 80.0}, "graphed_speedup": None}}
    monkeypatch.setattr(gpu_check, "step_rates", lambda out, dry, device: stub)
    monkeypatch.setattr(gpu_check, "prepare", lambda wheels: [])
    monkeypatch.setattr(
        sys, "argv", ["gpu_check.py", str(tmp_path / "out"), "--cpu-dry-run", "--sections", "step_rates"]
    )
    assert gpu_check.main() == 0
    summary = json.loads((tmp_path / "out" / "gpu_check.json").read_text())
    assert list(summary["sections"]) == ["step_rates"] and summary["sections"]["step_rates"]["value"] == stub
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", str(tmp_path / "other"), "--sections", "step_rates,toy"])
    with pytest.raises(SystemExit) as stopped:
        gpu_check.main()
    assert stopped.value.code == 2 and not (tmp_path / "other").exists()
    assert (
        "unknown section toy; valid: cuda_tests, mnist_suite, toy_suite, step_rates, training, graph_drift, "
        "jobs_scaling, ring_gap" in capsys.readouterr().err
    )


@pytest.mark.slow  # trains four short tf-mlp runs, two in ganbench processes: about 20 s
def test_a_rerun_on_the_same_machine_measures_afresh_where_the_first_check_measured(tmp_path):
    """The sections that train throwaway runs into fixed folders of OUT: a rerun (--sections, the same
    OUT) trains them again, rather than being refused by the first check's runs or reading their timings."""
    import gpu_check

    folder = tmp_path / "tf-mlp-eager"
    for steps in (3, 4):  # a rerun may train another length: the spec then differs too
        assert gpu_check._trained_rate("tf-mlp", "mnist", steps, "cpu", False, folder) > 0
        assert json.loads((folder / "spec.json").read_text())["schedule"]["steps"] == steps
    for steps in (3, 4):
        row = gpu_check._concurrent_trains(tmp_path, "tf-mlp", 1, steps, 1, "cpu")
        assert row["returncodes"] == [0]
        assert gpu_check._progress(tmp_path / "jobs" / "tf-mlp-n1-t1" / "seed-0")["steps"] == steps


def test_a_rerun_of_some_sections_keeps_the_others_from_the_first_check(tmp_path, monkeypatch):
    """--sections into the OUT of an earlier check on the same device: the summary holds the sections
    rerun, fresh, and the earlier check's others, said to be kept; another mode keeps none."""
    import gpu_check

    out = tmp_path / "out"
    row = {"recipe": "tf-mlp", "jobs": 8, "threads": 2, "steps_per_s_all": 3097.0, "wall_s": 5.0}
    drifts = iter([RuntimeError("out of memory"), {"cgan": {"eager": 3.8e-5, "graphed": 0.0}}])

    def drift(*args):
        result = next(drifts)
        if isinstance(result, Exception):
            raise result
        return result

    monkeypatch.setattr(gpu_check, "prepare", lambda wheels: [])
    monkeypatch.setattr(gpu_check, "jobs_scaling", lambda *args: [row])
    monkeypatch.setattr(gpu_check, "graph_drift", drift)

    def check(*sections, mode="--cpu-dry-run"):
        argv = ["gpu_check.py", str(out), "--sections", ",".join(sections), *([mode] if mode else [])]
        monkeypatch.setattr(sys, "argv", argv)
        return gpu_check.main(), json.loads((out / "gpu_check.json").read_text()), (out / "gpu_check.md").read_text()

    code, first, _ = check("jobs_scaling", "graph_drift")
    assert code == 1 and first["sections"]["graph_drift"]["error"] == "RuntimeError: out of memory"
    code, second, md = check("graph_drift")
    assert code == 0 and second["kept_from_earlier"] == ["jobs_scaling"]
    assert second["sections"]["jobs_scaling"] == first["sections"]["jobs_scaling"]
    assert second["sections"]["graph_drift"]["value"] == {"cgan": {"eager": 3.8e-5, "graphed": 0.0}}
    assert "Kept from an earlier check into this folder: jobs_scaling." in md
    assert "| jobs_scaling | tf-mlp ×8 (2 threads): 3,097 steps/s in all, 5 s |" in md
    other_mode = {**second, "dry_run": False}  # a real check into the same OUT keeps no dry run's figures
    assert gpu_check._earlier_sections(out / "gpu_check.json", other_mode) == {}
    other_torch = {**second, "environment": {**second["environment"], "torch": "2.11.0+cu130"}}
    assert gpu_check._earlier_sections(out / "gpu_check.json", other_torch) == {}
    assert gpu_check._earlier_sections(out / "gpu_check.json", second) == second["sections"]


def test_a_folder_of_other_files_is_refused_before_anything_is_written(tmp_path, monkeypatch, capsys):
    """A rerun empties the check's measurement folders in OUT, so OUT must be new, empty, or a check's."""
    import gpu_check

    out = tmp_path / "results"
    (out / "jobs").mkdir(parents=True)
    (out / "jobs" / "mine.txt").write_text("keep me")
    monkeypatch.setattr(gpu_check, "prepare", lambda wheels: [])
    monkeypatch.setattr(gpu_check, "jobs_scaling", lambda *args: pytest.fail("a section ran"))
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", str(out), "--cpu-dry-run", "--sections", "jobs_scaling"])
    assert gpu_check.main() == 2
    assert capsys.readouterr().err == (
        f"{out}: holds files, and no gpu_check.json of an earlier check; give a new folder\n"
    )
    assert sorted(p.name for p in out.rglob("*")) == ["jobs", "mine.txt"]


def test_a_missing_test_tool_fails_only_the_sections_run_under_it(tmp_path, monkeypatch, capsys):
    """Without pytest-benchmark (no wheels carried), the training section fails, saying why, and the
    sections that need no test tool still measure: a loan is not lost to it."""
    import gpu_check

    problem = "pytest-benchmark: not installed (ganbench needs >=4)"
    monkeypatch.setattr(gpu_check, "prepare", lambda wheels: [problem])
    monkeypatch.setattr(gpu_check, "missing_tools", lambda: {"pytest-benchmark": problem})
    monkeypatch.setattr(gpu_check, "training", lambda *args: pytest.fail("the training section ran"))
    monkeypatch.setattr(gpu_check, "jobs_scaling", lambda *args: [])
    out = tmp_path / "out"
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", str(out), "--cpu-dry-run", "--sections", "training,jobs_scaling"])
    assert gpu_check.main() == 1
    sections = json.loads((out / "gpu_check.json").read_text())["sections"]
    assert sections["training"]["error"] == f"ModuleNotFoundError: {problem}"
    assert sections["jobs_scaling"]["status"] == "ok"
    assert f"warning: section training will fail: {problem}" in capsys.readouterr().err
