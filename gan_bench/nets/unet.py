"""The pix2pix U-Net generator (Isola et al. 2017), sized to the image.

Encoder: 4×4 stride-2 convolutions, LReLU 0.2, BN on all but the first and the innermost; the
number of levels is how often the size halves evenly (8 at 256 px down to 1×1, 2 at 28 px),
channels ngf·2^i capped at 8·ngf. Decoder: ReLU, 4×4 stride-2 transposed convolutions with BN,
each level concatenated with its encoder twin (the skips); dropout 0.5 on the first three
decoder layers (fewer in shallow nets: never the outermost); tanh out. The dropout stays on at
test time: it is the generator's noise.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

MAX_LEVELS = 8
DROPOUT_LAYERS = 3


def levels(size: int) -> int:
    """How many 2× downsamplings fit ``size`` exactly (at most MAX_LEVELS)."""
    n = 0
    while size % 2 == 0 and size > 1 and n < MAX_LEVELS:
        size //= 2
        n += 1
    return n


class NoiseDropout(nn.Module):
    """Dropout that acts in train and eval mode alike (pix2pix's noise)."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout(x, self.p, training=True)


class UNet(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, size: int, ngf: int = 64, norm=nn.BatchNorm2d, dropout: float = 0.5):
        super().__init__()
        n = levels(size)
        if n < 2:
            raise ValueError(f"a U-Net needs an image size divisible by 4, not {size}")
        ch = [ngf * min(2**i, 8) for i in range(n)]
        self.down = nn.ModuleList()
        for i in range(n):
            layers = [] if i == 0 else [nn.LeakyReLU(0.2)]
            layers.append(nn.Conv2d(in_ch if i == 0 else ch[i - 1], ch[i], 4, 2, 1, bias=i in (0, n - 1)))
            if 0 < i < n - 1:
                layers.append(norm(ch[i]))
            self.down.append(nn.Sequential(*layers))
        self.up = nn.ModuleList()
        for j, i in enumerate(reversed(range(n))):  # i: the level this decoder layer leaves
            in_c = ch[i] if i == n - 1 else 2 * ch[i]
            if i == 0:
                self.up.append(nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(in_c, out_ch, 4, 2, 1), nn.Tanh()))
                continue
            layers = [nn.ReLU(), nn.ConvTranspose2d(in_c, ch[i - 1], 4, 2, 1, bias=False), norm(ch[i - 1])]
            if j < min(DROPOUT_LAYERS, n - 1) and dropout > 0:
                layers.append(NoiseDropout(dropout))
            self.up.append(nn.Sequential(*layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for layer in self.down:
            x = layer(x)
            skips.append(x)
        skips.pop()
        for j, layer in enumerate(self.up):
            x = layer(x if j == 0 else torch.cat([x, skips.pop()], dim=1))
        return x
