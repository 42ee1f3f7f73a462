"""The evaluator CNN: a small classifier whose logits feed IS and whose penultimate features
feed FID, KID and precision/recall (the TF-GAN "MNIST classifier score" idea)."""

from __future__ import annotations

import torch
from torch import nn

FEATURES = 128  # penultimate width
CLASSES = 10


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]


class EvaluatorCNN(nn.Module):
    """uint8 or [0, 1] float images [N, 1, 28, 28] -> (logits [N, 10], features [N, 128])."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(
            *_block(1, 32), *_block(32, 64), *_block(64, 128), nn.Flatten(), nn.Linear(128 * 3 * 3, FEATURES), nn.ReLU()
        )
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(FEATURES, CLASSES)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if x.dtype == torch.uint8:
            x = x.float() / 255.0
        features = self.body(x)
        return self.head(self.dropout(features)), features
