"""Run a suite's specs as Ray tasks, one per (recipe, seed), on a Ray cluster (``--executor ray``).

Each task trains and scores one run into ``<out>``, which every node must reach at the same path
(a shared filesystem). A task asks for 1 GPU on CUDA and 1 CPU otherwise. A task whose worker dies
is retried by Ray; the retry finds the run directory the lost worker left and resumes it from its
last checkpoint, so every run ends up present exactly once. The driver shows how many runs are
done in its rich display and prints each run's summary as it finishes.
"""

from __future__ import annotations

from pathlib import Path

from gan_bench.errors import InvalidOption, RunDirError
from gan_bench.executors.lifecycle import RunResult, check_run_dir
from gan_bench.executors.local import run_dir_for
from gan_bench.rundir.layout import RunDir
from gan_bench.suite.spec import RunSpec
from gan_bench.training.progress import Reporter

MAX_RETRIES = 3  # retries of a task whose worker or node was lost


def _ray():
    try:
        import ray
    except ImportError:
        raise InvalidOption("--executor ray needs Ray: pip install 'ganbench[ray]'") from None
    return ray


def _one_run(spec_json: dict, run_root: str, data_dir: str | None, score_args: dict) -> dict:
    """Inside a worker: train (or resume) and score one run; returns what the driver reports."""
    from gan_bench.data import datasets
    from gan_bench.executors.lifecycle import execute
    from gan_bench.scoring.score_run import score_run

    spec = RunSpec.model_validate(spec_json)
    folder = Path(data_dir) if data_dir else None
    score = None
    if score_args is not None:

        def score(run):
            return score_run(run, device=_device(spec), data_dir=folder, **score_args)

    # resume=True: the driver already checked the directory; a retried task continues what a lost worker left
    result = execute(
        spec, RunDir(Path(run_root)), True, Reporter(), lambda name, way: datasets.load(name, folder, way), score
    )
    return {"status": result.status, "summary": result.summary}


def _device(spec: RunSpec):
    import torch

    return torch.device(spec.device)


def run_all(
    specs: list[RunSpec],
    out: Path,
    resume: bool,
    reporter: Reporter,
    address: str | None,
    data_dir: Path | None = None,
    score_args: dict | None = None,
) -> list[RunResult]:
    ray = _ray()
    by_dataset = len({spec.dataset for spec in specs}) > 1
    runs = [run_dir_for(out, spec, by_dataset) for spec in specs]
    for spec, run in zip(specs, runs):  # refuse a conflicting directory before any task starts
        check_run_dir(spec, run, resume)
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    except ConnectionError as e:
        raise InvalidOption(f"--address {address}: cannot reach a Ray cluster ({e})") from None
    try:
        task = ray.remote(max_retries=MAX_RETRIES)(_one_run)
        pending = {}
        for spec, run in zip(specs, runs):
            resources = {"num_gpus": 1} if spec.device == "cuda" else {"num_cpus": 1}
            ref = task.options(**resources, name=f"ganbench {spec.label}").remote(
                spec.model_dump(mode="json"),
                str(Path(run.root).resolve()),
                str(data_dir) if data_dir else None,
                score_args,
            )
            pending[ref] = (spec, run)
        results: dict[int, RunResult] = {}
        order = {id(spec): i for i, spec in enumerate(specs)}
        reporter.run_started(f"{len(specs)} runs on Ray", len(specs), 0)
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            spec, run = pending.pop(done[0])
            try:
                outcome = ray.get(done[0])
            except ray.exceptions.RayError as e:  # the run failed for good; the others go on
                cause = getattr(e, "cause", None) or e
                outcome = {"status": "failed", "summary": str(cause).strip().splitlines()[-1]}
            reporter.advance()
            reporter.message(f"{spec.label}: {outcome['status']}. {outcome['summary']}")
            results[order[id(spec)]] = RunResult(spec, run.root, outcome["status"], outcome["summary"])
        failed = [r for r in results.values() if r.status == "failed"]
        if failed:
            raise RunDirError(
                f"{len(failed)} of {len(specs)} runs failed on Ray: "
                + "; ".join(f"{r.spec.label}: {r.summary}" for r in failed)
                + ". Finished runs are kept; fix the cause and re-run with --resume"
            )
        return [results[i] for i in range(len(specs))]
    finally:
        ray.shutdown()
