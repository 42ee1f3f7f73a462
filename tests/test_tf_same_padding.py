"""TF 'same' padding for the TensorFlow book's small convolutional GAN: the asymmetric split, and
conv2d_transpose as its exact adjoint."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gan_bench.nets.conv import (
    TFSameConv2d,
    TFSameConvTranspose2d,
    small_tf_discriminator,
    small_tf_generator,
    tf_same_padding,
)


def tf_same_conv_numpy(x: np.ndarray, w: np.ndarray, stride: int) -> np.ndarray:
    """One channel, cross-correlation as tf.nn.conv2d computes it with padding='SAME': output
    ceil(n / s), pad_total = max((out - 1)·s + k - n, 0), pad_top = pad_total // 2."""
    n, k = x.shape[0], w.shape[0]
    out = -(-n // stride)
    top = max((out - 1) * stride + k - n, 0) // 2
    padded = np.zeros((n + 2 * k, n + 2 * k), x.dtype)
    padded[top : top + n, top : top + n] = x
    return np.array(
        [
            [(padded[i * stride : i * stride + k, j * stride : j * stride + k] * w).sum() for j in range(out)]
            for i in range(out)
        ]
    )


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "want"),
    [(28, 5, 2, (1, 2)), (14, 5, 1, (2, 2)), (7, 5, 2, (2, 2)), (14, 5, 2, (1, 2))],
)
def test_tf_same_padding_splits_smaller_half_first(size, kernel, stride, want):
    assert tf_same_padding(size, kernel, stride) == want


@pytest.mark.parametrize("stride", [1, 2])
def test_tf_same_conv_matches_tf_definition(stride):
    torch.manual_seed(0)
    conv = TFSameConv2d(1, 1, 5, stride)
    x = torch.randn(1, 1, 28, 28)
    with torch.no_grad():
        conv.bias.zero_()
        got = conv(x)[0, 0].numpy()
    want = tf_same_conv_numpy(x[0, 0].numpy(), conv.weight[0, 0].detach().numpy(), stride)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_symmetric_torch_padding_is_off_by_one_pixel():
    """What the recipe used before: padding 2 on both sides shifts a stride-2 output by one pixel."""
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 1, 1] = 1.0  # an impulse that TF's window 0 sees at its kernel offset 2 (pad 1 before)
    w = torch.zeros(1, 1, 5, 5)
    w[0, 0, 2, 2] = 1.0  # the kernel's centre
    tf_same = TFSameConv2d(1, 1, 5, 2)
    with torch.no_grad():
        tf_same.weight.copy_(w)
        tf_same.bias.zero_()
        assert tf_same(x)[0, 0, 0, 0] == 1.0
        symmetric = torch.nn.functional.conv2d(x, w, stride=2, padding=2)
    assert symmetric[0, 0, 0, 0] == 0.0


@pytest.mark.parametrize(("size", "stride"), [(7, 2), (14, 2), (14, 1)])
def test_tf_same_conv_transpose_is_the_adjoint_of_same_conv(size, stride):
    """⟨conv(y), x⟩ = ⟨y, conv_transpose(x)⟩ with shared weights: TF defines conv2d_transpose so."""
    torch.manual_seed(1)
    up = TFSameConvTranspose2d(3, 2, 5, stride)
    down = TFSameConv2d(2, 3, 5, stride)
    with torch.no_grad():
        up.bias.zero_()
        down.bias.zero_()
        down.weight.copy_(up.weight)  # conv weight [out=3, in=2] is the transpose's [in=3, out=2]
        x = torch.randn(1, 3, size, size, dtype=torch.float64)
        y = torch.randn(1, 2, size * stride, size * stride, dtype=torch.float64)
        up, down = up.double(), down.double()
        out = up(x)
        assert out.shape[-2:] == (size * stride, size * stride)
        assert torch.allclose((down(y) * x).sum(), (y * out).sum(), rtol=1e-12)


def test_small_tf_nets_have_tf_shapes():
    G, D = small_tf_generator(64, 64, 0.0, 0.01), small_tf_discriminator(1, 64, 128, 0.0)
    G.eval()
    images = G(torch.rand(3, 64))
    assert images.shape == (3, 1, 28, 28)
    assert D(images).shape == (3, 1)
