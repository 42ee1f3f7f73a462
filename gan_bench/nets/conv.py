"""Convolutional G and D networks: the TensorFlow book, chapter 10, Example 10-3's small TF GAN, and Radford's DCGAN."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from gan_bench.nets.dropout import Dropout


class LeakyMax(nn.LeakyReLU):
    """lrelu(x) = max(x, 0.2·x), as the TensorFlow book writes it: the same values as torch's LeakyReLU(0.2),
    which computes it (its backward is one kernel where torch.maximum's is four; the gradients
    differ only at x = 0 exactly, where maximum splits it: 0.6 against 0.2)."""

    def __init__(self):
        super().__init__(0.2)


class Bilinear(nn.Module):
    """tf.image.resize_images(x, size) (bilinear)."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)


class Reshape(nn.Module):
    def __init__(self, *shape: int):
        super().__init__()
        self.shape = shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(len(x), *self.shape)


def tf_same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF's 'same' padding along one axis: output ceil(size / stride), the total padding split with
    the smaller half before (stride 2, kernel 5 on 28 pads 1 before and 2 after)."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class TFSameConv2d(nn.Conv2d):
    """tf.layers.conv2d(padding='same'): the asymmetric padding a symmetric torch padding cannot express."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int):
        super().__init__(in_channels, out_channels, kernel, stride=stride, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        top, bottom = tf_same_padding(x.shape[-2], kh, sh)
        left, right = tf_same_padding(x.shape[-1], kw, sw)
        return super().forward(F.pad(x, (left, right, top, bottom)))


class TFSameConvTranspose2d(nn.ConvTranspose2d):
    """tf.layers.conv2d_transpose(padding='same'): output size × stride, the adjoint of TFSameConv2d
    from that size: the full transposed convolution cropped by TF's padding, the smaller half first.
    torch's symmetric ``padding`` crops that smaller half from both ends; the rest of the larger
    half is sliced off the end."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int):
        super().__init__(in_channels, out_channels, kernel, stride=stride, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (h, w), (sh, sw) = x.shape[-2:], self.stride
        top = tf_same_padding(h * sh, self.kernel_size[0], sh)[0]
        left = tf_same_padding(w * sw, self.kernel_size[1], sw)[0]
        out = F.conv_transpose2d(x, self.weight, self.bias, self.stride, (top, left))
        return out[..., : h * sh, : w * sw]


def _dropout(rate: float) -> nn.Module:
    return Dropout(rate) if rate > 0 else nn.Identity()


def tf_batch_norm(channels: int, momentum: float, dims: int) -> nn.Module:
    """tf.contrib.layers.batch_norm defaults: epsilon 1e-3, a learned offset and no scale."""
    bn = (nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(channels, eps=1e-3, momentum=momentum)
    bn.weight.requires_grad_(False)  # scale=False: gamma stays 1
    return bn


def small_tf_generator(z_dim: int, filters: int, dropout: float, bn_momentum: float) -> nn.Sequential:
    """the TensorFlow book, chapter 10, Example 10-3's G: dense to 4·4·1, resize to 7×7, deconvs 5×5 to 28×28×1, sigmoid."""

    def tail(ch: int) -> list[nn.Module]:
        return [LeakyMax(), _dropout(dropout), tf_batch_norm(ch, bn_momentum, 2)]

    return nn.Sequential(
        nn.Linear(z_dim, 16),
        LeakyMax(),
        _dropout(dropout),
        tf_batch_norm(16, bn_momentum, 1),
        Reshape(1, 4, 4),
        Bilinear(7),
        TFSameConvTranspose2d(1, filters, 5, stride=2),
        *tail(filters),
        TFSameConvTranspose2d(filters, filters, 5, stride=2),
        *tail(filters),
        TFSameConvTranspose2d(filters, filters, 5, stride=1),
        *tail(filters),
        TFSameConvTranspose2d(filters, 1, 5, stride=1),
        nn.Sigmoid(),
    )


def small_tf_discriminator(channels: int, filters: int, dense: int, dropout: float) -> nn.Sequential:
    """the TensorFlow book, chapter 10, Example 10-3's D: conv 5×5 (stride 2, 1, 1) with dropout, dense 128, dense 1 sigmoid."""
    return nn.Sequential(
        TFSameConv2d(channels, filters, 5, stride=2),
        LeakyMax(),
        _dropout(dropout),
        TFSameConv2d(filters, filters, 5, stride=1),
        LeakyMax(),
        _dropout(dropout),
        TFSameConv2d(filters, filters, 5, stride=1),
        LeakyMax(),
        _dropout(dropout),
        nn.Flatten(),
        nn.Linear(filters * 14 * 14, dense),
        LeakyMax(),
        nn.Linear(dense, 1),
        nn.Sigmoid(),
    )


@torch.no_grad()
def glorot_init(net: nn.Module) -> None:
    """tf.layers defaults: Glorot-uniform kernels, zero biases."""
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            m.bias.zero_()


def _ladder(image_size: int) -> tuple[int, int]:
    """(base spatial size, number of ×2 upsamplings) from 4×4 (32, 64) or 7×7 (28)."""
    base = 7 if image_size == 28 else 4
    return base, int(math.log2(image_size // base))


def dcgan_generator(z_dim: int, channels: int, image_size: int, ngf: int) -> nn.Sequential:
    """Radford et al.: z -> base×base by a fractionally-strided conv, then stride-2 deconvs 4×4,
    BN and ReLU on every layer but the output, tanh out. Widths halve from ngf·2^(n-1) to ngf."""
    base, ups = _ladder(image_size)
    widths = [ngf * 2**i for i in reversed(range(ups))]
    layers: list[nn.Module] = [
        Reshape(z_dim, 1, 1),
        nn.ConvTranspose2d(z_dim, widths[0], base, 1, 0, bias=False),
        nn.BatchNorm2d(widths[0]),
        nn.ReLU(True),
    ]
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(True)]
    layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1, bias=False), nn.Tanh()]
    return nn.Sequential(*layers)


def dcgan_discriminator(channels: int, image_size: int, ndf: int) -> nn.Sequential:
    """Radford et al.: stride-2 convs 4×4 with LReLU 0.2, BN on every layer but the input, then a
    base×base conv to one logit (the sigmoid is in the loss)."""
    base, downs = _ladder(image_size)
    widths = [ndf * 2**i for i in range(downs)]
    layers: list[nn.Module] = [nn.Conv2d(channels, widths[0], 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2, True)]
    layers += [nn.Conv2d(widths[-1], 1, base, 1, 0, bias=False), nn.Flatten()]
    return nn.Sequential(*layers)


@torch.no_grad()
def dcgan_init(net: nn.Module, std: float) -> None:
    """Radford et al.: conv weights N(0, std); batch norm weight N(1, std), bias 0."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            m.weight.normal_(0.0, std)
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.normal_(1.0, std)
            m.bias.zero_()
