"""Fully connected G and D networks, and the weight initialisations the MLP recipes document."""

from __future__ import annotations

import torch
from torch import nn

from gan_bench.nets.dropout import Dropout

ACTIVATIONS = {
    "relu": lambda: nn.ReLU(),
    "lrelu0.2": lambda: nn.LeakyReLU(0.2),
    "sigmoid": lambda: nn.Sigmoid(),
    "tanh": lambda: nn.Tanh(),
    "none": lambda: nn.Identity(),
}


def mlp(sizes: list[int], act: str, out_act: str, dropout: float = 0.0) -> nn.Sequential:
    """Linear layers through ``sizes``; ``act`` (then dropout) after each hidden layer."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[act]())
            if dropout > 0:
                layers.append(Dropout(dropout))
    if out_act != "none":
        layers.append(ACTIVATIONS[out_act]())
    return nn.Sequential(*layers)


def linears(net: nn.Module) -> list[nn.Linear]:
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


@torch.no_grad()
def initialise(net: nn.Module, scheme: str, weight_std: float = 0.0, bias: float = 0.0) -> None:
    """Apply a documented initialisation.

    - ``torch_default``: leave PyTorch's own Linear init.
    - ``normal``: every weight N(0, weight_std), every bias ``bias``.
    - ``keras_first_normal``: first layer N(0, weight_std), the rest Keras's Glorot-uniform;
      every bias 0.
    """
    if scheme == "torch_default":
        return
    for i, layer in enumerate(linears(net)):
        if scheme == "normal" or (scheme == "keras_first_normal" and i == 0):
            layer.weight.normal_(0.0, weight_std)
        elif scheme == "keras_first_normal":
            nn.init.xavier_uniform_(layer.weight)
        else:
            raise ValueError(f"unknown init scheme {scheme!r}")
        layer.bias.fill_(bias if scheme == "normal" else 0.0)
