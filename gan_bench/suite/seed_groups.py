"""Which runs of a suite train together under ``--batch-seeds K``: consecutive runs equal but for
their seed, up to K in a group. Each group is one unit of work, in this process or in a ``--jobs``
worker; a run that cannot be batched is a group of one."""

from __future__ import annotations

from gan_bench.suite.run_spec import RunSpec


def seed_groups(specs: list[RunSpec], batch_seeds: int) -> list[list[RunSpec]]:
    """Consecutive specs equal but for their seed, up to ``batch_seeds`` per group; a recipe that
    cannot be batched, or a compiled run, gets groups of one."""
    if batch_seeds == 1:
        return [[spec] for spec in specs]
    from gan_bench.training.seed_batch import supports  # training modules load torch

    groups: list[list[RunSpec]] = []
    for spec in specs:
        last = groups[-1] if groups else None
        if (
            last
            and len(last) < batch_seeds
            and supports(spec.recipe_obj, spec.cuda_graph)
            and not spec.compile
            and last[0].model_copy(update={"seed": spec.seed}) == spec
        ):
            last.append(spec)
        else:
            groups.append([spec])
    return groups
