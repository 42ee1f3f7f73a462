"""The Python API: everything the CLI does, as functions that return data. ``gan_bench`` exports
each public name from the module here that defines it:

- ``runs``: what there is (recipes, suites), plans, suite runs and single training runs;
- ``scoring``: scoring finished runs, and samples or generators made elsewhere;
- ``results``: reports, checks against thresholds, baselines and exports;
- ``arguments``: each public function's arguments checked against its annotations.

User mistakes raise :class:`gan_bench.errors.UserError` subclasses (nothing here prints or exits).
Progress goes to a :class:`gan_bench.training.progress.Reporter`; the default one is silent.

    import gan_bench as gb

    suite_run = gb.run_suite("smoke", out="results/runs/smoke")
    table = gb.report([suite_run.root])         # a pandas DataFrame, one row per run
    result = gb.check([suite_run.root])         # verdicts against the suite's thresholds
    assert result.passed, result.failures

Training and scoring modules load torch; the functions that train or score import them, so report,
check, baseline and list start without it.
"""
