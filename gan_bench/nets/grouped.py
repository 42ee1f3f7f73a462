"""K copies of one fully connected network (one per seed) run as a single module on [K, N, F].

One optimiser over the module's parameters steps every seed.
- On CPU each seed keeps its own weights (seed-major: seed 0's weight, bias, ..., then seed 1's)
  and its slice of the input runs through its own ops: each seed computes exactly what its
  single-seed run computes, bit for bit. (A batched matmul is slower than K separate ones on CPU,
  vectorised sigmoid/tanh round differently from the scalar tail, so a seed's values must sit on
  the same lanes as in its own tensor, and views of stacked weights would cost a copy of every
  gradient: backward stacks the seeds' gradients into the stacked one.)
- On CUDA each Linear layer holds its K weights stacked, [K, out, in], and is one batched matmul
  (``baddbmm``) over the seeds; (leaky) ReLU runs on the whole stack; a one-unit output layer,
  sigmoid/tanh and dropout stay per seed.
- Dropout: each seed draws its mask from its own global RNG state, swapped in around the draw,
  exactly as its single-seed run draws it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gan_bench.nets.dropout import dropout
from gan_bench.rundir.repro import rng_state, set_rng_state

EXACT = (nn.ReLU, nn.LeakyReLU, nn.Identity)  # elementwise with one rounding: same bits in any lane


def stacks_weights(device: torch.device) -> bool:
    """Stacked weights and batched matmuls (CUDA), or each seed's own weights and ops (CPU)."""
    return device.type != "cpu"


class GroupedSequential(nn.Module):
    """``nets``: K nn.Sequential of Linear, activation and Dropout layers, alike in shape.
    ``pac``: D's packing (consecutive samples concatenated into one input). ``rngs``: one global
    RNG state per seed, updated in place as dropout draws from it."""

    def __init__(self, nets: list[nn.Sequential], pac: int, rngs: list[dict], device: torch.device):
        super().__init__()
        self.layers = list(nets[0])
        self.pac, self.rngs, self.device = pac, rngs, device
        self.seeds, self.per_seed = len(nets), not stacks_weights(device)
        linears = [i for i, layer in enumerate(self.layers) if isinstance(layer, nn.Linear)]
        for layer in self.layers:
            if not isinstance(layer, (nn.Linear, nn.Dropout)) and any(True for _ in layer.parameters()):
                raise ValueError(f"grouped networks hold Linear, Dropout and parameter-free layers; got {layer}")
        if self.per_seed:
            weights = [[net[i].weight.detach().clone(), net[i].bias.detach().clone()] for net in nets for i in linears]
        else:
            weights = [
                [
                    torch.stack([net[i].weight.detach() for net in nets]),
                    torch.stack([net[i].bias.detach() for net in nets]),
                ]
                for i in linears
            ]
        self.weights = nn.ParameterList(nn.Parameter(t) for pair in weights for t in pair)
        self.per_layer = 2 * len(linears)  # parameters of one seed (CPU) or of all seeds (CUDA)
        # Each seed's parameters as plain lists (CPU): slicing a ParameterList builds a module each time.
        flat, n = list(self.weights), self.per_layer
        self.own = [flat[k * n : (k + 1) * n] for k in range(self.seeds)] if self.per_seed else []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pac > 1:
            n = x.shape[1] // self.pac
            x = x[:, : n * self.pac].reshape(len(x), n, self.pac * x.shape[2])
        if self.per_seed:
            return torch.stack(self._per_seed(list(x.unbind())))
        params = iter(self.weights)
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                x = _batched_linear(x, next(params), next(params))
            elif isinstance(layer, nn.Dropout):
                x = torch.stack(self._dropout(list(x.unbind()), layer.p)) if self.training else x
            elif isinstance(layer, EXACT):
                x = layer(x)
            else:
                x = torch.stack([layer(part) for part in x.unbind()])
        return x

    def _per_seed(self, parts: list[torch.Tensor]) -> list[torch.Tensor]:
        """CPU: each seed's tensor through its own layers, stacked only at the end: on CPU one batched
        baddbmm is slower than a matmul per seed (docs/speed.md)."""
        params = [iter(self.seed_params(k)) for k in range(self.seeds)]
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                parts = [F.linear(x, next(p), next(p)) for x, p in zip(parts, params)]
            elif isinstance(layer, nn.Dropout):
                parts = self._dropout(parts, layer.p) if self.training else parts
            else:
                parts = [layer(x) for x in parts]
        return parts

    def _dropout(self, parts: list[torch.Tensor], p: float) -> list[torch.Tensor]:
        out = []
        for k, x in enumerate(parts):
            set_rng_state(self.rngs[k], self.device)
            out.append(dropout(x, p))
            self.rngs[k] = rng_state(self.device)
        return out

    def seed_params(self, k: int) -> list[torch.Tensor]:
        """Seed k's weights and biases in layer order: its own parameters (CPU) or views of the stacks."""
        return self.own[k] if self.per_seed else [p[k] for p in self.weights]

    def seed_grads(self, k: int) -> list[torch.Tensor]:
        """Seed k's gradients (those that exist), in the order of ``seed_params``."""
        if self.per_seed:
            return [p.grad for p in self.seed_params(k) if p.grad is not None]
        return [p.grad[k] for p in self.weights if p.grad is not None]

    def state_index(self, k: int, i: int) -> tuple[int, int | None]:
        """Where seed k's i-th parameter sits: (index among the parameters, index in its stack or None)."""
        return (k * self.per_layer + i, None) if self.per_seed else (i, k)

    @torch.no_grad()
    def write_back(self, nets: list[nn.Sequential]) -> None:
        """Copy each seed's current weights into its own network."""
        for k, net in enumerate(nets):
            params = iter(self.seed_params(k))
            for layer in (layer for layer in net if isinstance(layer, nn.Linear)):
                layer.weight.copy_(next(params))
                layer.bias.copy_(next(params))


def _batched_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    if weight.shape[1] == 1:
        return torch.stack([F.linear(*parts) for parts in zip(x.unbind(), weight.unbind(), bias.unbind())])
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))
