"""ganbench: a reproducible benchmark suite for the classic GAN variants.

The public Python API; the ``ganbench`` command is a thin layer over it::

    import gan_bench as gb

    suite_run = gb.run_suite("smoke", out="results/runs/smoke")
    print(gb.report([suite_run.root])[["recipe", "seed", "verdict"]])
    assert gb.check([suite_run.root]).passed
"""

__version__ = "0.1.0"

# Each public name and the module that defines it. They are imported on first use (PEP 562), so
# `import gan_bench` and `ganbench --help` do not load torch; `gb.train` loads what training needs.
_HOMES = {
    **dict.fromkeys(
        (
            "SuiteRun",
            "check_cluster",
            "check_scoring_options",
            "data_to_download",
            "execute_plan",
            "list_datasets",
            "list_recipes",
            "list_suites",
            "plan",
            "run_states",
            "run_suite",
            "train",
        ),
        "gan_bench.api.runs",
    ),
    **dict.fromkeys(("score", "score_samples"), "gan_bench.api.scoring"),
    **dict.fromkeys(
        (
            "CheckResult",
            "check",
            "export_tensorboard",
            "latest_suite_run",
            "render_report",
            "report",
            "report_notes",
            "suite_of_runs",
            "write_baseline",
        ),
        "gan_bench.api.results",
    ),
    **dict.fromkeys(
        (
            "CacheWarning",
            "DataError",
            "GateError",
            "InvalidOption",
            "NoSpace",
            "PluginError",
            "RunDirError",
            "SuiteError",
            "UserError",
        ),
        "gan_bench.errors",
    ),
    "RunResult": "gan_bench.executors.lifecycle",
    "Verdict": "gan_bench.gates.check",
    "Plan": "gan_bench.suite.plan",
    "RunSpec": "gan_bench.suite.run_spec",
    **dict.fromkeys(("Suite", "load_suite"), "gan_bench.suite.suite_file"),
    **dict.fromkeys(("get_recipe", "register_recipe"), "gan_bench.variants"),
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'gan_bench' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
