"""Pinned evaluator classifiers: deterministic CPU training, sha256-verified loading.

The sha256 of an evaluator is taken over its tensors (name, dtype, shape, bytes, in name order),
so it does not depend on how torch lays out the file. Every metric computed with an evaluator
records that sha256: values are comparable only under the same network.

Retraining gives the same bits only on the same CPU kind and thread count: oneDNN and ATen pick
their kernels by instruction set (AVX2, AVX-512), which round differently. So the reproduction
test compares a short slice of training by a sketch of its weights, within a tolerance.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import shlex
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import torch
import torch.nn.functional as F

from gan_bench import shipped
from gan_bench.data.catalogue import PACKAGE_ASSETS
from gan_bench.errors import DataError, InvalidOption, did_you_mean
from gan_bench.nets.evaluator import EvaluatorCNN
from gan_bench.rundir import atomic, paths
from gan_bench.torch_files import UnreadableTorchFile, load_tensors


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
    slice_sketch: tuple[float, ...]  # state_sketch of that slice
    test_accuracy: float  # measured when the weights were made

    @property
    def path(self) -> Path:
        return PACKAGE_ASSETS / "evaluators" / f"{self.dataset}.pt"


SKETCH_SIZE = 32
# Relative L2 distance between two weight states under which they count as the same training.
# Measured on one AVX2 machine over the 20-step slices: other kernels (ATEN_CPU_CAPABILITY=default,
# ONEDNN_MAX_CPU_ISA=SSE41) moved the weights by up to 1.2e-5; one training step fewer by 9e-3 to 1.2e-2.
SLICE_TOLERANCE = 1e-3
# state_sketch of each 20-step slice, as `ganbench evaluator train` prints it.
MNIST_SLICE_SKETCH = (
    -2.26796436,
    -1.52383969,
    4.01714612,
    -2.10127363,
    -1.20533131,
    -1.07357454,
    0.303953609,
    2.04292661,
    -3.49276245,
    0.697669965,
    2.42869879,
    1.11366474,
    1.25677899,
    -2.44607249,
    -0.105821715,
    2.44584889,
    -0.982621806,
    -0.837977072,
    3.09313931,
    1.46722408,
    7.80278853,
    4.39380712,
    1.39412627,
    -2.78002588,
    3.14705516,
    4.24102661,
    -0.866268971,
    -1.76268822,
    -1.38321606,
    4.88277809,
    -4.50430863,
    4.36107568,
)
FASHION_SLICE_SKETCH = (
    -2.40842651,
    -1.28679978,
    3.81424788,
    -1.74803966,
    -0.966854433,
    -1.21293961,
    0.50709506,
    2.18732034,
    -3.63693195,
    0.656943899,
    2.70180771,
    0.845622349,
    1.05331657,
    -2.75037337,
    0.021617984,
    2.37860652,
    -1.00397828,
    -1.22914344,
    3.39303207,
    1.33351687,
    8.02906796,
    4.3821539,
    0.971279742,
    -2.53637505,
    2.91875113,
    4.12264428,
    -0.886251925,
    -1.83400193,
    -1.08635945,
    5.12944638,
    -4.58542389,
    4.29926088,
)

PINS: dict[str, Pin] = {
    "mnist": Pin(
        "mnist",
        TrainingPlan(epochs=5),
        sha256="b767b7199d12661df71b26b4ecb71192b210197723894b57366de43a0560d5cc",
        slice_steps=20,
        slice_sketch=MNIST_SLICE_SKETCH,
        test_accuracy=0.9953,
    ),
    "fashion-mnist": Pin(
        "fashion-mnist",
        TrainingPlan(epochs=12, hflip=True),
        sha256="aa68354bffc701040daff22c51bc4710136125319d67fe69490c90dc8f932f3b",
        slice_steps=20,
        slice_sketch=FASHION_SLICE_SKETCH,
        test_accuracy=0.9250,
    ),
}


def get_pin(dataset: str) -> Pin:
    if dataset not in PINS:
        raise DataError(f"no evaluator for dataset {dataset!r}; {did_you_mean(dataset, PINS)}valid: {', '.join(PINS)}")
    return PINS[dataset]


def state_sha256(state: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes())
    return h.hexdigest()


def state_sketch(state: dict[str, torch.Tensor]) -> tuple[float, ...]:
    """SKETCH_SIZE fixed random ±1 projections (over √SKETCH_SIZE) of the floating-point tensors,
    flattened in name order: distances between sketches estimate L2 distances between states
    (Johnson–Lindenstrauss)."""
    flat = torch.cat(
        [state[k].detach().cpu().double().flatten() for k in sorted(state) if state[k].is_floating_point()]
    )
    g = torch.Generator().manual_seed(0)
    signs = torch.randint(0, 2, (SKETCH_SIZE, flat.numel()), generator=g, dtype=torch.int8).double() * 2 - 1
    return tuple((signs @ flat / math.sqrt(SKETCH_SIZE)).tolist())


def sketch_distance(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Relative L2 distance between two sketches (of b's norm)."""
    ta, tb = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    return ((ta - tb).norm() / tb.norm()).item()


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


def train(
    images: torch.Tensor, labels: torch.Tensor, plan: TrainingPlan, max_steps: int | None = None, progress=None
) -> EvaluatorCNN:
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
            idx = perm[i * plan.batch_size : (i + 1) * plan.batch_size]
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
        logits, _ = model(images[i : i + batch, None])
        correct += (logits.argmax(1) == labels[i : i + batch]).sum().item()
    return correct / len(images)


def check_target(dataset: str, path: Path) -> None:
    """Refuse, before training, to write over weights worth keeping: any existing file but the
    pin's own, and the pinned weights themselves while they verify (only a missing or damaged
    pinned file is rebuilt in place). A path that could not be written (below a file, a folder, in
    a folder that cannot be written) is refused too, as every output path is."""
    path, pin = Path(path), get_pin(dataset)
    if os.path.realpath(path) != os.path.realpath(pin.path):
        if path.is_file():
            raise InvalidOption(f"--out: {path} exists; ganbench never overwrites a weights file; give a new file")
        paths.output_file(path, "--out")
        return
    if path.exists():
        try:
            _verified_state(dataset)
        except DataError:  # damaged or foreign: rebuilding it in place is the repair its message advises
            pass
        else:
            raise InvalidOption(
                f"--out: {path} holds the pinned {dataset} evaluator and it verifies, so it is not replaced; "
                f"to retrain and compare with the pin, give --out with a new file"
            )
    paths.output_folder(path.parent, "--out")


def check_pinned(datasets: list[str]) -> None:
    """Each of ``datasets``' pinned evaluator weights found and verified, or the DataError that
    names the file and its repair: checked before a suite trains, since each run is scored with
    them as it finishes."""
    for dataset in datasets:
        _verified_state(dataset)


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


@cache
def _verified_state(dataset: str) -> tuple[dict[str, torch.Tensor], str]:
    """The weights file read and checked once per process."""
    pin = get_pin(dataset)
    if not pin.path.is_file():
        raise DataError(
            f"{pin.path}: evaluator weights for {dataset} are missing; {shipped.restore_advice(pin.path)}, "
            f"or rebuild them with `ganbench evaluator train {dataset} --out {shlex.quote(str(pin.path))}`"
        )
    try:
        state = load_tensors(pin.path)
    except UnreadableTorchFile as e:
        raise DataError(
            f"{pin.path}: evaluator weights for {dataset} cannot be read ({e}); "
            f"{shipped.restore_advice(pin.path)}, or rebuild them with `ganbench evaluator train {dataset} --out {shlex.quote(str(pin.path))}`"
        ) from None
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise DataError(f"{pin.path}: not an evaluator state dict; {shipped.restore_advice(pin.path)}")
    digest = state_sha256(state)
    if digest != pin.sha256:
        raise DataError(
            f"{pin.path}: evaluator sha256 {digest} does not match the pinned {pin.sha256}; "
            f"{shipped.restore_advice(pin.path)}, or retrain with `ganbench evaluator train {dataset}`"
        )
    return state, digest
