"""The picture that samples scored with ``--input`` leave beside their metrics.json, which the HTML
report shows as it shows a run's last sample grid: the scatter of 2D points (as a toy run keeps
its scored points), the first images in a grid, or a translator's first test images as triples
(input, its translation, the true target), as a translation run's sample grid shows them."""

from __future__ import annotations

from pathlib import Path

import torch

from gan_bench.data import mixtures
from gan_bench.scoring.sample_format import Samples
from gan_bench.training.grids import save_grid
from gan_bench.training.scatter import save_scatter
from gan_bench.variants.pixels import from_uint8
from gan_bench.variants.translation import GRID_TRIPLES_PER_ROW, interleave

IMAGES_SHOWN, IMAGES_PER_ROW = 64, 8
TRIPLES_SHOWN = 4 * GRID_TRIPLES_PER_ROW


def _same_channels(*images: torch.Tensor) -> list[torch.Tensor]:
    """Grayscale images as RGB where the others are RGB, so that they share one grid."""
    channels = max(x.shape[1] for x in images)
    return [x.expand(-1, channels, -1, -1) if x.shape[1] == 1 else x for x in images]


def save_picture(path: Path, dataset: str, read: Samples, name: str, translation=None) -> None:
    """``read.images``: the points, uint8 images, or a translator's outputs in [0, 1] for the first
    test images of ``translation`` (the task, or None): with the true targets, or for a CycleGAN
    pair, as its runs show them: a | G(a) | F(G(a)), then b | F(b) | G(F(b))."""
    images = read.images
    if dataset in mixtures.MIXTURES:
        modes = {"means": mixtures.means(dataset).tolist(), "std": mixtures.STD[dataset]}
        save_scatter(path, images, modes, f"{name}: the scored points")
    elif translation is not None and read.cycle is not None:
        n = min(TRIPLES_SHOWN // 2, len(images))
        a, b, cycle = from_uint8(translation.test_a[:n]), from_uint8(translation.test_b[:n]), read.cycle
        shown = _same_channels(a, images[:n], cycle["aba"][:n], b, cycle["ba"][:n], cycle["bab"][:n])
        save_grid(path, torch.cat([interleave(*shown[:3]), interleave(*shown[3:])]), 3 * GRID_TRIPLES_PER_ROW)
    elif translation is not None:
        n = min(TRIPLES_SHOWN, len(images))
        a, out, b = from_uint8(translation.test_a[:n]), images[:n], from_uint8(translation.test_b[:n])
        save_grid(path, interleave(*_same_channels(a, out, b)), 3 * GRID_TRIPLES_PER_ROW)
    else:
        save_grid(path, from_uint8(images[:IMAGES_SHOWN]), IMAGES_PER_ROW)
