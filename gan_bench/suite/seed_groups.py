"""Which runs of a suite train together under ``--batch-seeds K``: consecutive runs equal but for
their seed, up to K in a group. Each group is one unit of work, in this process or in a ``--jobs``
worker; a run that cannot be batched is a group of one."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path

from gan_bench.suite.run_spec import RunSpec


def seed_groups(
    specs: list[RunSpec], batch_seeds: int, begun_at: Callable[[RunSpec], Hashable] | None = None
) -> list[list[RunSpec]]:
    """Consecutive specs equal but for their seed, up to ``batch_seeds`` per group; a recipe that
    cannot be batched, or a compiled run, gets groups of one. ``begun_at``: where each run would
    start (its run directory's last checkpoint step, say), None where that cannot be told; only
    runs that start alike share a group, so runs stopped at different steps train one by one."""
    if batch_seeds == 1:
        return [[spec] for spec in specs]
    from gan_bench.variants.seed_batch import supports  # the systems load torch

    groups: list[list[RunSpec]] = []
    starts: list[Hashable] = []  # each group's start
    for spec in specs:
        batchable = supports(spec.recipe_obj) and not spec.compile
        start = begun_at(spec) if batchable and begun_at is not None else 0  # read only where it matters
        last = groups[-1] if groups else None
        if (
            batchable
            and last
            and len(last) < batch_seeds
            and start is not None
            and start == starts[-1]
            and last[0].model_copy(update={"seed": spec.seed}) == spec
        ):
            last.append(spec)
        else:
            groups.append([spec])
            starts.append(start)
    return groups


def seed_groups_in(out: Path, specs: list[RunSpec], batch_seeds: int) -> list[list[RunSpec]]:
    """The seed groups of a suite run into ``out``, each run's start read from its run directory
    (its last checkpoint's step): what the plan counts and what the executors train."""
    from gan_bench.rundir.layout import by_dataset, run_dir_for
    from gan_bench.training.checkpoint import start_of

    grouped = by_dataset(specs)
    return seed_groups(specs, batch_seeds, lambda spec: start_of(run_dir_for(out, spec, grouped)))
