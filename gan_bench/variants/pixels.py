"""uint8 training images -> the float tensors a recipe's document trained on."""

from __future__ import annotations

import torch
import torch.nn.functional as F

TF_VALIDATION = 5000  # tf.examples input_data keeps the first 5,000 training images for validation


def scaled(images: torch.Tensor, train_split: str, scaling: str) -> torch.Tensor:
    """uint8 [N, ...] -> float32, split and scaled as the recipe's document did."""
    if train_split == "tf_train_55k":
        images = images[TF_VALIDATION:]
    x = images.float()
    if scaling == "divide_255":
        return x / 255.0
    if scaling == "totensor_normalize":  # ToTensor, then Normalize(0.5, 0.5)
        return (x / 255.0 - 0.5) / 0.5
    if scaling == "center_127.5":  # Keras notebook
        return (x - 127.5) / 127.5
    raise ValueError(f"unknown scaling {scaling!r}")


def as_channels(x: torch.Tensor) -> torch.Tensor:
    """[N, 28, 28] -> [N, 1, 28, 28]; [N, C, H, W] stays."""
    return x[:, None] if x.dim() == 3 else x


def resized(x: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize (antialiased when shrinking) of float images [N, C, H, W], in chunks."""
    if x.shape[-1] == size:
        return x
    return torch.cat(
        [
            F.interpolate(x[i : i + 4096], size=(size, size), mode="bilinear", align_corners=False, antialias=True)
            for i in range(0, len(x), 4096)
        ]
    )


def to_unit(x: torch.Tensor, low: float) -> torch.Tensor:
    """G's output in [low, 1] -> [0, 1]."""
    return ((x - low) / (1.0 - low)).clamp(0, 1)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Floats in [0, 1] -> uint8 pixels (rounded, clamped)."""
    return (images * 255).round().clamp(0, 255).to(torch.uint8)


def from_uint8(images: torch.Tensor) -> torch.Tensor:
    """uint8 pixels -> floats in [0, 1]."""
    return images.float() / 255.0
