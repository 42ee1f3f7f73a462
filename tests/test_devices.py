"""--device: auto, cpu, cuda and cuda:N resolve; anything else, or a CUDA device this machine lacks,
is refused with one message naming what is valid (before any run directory is written)."""

from __future__ import annotations

import pytest
import torch

from gan_bench import devices
from gan_bench.errors import InvalidOption


@pytest.fixture
def two_gpus(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)


def test_auto_and_cpu_resolve_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert devices.resolve("auto") == torch.device("cpu")
    assert devices.resolve("cpu") == torch.device("cpu")


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "cuda:1"])
def test_a_cuda_device_the_machine_has_resolves(two_gpus, name):
    assert devices.resolve(name) == torch.device(name)
    assert devices.resolve("auto") == torch.device("cuda")


def test_a_torch_device_is_taken_as_its_name(two_gpus):
    assert devices.resolve(torch.device("cuda", 1)) == torch.device("cuda:1")
    assert devices.resolve(torch.device("cpu")) == torch.device("cpu")
    with pytest.raises(InvalidOption, match=r"^--device cuda:2: this machine has 2 CUDA devices"):
        devices.resolve(torch.device("cuda", 2))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cuda:2", "--device cuda:2: this machine has 2 CUDA devices; valid: cuda, cuda:0 … cuda:1"),
        ("bogus", "--device: unknown device 'bogus'; valid: auto, cpu, cuda, cuda:N"),
        ("cudaa", "--device: unknown device 'cudaa'; did you mean 'cuda'? valid: auto, cpu, cuda, cuda:N"),
        ("meta", "--device: unsupported device 'meta'; valid: auto, cpu, cuda, cuda:N"),
    ],
)
def test_a_device_the_machine_lacks_is_refused_naming_the_valid_ones(two_gpus, name, message):
    with pytest.raises(InvalidOption) as refused:
        devices.resolve(name)
    assert str(refused.value) == message


def test_cuda_without_cuda_says_to_use_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(
        InvalidOption, match=r"^--device cuda:0: CUDA is not available on this machine; use --device cpu$"
    ):
        devices.resolve("cuda:0")


def test_ray_tasks_may_ask_for_cuda_where_the_driver_has_none(monkeypatch):
    """Under --executor ray the GPUs are on the nodes Ray picks: a driver without CUDA (a
    cluster's CPU head node) plans CUDA tasks, and Ray, not a device index, gives each its GPU."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert devices.resolve("cuda", here=False) == torch.device("cuda")
    assert devices.resolve("auto", here=False) == torch.device("cpu")  # auto: this machine's
    with pytest.raises(InvalidOption) as refused:
        devices.resolve("cuda:1", here=False)
    assert (
        str(refused.value)
        == "--device cuda:1: under --executor ray, Ray gives each task its GPU; valid: cuda, cpu, auto"
    )
