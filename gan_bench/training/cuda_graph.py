"""--cuda-graph (opt-in): each training step replayed as one captured CUDA graph.

A step of an MLP or toy recipe launches a hundred or so small kernels; on a fast GPU the launches,
not the arithmetic, set its pace. Captured once, the step replays with one launch. This follows
PyTorch's whole-network capture recipe: the first ``WARMUP_STEPS`` steps run eagerly on a side
stream (they create the optimisers' state), the optimisers are switched to ``capturable`` (their
step counts live on the device), the step is captured reading its batch from a static buffer and
its noise from the run's generators (registered with the graph, so each replay draws the next
numbers), and every later step copies its batch into the buffer and replays. The batch itself is
still drawn eagerly (epoch permutations vary in shape); the step's named scalars are copied out of
the graph's output. Resuming captures anew after the warm-up.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch

from gan_bench.variants.registry import system_class

WARMUP_STEPS = 3

Step = Callable[[tuple, object], dict[str, torch.Tensor]]


def supports(recipe) -> bool:
    """Recipes whose system declares a step with no host synchronisation and fixed shapes."""
    return system_class(recipe).supports_cuda_graph


def make_capturable(optimizer: torch.optim.Optimizer) -> None:
    """Switch an optimiser to capturable: step counts on the parameters' device, as capture needs."""
    for group in optimizer.param_groups:
        if "capturable" not in group:
            continue
        group["capturable"] = True
        for p in group["params"]:
            state = optimizer.state.get(p, {})
            if torch.is_tensor(state.get("step")) and state["step"].device != p.device:
                state["step"] = state["step"].to(p.device, torch.float32)


class CudaGraphs:
    """Warm-up on a side stream, capturable optimisers, capture with torch.cuda.graph."""

    @staticmethod
    def prepare(optimizers: list[torch.optim.Optimizer]) -> None:
        for optimizer in optimizers:
            make_capturable(optimizer)

    @staticmethod
    def warm(fn: Callable[[], torch.Tensor]) -> torch.Tensor:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side), warnings.catch_warnings():
            # a resumed run's optimisers are capturable already; Adam warns when such a step runs uncaptured
            warnings.filterwarnings("ignore", message=".*capturable=True.*")
            out = fn()
        torch.cuda.current_stream().wait_stream(side)
        return out

    @staticmethod
    def capture(fn: Callable[[], torch.Tensor], generators: list[torch.Generator]) -> Callable[[], torch.Tensor]:
        graph = torch.cuda.CUDAGraph()
        for generator in generators:
            graph.register_generator_state(generator)
        with torch.cuda.graph(graph):
            out = fn()

        def replay() -> torch.Tensor:
            graph.replay()
            return out

        return replay


BACKENDS = {"cuda": CudaGraphs}


class GraphedStep:
    """``step(batch, generators)`` run eagerly ``WARMUP_STEPS`` times, then captured and replayed,
    one graph per batch shape (an epoch's short last batch gets its own). ``generators``: what the
    step draws its noise from (one, or a seed batch's list), passed to every call; ``drawn_too``:
    other generators the step draws from (a seed batch's dropout), registered with the graph too."""

    def __init__(
        self,
        step: Step,
        generators,
        optimizers: list[torch.optim.Optimizer],
        device: torch.device,
        drawn_too: list[torch.Generator] = (),
    ):
        if device.type not in BACKENDS:
            raise ValueError(f"CUDA graphs need a CUDA device, not {device}")
        self.step, self.generators, self.optimizers = step, generators, optimizers
        self.drawn_too = list(drawn_too)
        self.backend = BACKENDS[device.type]
        self.eager_steps = 0
        self.graphs: dict[tuple, tuple[tuple[torch.Tensor, ...], Callable[[], torch.Tensor]]] = {}

    def __call__(self, batch: tuple[torch.Tensor, ...], generators) -> dict[str, torch.Tensor]:
        if generators is not self.generators:
            raise ValueError("a captured step draws from the generators it was built with")
        if not self.graphs and self.eager_steps < WARMUP_STEPS:
            self.eager_steps += 1
            return self.backend.warm(lambda: self.step(batch, generators))
        shapes = tuple(tuple(t.shape) for t in batch)
        if shapes not in self.graphs:
            self.graphs[shapes] = self._capture(batch)
        static, replay = self.graphs[shapes]
        for buffer, t in zip(static, batch, strict=True):
            buffer.copy_(t)
        return {name: t.clone() for name, t in replay().items()}  # the next replay overwrites the graph's output

    def _capture(self, batch: tuple[torch.Tensor, ...]):
        if not self.graphs:
            self.backend.prepare(self.optimizers)
        for optimizer in self.optimizers:  # gradients are then allocated inside the capture, as the recipe has it
            optimizer.zero_grad(set_to_none=True)
        static = tuple(t.clone() for t in batch)
        own = self.generators if isinstance(self.generators, list) else [self.generators]
        return static, self.backend.capture(lambda: self.step(static, self.generators), own + self.drawn_too)
