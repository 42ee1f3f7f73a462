"""How G draws the samples a scoring measures: a fixed input stream from the run's seed, G's batch
norm on running or per-batch statistics, and whether a snapshot's draw is the final G's."""

from __future__ import annotations

import torch

from gan_bench import defaults
from gan_bench.data import datasets
from gan_bench.errors import InvalidOption, unknown
from gan_bench.nets.member_norm import BATCH_NORMS
from gan_bench.rundir.repro import derived_seeds
from gan_bench.training.signals import stop_scoring_if_requested
from gan_bench.variants.base import to_device

DEFAULT_SAMPLES = defaults.SAMPLES
QUALITY_SAMPLES = defaults.QUALITY_SAMPLES
GENERATE_BATCH = 1000


def sample_seed(seed: int) -> int:
    return derived_seeds(seed)["score"]


BATCH_NORM_MODES = ("running", "batch")


def _batch_norms(net: torch.nn.Module) -> list[torch.nn.Module]:
    return [m for m in net.modules() if isinstance(m, BATCH_NORMS)]


NO_BATCH_NORM, BATCH_STATISTICS, RUNNING_STATISTICS = "none in G", "batch statistics", "running statistics"


def batch_norm_protocol(system, mode: str) -> str:
    """How G's batch norm ran while drawing the scored samples, as metrics.json's protocol names it."""
    if not _batch_norms(system.G):
        return NO_BATCH_NORM
    if mode == "batch":
        return f"{BATCH_STATISTICS} (training mode), batches of {system.recipe.batch_size}"
    return f"{RUNNING_STATISTICS} (eval mode)"


def batch_norm_mode(protocol: str | None) -> str | None:
    """The --batch-norm mode a recorded ``g_batch_norm`` came from (None: G has none, so either
    mode; absent, as translation runs record it: G maps images in eval mode)."""
    if protocol == NO_BATCH_NORM:
        return None
    return "batch" if protocol is not None and protocol.startswith(BATCH_STATISTICS) else "running"


def check_batch_norm(mode: str) -> None:
    if mode not in BATCH_NORM_MODES:
        raise InvalidOption(f"--batch-norm: {unknown('mode', mode, BATCH_NORM_MODES)}")


def sample_count(spec: dict, samples: int | None) -> int:
    """The samples a scoring of the run draws: ``samples``, else its modality and profile's default."""
    return samples or DEFAULT_SAMPLES[datasets.modality(spec["dataset"])][spec["profile"]]


@torch.no_grad()
def generate(
    system, n: int, seed: int, device: torch.device, batch: int = GENERATE_BATCH, batch_norm: str = "running"
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """n samples (images [n, C, H, W] in [0, 1], or points) from a fixed input stream, and the class
    labels they were asked for (conditional recipes) or None. NaN stays visible as NaN floats.

    G runs in eval mode; with ``batch_norm="batch"`` its batch norm layers normalise by each batch's
    own statistics instead (batches of the recipe's training batch size), as a tutorial that never
    switches G to inference draws its samples. Their running statistics stay as they are."""
    g = torch.Generator().manual_seed(seed)
    system.G.eval()
    if batch_norm == "batch":
        batch = system.recipe.batch_size
        for bn in _batch_norms(system.G):
            bn.train()
            bn.momentum = 0.0  # running ← running: drawing leaves the checkpoint's statistics alone
    outputs, labels = [], []
    for i in range(0, n, batch):
        stop_scoring_if_requested()
        inputs = system.inputs(min(batch, n - i), g)
        if isinstance(inputs, tuple):
            labels.append(inputs[1])
        outputs.append(system.generate(to_device(inputs, device)).cpu())
    return torch.cat(outputs), (torch.cat(labels) if labels else None)


def draws_batch(system, batch_norm: str) -> int:
    """The batch ``generate`` draws in (its default, or the recipe's with batch statistics)."""
    return system.recipe.batch_size if batch_norm == "batch" else GENERATE_BATCH


def same_draw(system, final_g: dict, count: int, n: int, batch_norm: str) -> bool:
    """Whether ``generate(count)`` with G as it is now gives the first ``count`` of the n samples
    the final G drew: G holds the final weights, and the draws split into the same batches."""
    state = system.G.state_dict()
    same_g = state.keys() == final_g.keys() and all(torch.equal(state[k], final_g[k]) for k in state)
    return same_g and (count == n or count % draws_batch(system, batch_norm) == 0)


def quality_samples(n: int) -> int:
    """Samples per G snapshot for quality over time: QUALITY_SAMPLES, never more than the run's own
    scoring draws, so a curve is never dearer than the score and its last point matches it."""
    return min(QUALITY_SAMPLES, n)
