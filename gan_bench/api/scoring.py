"""The API's scoring: finished runs, and samples or generators made elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from gan_bench import defaults, devices
from gan_bench.api.arguments import PathLike, checked_arguments
from gan_bench.data.catalogue import data_folder
from gan_bench.rundir import outputs
from gan_bench.rundir.layout import find_runs
from gan_bench.training.progress import Reporter

if TYPE_CHECKING:
    import numpy as np
    import torch


def make_scorer(samples, backbone, inception_weights, device, batch_norm="running"):
    from gan_bench.metrics import inception
    from gan_bench.metrics.fidelity import check_sample_count
    from gan_bench.scoring.drawing import check_batch_norm
    from gan_bench.scoring.scorable import check_backbone
    from gan_bench.scoring.score_run import score_run

    check_backbone(backbone, inception_weights)
    check_sample_count(samples)
    if backbone == "inception":
        inception.resolve_weights(inception_weights)  # fail before any training, not after
    check_batch_norm(batch_norm)
    # load: (dataset, direction) -> the dataset, loaded once by what scores several runs (a suite's lane, score())
    return lambda run, load: score_run(
        run, samples, backbone, inception_weights, device, batch_norm=batch_norm, load=load
    )


@checked_arguments
def score(
    runs: Iterable[PathLike] | None = None,
    *,
    samples: int | None = None,
    backbone: str = defaults.BACKBONE,
    inception_weights: PathLike | None = None,
    device: str | torch.device = defaults.DEVICE,
    data_dir: PathLike | None = None,
    batch_norm: str = "running",
    progress: Reporter | None = None,
    replace: bool = False,
) -> dict[Path, dict]:
    """Score each finished run (run directories, or folders holding them; default: the newest suite
    run, :func:`latest_suite_run`) and write its metrics.json.

    ``batch_norm``: "running" (G in eval mode) or "batch" (G's batch norm on each batch's own
    statistics, as a tutorial that never switches G to inference draws); metrics.json's protocol
    records it as ``g_batch_norm``. A run scored already keeps its metrics.json when these options
    would score what it holds; with other options the call raises, unless ``replace`` (score again
    and replace the file). Every run is checked before any is scored. ``progress`` hears
    ``scoring`` and ``run_finished`` for each run scored, labelled by its directory, and a
    ``message`` for each one kept. Returns each run directory's metrics.json content."""
    from gan_bench.data import datasets
    from gan_bench.executors.lifecycle import scored_summary
    from gan_bench.scoring.scorable import check_scorable
    from gan_bench.scoring.scored_already import kept

    reporter = progress or Reporter()
    load = datasets.cached_loader(data_folder(data_dir))  # one verified load per dataset for this call's runs
    scorer = make_scorer(
        samples,
        backbone,
        Path(inception_weights) if inception_weights is not None else None,
        devices.resolve(device),
        batch_norm,
    )
    found = []
    for run in find_runs(outputs.given_or_latest(runs)):  # every run first: a refusal comes before any scoring
        spec = check_scorable(run, backbone, batch_norm)
        found.append((run, None if replace else kept(run, spec, samples, backbone, batch_norm)))
    scored = {}
    for run, result in found:
        if result is not None:
            reporter.message(
                f"{run.root}: scored already with these options; metrics.json kept (--replace scores it again)"
            )
            scored[run.root] = result
            continue
        reporter.scoring(str(run.root))
        scored[run.root] = scorer(run, load)
        reporter.run_finished(str(run.root), scored_summary(scored[run.root]))
    return scored


@checked_arguments
def score_samples(
    input: PathLike | np.ndarray | torch.Tensor | torch.nn.Module,
    dataset: str,
    *,
    out: PathLike | None = None,
    name: str | None = None,
    samples: int | None = None,
    z_dim: int | None = None,
    z_dist: str | None = None,
    conditional: bool = False,
    direction: str | None = None,
    input_ba: PathLike | torch.nn.Module | None = None,
    profile: str | None = None,
    backbone: str = defaults.BACKBONE,
    inception_weights: PathLike | None = None,
    device: str | torch.device = defaults.DEVICE,
    data_dir: PathLike | None = None,
) -> tuple[Path, dict]:
    """Score samples made elsewhere against ``dataset``'s test split (for Stacked MNIST, its 1,000
    modes; for the ``ring`` and ``grid`` mixtures, 2D points [N, 2], an array or a generator's, against
    their true means; for a translation task, built in or a pix2pix-layout folder named by its path,
    a translator given its test A images in [-1, 1], scored as a run's A-to-B direction, or B-to-A
    with ``direction="BtoA"``; on an unpaired task, ``input_ba``, the translator back, makes a
    CycleGAN pair, scored as a cyclegan run is: both directions and the cycle L1), under the same protocols as a trained run: a folder of PNG/JPEG images, an .npy/.npz
    uint8 array (N×H×W, N×H×W×C or N×C×H×W), or a generator: TorchScript (with ``z_dim``) or torch.export (``.pt2``; its z size
    is read from the program), z drawn from ``z_dist``; with ``conditional``, the generator (any of
    these) is called as G(z, y) on balanced labels (class indices, else one-hot), or an .npz's
    ``labels`` are read, and conditional accuracy is scored too. ``input`` may also be the images
    themselves, a uint8 numpy array or torch tensor shaped as an .npy file's, or a generator module
    (``z_dim`` required; it runs in eval mode where its weights are, and its mode is restored);
    then ``name`` is required. ``samples``: score the first N (a generator draws N; default the
    count ``profile`` scores, 10,000 for full and quick). ``profile`` (default "full"): the profile
    whose runs report tables them beside, and whose thresholds gate them. Writes
    spec.json and metrics.json into ``out`` (default results/scored/<name>-<dataset>), which report,
    baseline and check read; returns (that folder, the metrics.json content)."""
    from gan_bench.scoring.score_samples import score_samples as _score_samples

    return _score_samples(
        input,  # a path, or the images themselves: score_samples tells them apart
        dataset,
        out=Path(out) if out is not None else None,
        name=name,
        samples=samples,
        z_dim=z_dim,
        z_dist=z_dist,
        conditional=conditional,
        direction=direction,
        input_ba=input_ba,
        profile=profile,
        backbone=backbone,
        inception_weights=Path(inception_weights) if inception_weights is not None else None,
        device=devices.resolve(device),
        data_dir=data_folder(data_dir),
    )
