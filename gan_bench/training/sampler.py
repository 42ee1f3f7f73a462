"""Batch index samplers over a dataset resident on the device, with resumable state.

- ``epoch_shuffle``: torch DataLoader(shuffle=True): a new permutation each epoch, the last
  batch of an epoch may be short.
- ``tf_next_batch``: TF input_data's next_batch: a new permutation each epoch, and a batch that
  crosses an epoch's end takes the rest of it plus the start of the next permutation.
- ``with_replacement``: uniform random indices each step (Keras notebook).
"""

from __future__ import annotations

import torch


class BatchSampler:
    def __init__(self, scheme: str, n: int, batch_size: int, generator: torch.Generator):
        if scheme not in ("epoch_shuffle", "tf_next_batch", "with_replacement"):
            raise ValueError(f"unknown sampling scheme {scheme!r}")
        self.scheme, self.n, self.batch_size, self.generator = scheme, n, batch_size, generator
        self.device = generator.device
        self.perm: torch.Tensor | None = None
        self.pos = 0

    def _new_perm(self) -> torch.Tensor:
        return torch.randperm(self.n, generator=self.generator, device=self.device)

    def next(self) -> torch.Tensor:
        if self.scheme == "with_replacement":
            return torch.randint(0, self.n, (self.batch_size,), generator=self.generator, device=self.device)
        if self.perm is None or self.pos >= self.n:
            self.perm, self.pos = self._new_perm(), 0
        end = self.pos + self.batch_size
        batch = self.perm[self.pos : end]
        if end > self.n and self.scheme == "tf_next_batch":
            rest = batch
            self.perm = self._new_perm()
            end -= self.n
            batch = torch.cat([rest, self.perm[:end]])
        self.pos = min(end, self.n) if self.scheme == "epoch_shuffle" else end
        return batch

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state(), "perm": self.perm, "pos": self.pos}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.perm = None if state["perm"] is None else state["perm"].to(self.device)
        self.pos = state["pos"]
