"""Run specs one after another in this process. Finished runs stay on disk whatever happens next.

With ``batch_seeds`` K > 1, runs that differ only in their seed (and whose recipe can be batched)
go K at a time through one batched model (training/seed_batch.py)."""

from __future__ import annotations

import shlex
from pathlib import Path

from gan_bench.data import datasets
from gan_bench.errors import UserError
from gan_bench.executors.failures import failure_summary, runs_failed, settled, unit_outcomes
from gan_bench.executors.lifecycle import RunResult, Score, check_run_dir, execute, execute_seeds
from gan_bench.rundir.layout import RunDir, by_dataset, run_dir_for
from gan_bench.suite.run_spec import RunSpec
from gan_bench.suite.seed_groups import seed_groups_in
from gan_bench.training.progress import Reporter
from gan_bench.training.signals import Interrupted


def check_run_dirs(specs: list[RunSpec], out: Path, resume: bool) -> bool:
    """Refuse any conflicting run directory before anything is written (:func:`run_states`);
    returns whether run directories are grouped by dataset."""
    run_states(specs, out, resume)
    return by_dataset(specs)


# What a suite run does with a run directory, by the state check_run_dir finds it in.
NEW, CONTINUES, STARTS_AGAIN, TO_SCORE, SKIPPED = (
    "new",
    "continues from its last checkpoint",
    "begun, with no checkpoint yet: trains from step 0",
    "trained: scored then",
    "complete: skipped",
)


def run_states(specs: list[RunSpec], out: Path, resume: bool) -> list[tuple[RunDir, str]]:
    """Each spec's run directory and what a suite run would do with it (NEW … SKIPPED); refuses as
    lifecycle.check_run_dir does. Reads file names only: nothing is loaded, renamed or written."""
    grouped = by_dataset(specs)
    states = []
    for spec in specs:
        run = run_dir_for(out, spec, grouped)
        state = check_run_dir(spec, run, resume, how_to_resume=f"--resume {shlex.quote(str(out))}")
        if state == "complete":
            states.append((run, SKIPPED if run.metrics.is_file() else TO_SCORE))
        elif state == "resume":
            states.append((run, CONTINUES if run.last_checkpoint.is_file() else STARTS_AGAIN))
        else:
            states.append((run, NEW))
    return states


def run_all(
    specs: list[RunSpec],
    out: Path,
    resume: bool,
    reporter: Reporter,
    data_dir: Path | None = None,
    score: Score | None = None,
    batch_seeds: int = 1,
) -> list[RunResult]:
    load = datasets.cached_loader(data_dir)  # one verified load per dataset per suite, for training and scoring
    grouped = check_run_dirs(specs, out, resume)
    results: list[RunResult] = []
    failed: list[tuple[str, str]] = []
    for group in seed_groups_in(out, specs, batch_seeds):
        runs = [run_dir_for(out, spec, grouped) for spec in group]
        settled_before = settled(runs, score is not None)
        try:
            if len(group) == 1:
                results.append(execute(group[0], runs[0], resume, reporter, load, score))
            else:
                results += execute_seeds(group, runs, resume, reporter, load, score)
        except (UserError, Interrupted):  # a mistake every run would meet, or a stop: no run goes on
            raise
        except Exception as e:  # noqa: BLE001 - a crash (a plug-in's bug, say) ends its runs only, as under --jobs
            failure = {"status": "failed", "summary": failure_summary(e)}
            for spec, outcome in zip(group, unit_outcomes(runs, score is not None, settled_before, failure)):
                if outcome is failure:
                    reporter.message(f"{spec.label}: failed. {failure['summary']}")
                    failed.append((spec.label, failure["summary"]))
            reporter.unit_failed(sum(spec.schedule.steps for spec in group))  # those not trained leave the total
            reporter.suite_time_left()
    if failed:
        raise runs_failed(failed, len(specs))
    return results
