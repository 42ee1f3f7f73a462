"""CycleGAN's ResNet generator (Zhu et al. 2017, after Johnson et al. 2016).

c7s1-ngf, two stride-2 3×3 downsamplings, ``blocks`` residual blocks (reflection padding, two
3×3 convolutions), two stride-2 transposed upsamplings, c7s1-out with tanh; instance norm and
ReLU throughout. The paper uses 9 blocks at 256 px and 6 at 128 px.
"""

from __future__ import annotations

import torch
from torch import nn


def _norm(ch: int) -> nn.Module:
    return nn.InstanceNorm2d(ch)


class ResidualBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(ch, ch, 3, bias=True),
            _norm(ch),
            nn.ReLU(),
            nn.ReflectionPad2d(1),
            nn.Conv2d(ch, ch, 3, bias=True),
            _norm(ch),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def resnet_generator(in_ch: int, out_ch: int, ngf: int, blocks: int) -> nn.Sequential:
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(in_ch, ngf, 7), _norm(ngf), nn.ReLU()]
    for i in range(2):
        c = ngf * 2**i
        layers += [nn.Conv2d(c, 2 * c, 3, 2, 1), _norm(2 * c), nn.ReLU()]
    layers += [ResidualBlock(ngf * 4) for _ in range(blocks)]
    for i in reversed(range(2)):
        c = ngf * 2 ** (i + 1)
        layers += [nn.ConvTranspose2d(c, c // 2, 3, 2, 1, output_padding=1), _norm(c // 2), nn.ReLU()]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_ch, 7), nn.Tanh()]
    return nn.Sequential(*layers)
