"""The PatchGAN discriminator (pix2pix, CycleGAN), sized to the image.

k stride-2 4×4 convolutions (ndf·2^i channels, capped at 8·ndf), then two stride-1 4×4
convolutions, the last to one channel: a map of real/fake logits, one per overlapping patch. On
256×256 k = 3 gives the papers' 30×30 map of 70×70 patches; each halving of the size removes one
stride-2 layer (k = 2 at 128 px, 1 at 64 px and below, 16×16 patches) so a patch keeps about the
same share of the image. LReLU 0.2; normalisation on all but the first and the last layer.
"""

from __future__ import annotations

import math

from torch import nn

MAX_STRIDED = 3
PAPER_SIZE = 256


def strided_layers(size: int) -> int:
    return min(MAX_STRIDED, max(1, MAX_STRIDED - round(math.log2(PAPER_SIZE / size))))


def receptive_field(k: int) -> int:
    """The patch side in pixels seen by one output of a k-strided PatchGAN (70 for k = 3)."""
    field = 1
    for stride in reversed([2] * k + [1, 1]):
        field = (field - 1) * stride + 4
    return field


def patchgan(in_ch: int, size: int, ndf: int = 64, norm=nn.BatchNorm2d) -> nn.Sequential:
    k = strided_layers(size)
    ch = [ndf * min(2**i, 8) for i in range(k + 1)]
    layers = [nn.Conv2d(in_ch, ch[0], 4, 2, 1), nn.LeakyReLU(0.2)]
    for i in range(1, k + 1):
        stride = 2 if i < k else 1
        layers += [nn.Conv2d(ch[i - 1], ch[i], 4, stride, 1, bias=False), norm(ch[i]), nn.LeakyReLU(0.2)]
    layers.append(nn.Conv2d(ch[k], 1, 4, 1, 1))
    return nn.Sequential(*layers)
