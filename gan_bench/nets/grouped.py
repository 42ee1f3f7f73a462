"""K copies of one fully connected network (one per seed) run as a single module on [K, N, F].

Each Linear layer holds its K weights stacked, [K, out, in], so one optimiser steps every seed.
- On CPU each seed's slice runs through its own ops on views of the stacked weights: each seed
  computes exactly what its single-seed run computes, bit for bit. (A batched matmul is slower
  than K separate ones on CPU, and vectorised sigmoid/tanh round differently from the scalar tail,
  so a seed's values must sit on the same lanes as in its own tensor.)
- On CUDA a Linear layer is one batched matmul (``baddbmm``) over the seeds and (leaky) ReLU runs
  on the whole stack; a one-unit output layer, sigmoid/tanh and dropout stay per seed.
- Dropout: each seed draws its mask from its own global RNG state, swapped in around the draw,
  exactly as its single-seed run draws it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gan_bench.nets.dropout import dropout
from gan_bench.repro import rng_state, set_rng_state


EXACT = (nn.ReLU, nn.LeakyReLU, nn.Identity)  # elementwise with one rounding: same bits in any lane


class GroupedSequential(nn.Module):
    """``nets``: K nn.Sequential of Linear, activation and Dropout layers, alike in shape.
    ``pac``: D's packing (consecutive samples concatenated into one input). ``rngs``: one global
    RNG state per seed, updated in place as dropout draws from it."""

    def __init__(self, nets: list[nn.Sequential], pac: int, rngs: list[dict], device: torch.device):
        super().__init__()
        self.layers = list(nets[0])
        self.pac, self.rngs, self.device = pac, rngs, device
        self.stacked = nn.ParameterList()
        for i, layer in enumerate(self.layers):
            if isinstance(layer, nn.Linear):
                self.stacked.append(nn.Parameter(torch.stack([net[i].weight.detach() for net in nets])))
                self.stacked.append(nn.Parameter(torch.stack([net[i].bias.detach() for net in nets])))
            elif not isinstance(layer, nn.Dropout) and any(True for _ in layer.parameters()):
                raise ValueError(f"grouped networks hold Linear, Dropout and parameter-free layers; got {layer}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pac > 1:
            n = x.shape[1] // self.pac
            x = x[:, : n * self.pac].reshape(len(x), n, self.pac * x.shape[2])
        if x.device.type == "cpu":
            return torch.stack(self._per_seed(list(x.unbind())))
        params = iter(self.stacked)
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
        """CPU: each seed's tensor through its own layers, stacked only at the end (measured on
        2 cores: 3 × [512, 784] @ [784, 1024] takes 25 ms as one baddbmm, 19 ms as three matmuls)."""
        params = iter(self.stacked)
        for layer in self.layers:
            if isinstance(layer, nn.Linear):
                weight, bias = next(params), next(params)
                parts = [F.linear(x, w, b) for x, w, b in zip(parts, weight.unbind(), bias.unbind())]
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

    @torch.no_grad()
    def write_back(self, nets: list[nn.Sequential]) -> None:
        """Copy each seed's current weights into its own network."""
        params = iter(self.stacked)
        for i, layer in enumerate(self.layers):
            if isinstance(layer, nn.Linear):
                weight, bias = next(params), next(params)
                for k, net in enumerate(nets):
                    net[i].weight.copy_(weight[k])
                    net[i].bias.copy_(bias[k])


def _batched_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    if weight.shape[1] == 1:
        return torch.stack([F.linear(*parts) for parts in zip(x.unbind(), weight.unbind(), bias.unbind())])
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))
