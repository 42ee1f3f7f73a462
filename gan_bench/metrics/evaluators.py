"""Pinned evaluator classifiers: deterministic CPU training, sha256-verified loading.

The sha256 of an evaluator is taken over its tensors (name, dtype, shape, bytes, in name order),
so it does not depend on how torch lays out the file. Every metric computed with an evaluator
records that sha256: values are comparable only under the same network.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F

from gan_bench import atomic
from gan_bench.data.catalogue import PACKAGE_ASSETS
from gan_bench.errors import UserError
from gan_bench.nets.evaluator import EvaluatorCNN


@dataclass(frozen=True)
class TrainingPlan:
    epochs: int
    batch_size: int = 128
    lr: float = 1e-3
    max_shift: int = 2  # random translation, pixels
    hflip: bool = False
    seed: int = 0


@dataclass(frozen=True)
class Pin:
    dataset: str
    plan: TrainingPlan
    sha256: str  # of the shipped weights
    slice_steps: int  # a short slice of the same training, for the reproduction test
    slice_sha256: str
    test_accuracy: float  # measured when the weights were made

    @property
    def path(self) -> Path:
        return PACKAGE_ASSETS / "evaluators" / f"{self.dataset}.pt"


PINS: dict[str, Pin] = {
    "mnist": Pin("mnist", TrainingPlan(epochs=5),
                 sha256="b767b7199d12661df71b26b4ecb71192b210197723894b57366de43a0560d5cc", slice_steps=20,
                 slice_sha256="8fa5747a73b5c7462d92d7d007dfd37bef710ed43ad6b410c6e1c7659620a687",
                 test_accuracy=0.9953),
    "fashion-mnist": Pin("fashion-mnist", TrainingPlan(epochs=12, hflip=True),
                         sha256="aa68354bffc701040daff22c51bc4710136125319d67fe69490c90dc8f932f3b", slice_steps=20,
                         slice_sha256="d42c049376c5ccf57508b96033ec928f254671b3b49e36f80e40fcf18e09d894",
                         test_accuracy=0.9250),
}


def get_pin(dataset: str) -> Pin:
    if dataset not in PINS:
        raise UserError(f"no evaluator for dataset {dataset!r}; valid: {', '.join(PINS)}")
    return PINS[dataset]


def state_sha256(state: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes())
    return h.hexdigest()


def _augment(x: torch.Tensor, plan: TrainingPlan, g: torch.Generator) -> torch.Tensor:
    """Random translation by up to max_shift pixels (zero fill) and optional horizontal flips."""
    n, s = len(x), plan.max_shift
    padded = F.pad(x, (s, s, s, s))
    dy = torch.randint(0, 2 * s + 1, (n,), generator=g)
    dx = torch.randint(0, 2 * s + 1, (n,), generator=g)
    rows = (dy[:, None] + torch.arange(28)[None, :])[:, None, :, None]
    cols = (dx[:, None] + torch.arange(28)[None, :])[:, None, None, :]
    out = padded[torch.arange(n)[:, None, None, None], torch.zeros(1, 1, 1, 1, dtype=torch.long), rows, cols]
    if plan.hflip:
        flip = torch.rand(n, generator=g) < 0.5
        out = torch.where(flip[:, None, None, None], out.flip(-1), out)
    return out


def train(images: torch.Tensor, labels: torch.Tensor, plan: TrainingPlan, max_steps: int | None = None,
          progress=None) -> EvaluatorCNN:
    """Deterministic CPU training on uint8 images [N, 28, 28] (the train split)."""
    torch.manual_seed(plan.seed)
    torch.use_deterministic_algorithms(True)
    g = torch.Generator().manual_seed(plan.seed + 1)
    model = EvaluatorCNN()
    x_all = images[:, None].float() / 255.0
    steps_per_epoch = math.ceil(len(images) / plan.batch_size)
    total = plan.epochs * steps_per_epoch
    opt = torch.optim.Adam(model.parameters(), lr=plan.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=plan.lr, total_steps=total)
    model.train()
    step = 0
    for _ in range(plan.epochs):
        perm = torch.randperm(len(images), generator=g)
        for i in range(steps_per_epoch):
            if max_steps is not None and step >= max_steps:
                return model
            idx = perm[i * plan.batch_size:(i + 1) * plan.batch_size]
            logits, _ = model(_augment(x_all[idx], plan, g))
            loss = F.cross_entropy(logits, labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if progress:
                progress(step, total, loss)
    return model


@torch.no_grad()
def accuracy(model: EvaluatorCNN, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000) -> float:
    model.eval()
    correct = 0
    for i in range(0, len(images), batch):
        logits, _ = model(images[i:i + batch, None])
        correct += (logits.argmax(1) == labels[i:i + batch]).sum().item()
    return correct / len(images)


def save(model: EvaluatorCNN, path: Path) -> str:
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    buffer = io.BytesIO()
    torch.save(state, buffer)
    atomic.write_bytes(path, buffer.getvalue())
    return state_sha256(state)


def load(dataset: str, device: torch.device | str = "cpu") -> tuple[EvaluatorCNN, str]:
    """A fresh copy of the shipped evaluator of ``dataset`` in eval mode, verified against its pin."""
    state, digest = _verified_state(dataset)
    model = EvaluatorCNN()
    model.load_state_dict(state)
    return model.eval().requires_grad_(False).to(device), digest


@lru_cache(maxsize=None)
def _verified_state(dataset: str) -> tuple[dict[str, torch.Tensor], str]:
    """The weights file read and checked once per process."""
    pin = get_pin(dataset)
    if not pin.path.is_file():
        raise UserError(f"{pin.path}: evaluator weights for {dataset} are missing; reinstall ganbench or run "
                        f"`ganbench evaluator train {dataset} --out {pin.path}`")
    state = torch.load(pin.path, map_location="cpu", weights_only=True)
    digest = state_sha256(state)
    if digest != pin.sha256:
        raise UserError(f"{pin.path}: evaluator sha256 {digest} does not match the pinned {pin.sha256}; "
                        f"reinstall ganbench or retrain with `ganbench evaluator train {dataset}`")
    return state, digest
