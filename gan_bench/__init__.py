"""ganbench: a reproducible benchmark suite for the classic GAN variants.

The public Python API; the ``ganbench`` command is a thin layer over it::

    import gan_bench as gb

    suite_run = gb.run_suite("smoke", out="results/runs/smoke")
    print(gb.report([suite_run.root])[["recipe", "seed", "verdict"]])
    assert gb.check([suite_run.root]).passed
"""

__version__ = "0.1.0"

from gan_bench.api import (
    CheckResult,
    SuiteRun,
    check,
    check_scoring_options,
    execute_plan,
    export_tensorboard,
    latest_suite_run,
    list_recipes,
    list_suites,
    plan,
    render_report,
    report,
    run_suite,
    score,
    score_samples,
    suite_of_runs,
    train,
    write_baseline,
)
from gan_bench.errors import (
    DataError,
    GateError,
    InvalidOption,
    NoSpace,
    PluginError,
    RunDirError,
    SuiteError,
    UserError,
)
from gan_bench.executors.lifecycle import RunResult
from gan_bench.gates.check import Verdict
from gan_bench.suite.plan import Plan
from gan_bench.suite.spec import RunSpec, Suite, load_suite
from gan_bench.variants import get_recipe, register_recipe

__all__ = [
    "CheckResult",
    "DataError",
    "GateError",
    "InvalidOption",
    "NoSpace",
    "Plan",
    "PluginError",
    "RunDirError",
    "RunResult",
    "RunSpec",
    "Suite",
    "SuiteError",
    "SuiteRun",
    "UserError",
    "Verdict",
    "check",
    "check_scoring_options",
    "execute_plan",
    "export_tensorboard",
    "get_recipe",
    "latest_suite_run",
    "list_recipes",
    "list_suites",
    "load_suite",
    "plan",
    "render_report",
    "report",
    "run_suite",
    "register_recipe",
    "score",
    "score_samples",
    "suite_of_runs",
    "train",
    "write_baseline",
]
