"""K copies of one fully connected network (one per seed) run as a single module on [K, N, F]:
Linear (with or without bias), BatchNorm1d, MemberBatchNorm and Maxout (PacGAN's networks), Dropout
and parameter-free layers. An input may have more axes ([K, ..., N, F]: PacGAN's code draws G's
members as [K, m, N, F]).

One optimiser over the module's parameters steps every seed.
- On CPU each seed keeps its own weights (seed-major: seed 0's weight, bias, ..., then seed 1's)
  and its slice of the input runs through its own ops: each seed computes exactly what its
  single-seed run computes, bit for bit. (A batched matmul is slower than K separate ones on CPU,
  vectorised sigmoid/tanh round differently from the scalar tail, so a seed's values must sit on
  the same lanes as in its own tensor, and views of stacked weights would cost a copy of every
  gradient: backward stacks the seeds' gradients into the stacked one.)
- On CUDA each Linear layer holds its K weights stacked, [K, out, in], and is one batched matmul
  (``baddbmm``) over the seeds; activations run on the whole stack (a CUDA elementwise kernel
  computes every element alike, wherever it sits); dropout stays per seed. Batch norm is one
  ``batch_norm`` over the seeds' channels side by side ([N, K·C]: each channel's statistics are
  still one seed's), its running statistics stacked [K, C] and updated in place through that view.
  Member batch norm broadcasts its [K, C] weights and statistics over the seeds' members and rows.
- Batch norm's running statistics (buffers, not parameters) are the seeds' own too, and written
  back with the weights.
- Dropout: each seed draws its mask from its own generator, which holds the seed's global RNG
  state (variants/seed_batch.py), exactly as its single-seed run draws it from the global RNG.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gan_bench.nets.dropout import dropout
from gan_bench.nets.member_norm import MemberBatchNorm, member_batch_norm
from gan_bench.nets.toy import Maxout, maxout_of

EXACT = (nn.ReLU, nn.LeakyReLU, nn.Identity)  # elementwise with one rounding: same bits in any lane
ELEMENTWISE = (*EXACT, nn.Sigmoid, nn.Tanh)  # the stacked layout runs these on the whole stack
WITH_WEIGHTS = (nn.Linear, nn.BatchNorm1d, MemberBatchNorm, Maxout)


def stacks_weights(device: torch.device) -> bool:
    """Stacked weights and batched matmuls (CUDA), or each seed's own weights and ops (CPU)."""
    return device.type != "cpu"


class GroupedSequential(nn.Module):
    """``nets``: K nn.Sequential of the layers above, alike in shape.
    ``pac``: D's packing (consecutive samples concatenated into one input). ``generators``: what
    each seed's dropout draws from (none needed without dropout)."""

    def __init__(self, nets: list[nn.Sequential], pac: int, generators: list[torch.Generator], device: torch.device):
        super().__init__()
        self.layers = list(nets[0])
        self.pac, self.generators, self.device = pac, generators, device
        self.seeds, self.per_seed = len(nets), not stacks_weights(device)
        for layer in self.layers:
            if not isinstance(layer, (*WITH_WEIGHTS, nn.Dropout)) and any(True for _ in layer.parameters()):
                raise ValueError(
                    f"grouped networks hold {', '.join(t.__name__ for t in WITH_WEIGHTS)}, Dropout "
                    f"and parameter-free layers; got {layer}"
                )
            if isinstance(layer, nn.BatchNorm1d) and (
                layer.momentum is None or not layer.track_running_stats or not layer.affine
            ):
                raise ValueError(f"grouped batch norm takes weights, a momentum and running statistics; got {layer}")
        with_weights = [i for i, layer in enumerate(self.layers) if isinstance(layer, WITH_WEIGHTS)]
        # each layer's parameters and buffers in the order its own module lists them (an optimiser's order)
        params = [[list(net[i].parameters()) for i in with_weights] for net in nets]
        buffers = [[list(net[i].buffers()) for i in with_weights] for net in nets]
        self.counts = [len(p) for p in params[0]]  # parameters per layer with weights
        if self.per_seed:
            weights = [t.detach().clone() for seed in params for layer in seed for t in layer]
            self.stats = [[[t.clone() for t in layer] for layer in seed] for seed in buffers]
        else:
            weights = [
                torch.stack([seed[j][n].detach() for seed in params])
                for j, c in enumerate(self.counts)
                for n in range(c)
            ]
            self.stats = [
                [torch.stack([seed[j][n] for seed in buffers]) for n in range(len(buffers[0][j]))]
                for j in range(len(with_weights))
            ]
        self.weights = nn.ParameterList(nn.Parameter(t) for t in weights)
        self.per_layer = sum(self.counts)  # parameters of one seed (CPU) or of all seeds (CUDA)
        # Each seed's parameters as plain lists (CPU): slicing a ParameterList builds a module each time.
        flat, n = list(self.weights), self.per_layer
        self.own = [flat[k * n : (k + 1) * n] for k in range(self.seeds)] if self.per_seed else []

    def _by_layer(self, flat: list) -> list[list]:
        """A flat list of parameters split by layer with weights."""
        out, first = [], 0
        for c in self.counts:
            out.append(flat[first : first + c])
            first += c
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pac > 1:
            n = x.shape[1] // self.pac
            x = x[:, : n * self.pac].reshape(len(x), n, self.pac * x.shape[2])
        if self.per_seed:
            return torch.stack(self._per_seed(list(x.unbind())))
        weights, stats = iter(self._by_layer(list(self.weights))), iter(self.stats)
        for layer in self.layers:
            if isinstance(layer, WITH_WEIGHTS):
                w, b = next(weights), next(stats)
                if isinstance(layer, nn.BatchNorm1d):
                    x = self._stacked_batch_norm(x, layer, w, b)
                elif isinstance(layer, MemberBatchNorm):
                    x = member_batch_norm(x, *w, *b, self.training, layer.momentum, layer.eps)
                else:
                    x = _batched_linear(x, w[0], w[1] if len(w) > 1 else None)
                    x = maxout_of(x, layer.width, layer.pieces) if isinstance(layer, Maxout) else x
            elif isinstance(layer, nn.Dropout):
                x = torch.stack(self._dropout(list(x.unbind()), layer.p)) if self.training else x
            elif isinstance(layer, ELEMENTWISE):
                x = layer(x)
            else:
                x = torch.stack([layer(part) for part in x.unbind()])
        return x

    def _stacked_batch_norm(self, x: torch.Tensor, layer: nn.BatchNorm1d, w: list, stats: list) -> torch.Tensor:
        """[K, N, C] as [N, K·C]: one batch norm whose channels are every seed's, each normalised
        over its own seed's batch; the running statistics [K, C] move in place through their views."""
        mean, var, tracked = stats
        k, n, c = x.shape
        flat = [t.reshape(-1) for t in w], [mean.view(-1), var.view(-1), tracked]
        return self._batch_norm(x.transpose(0, 1).reshape(n, k * c), layer, *flat).view(n, k, c).transpose(0, 1)

    def _batch_norm(self, x: torch.Tensor, layer: nn.BatchNorm1d, w: list, stats: list) -> torch.Tensor:
        """What ``layer`` runs, with these weights and running statistics (one seed's, or every seed's)."""
        mean, var, tracked = stats
        if self.training:
            tracked.add_(1)
        return F.batch_norm(x, mean, var, w[0], w[1], self.training, layer.momentum, layer.eps)

    def _per_seed(self, parts: list[torch.Tensor]) -> list[torch.Tensor]:
        """CPU: each seed's tensor through its own layers, stacked only at the end: on CPU one batched
        baddbmm is slower than a matmul per seed (docs/speed.md)."""
        weights = [iter(self._by_layer(self.seed_params(k))) for k in range(self.seeds)]
        stats = [iter(seed) for seed in self.stats]
        for layer in self.layers:
            if isinstance(layer, WITH_WEIGHTS):
                parts = [self._own_layer(layer, x, next(w), next(b)) for x, w, b in zip(parts, weights, stats)]
            elif isinstance(layer, nn.Dropout):
                parts = self._dropout(parts, layer.p) if self.training else parts
            else:
                parts = [layer(x) for x in parts]
        return parts

    def _own_layer(self, layer: nn.Module, x: torch.Tensor, w: list, stats: list) -> torch.Tensor:
        """``layer``'s forward with one seed's weights and statistics: the ops the layer itself runs."""
        if isinstance(layer, nn.BatchNorm1d):
            return self._batch_norm(x, layer, w, stats)
        if isinstance(layer, MemberBatchNorm):
            return member_batch_norm(x, *w, *stats, self.training, layer.momentum, layer.eps)
        y = F.linear(x, w[0], w[1] if len(w) > 1 else None)
        return maxout_of(y, layer.width, layer.pieces) if isinstance(layer, Maxout) else y

    def _dropout(self, parts: list[torch.Tensor], p: float) -> list[torch.Tensor]:
        return [dropout(x, p, generator=g) for x, g in zip(parts, self.generators, strict=True)]

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
        """Copy each seed's current weights and running statistics into its own network."""
        for k, net in enumerate(nets):
            weights = iter(self._by_layer(self.seed_params(k)))
            stats = iter(self.stats[k] if self.per_seed else [[t[k] for t in layer] for layer in self.stats])
            for layer in (layer for layer in net if isinstance(layer, WITH_WEIGHTS)):
                for own, batched in zip(layer.parameters(), next(weights), strict=True):
                    own.copy_(batched)
                for own, batched in zip(layer.buffers(), next(stats), strict=True):
                    own.copy_(batched)


def _batched_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """[K, ..., F_in] → [K, ..., F_out], each seed through its own weights."""
    rows = x.reshape(len(x), -1, x.shape[-1])  # bmm takes [K, rows, F]
    if bias is None:
        y = torch.bmm(rows, weight.transpose(1, 2))
    else:
        y = torch.baddbmm(bias.unsqueeze(1), rows, weight.transpose(1, 2))
    return y.view(*x.shape[:-1], weight.shape[1])
