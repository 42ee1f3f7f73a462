"""``toy-gan`` as PacGAN's released code trains it (``toy-gan-pacgan-code``): the two choices of
that code which the paper leaves unstated, for comparing against PacGAN's Table 1 on their terms.

- One forward pass of real and fake packs gives D's loss and G's loss; D's gradient and G's
  gradient are both taken at the step's starting weights and both optimisers step together
  (ALI's training loop, which PacGAN's code uses). ``toy-gan`` updates D, then G against the new D.
- G draws the m members of a pack as m batches of ``batch_size``, each batch normalised on its own
  (nets/member_norm.py); pack i joins row i of each member.
"""

from __future__ import annotations

from functools import partial

import torch

from gan_bench.nets.member_norm import MemberBatchNorm
from gan_bench.variants.base import logit_step_scalars
from gan_bench.variants.recipe import ToyCodeRecipe
from gan_bench.variants.toy import ToyGAN


class ToyGANCode(ToyGAN):  # packing and CUDA graphs as ToyGAN declares them
    @staticmethod
    def g_norm(recipe: ToyCodeRecipe):
        return partial(MemberBatchNorm, momentum=recipe.bn_momentum, eps=recipe.bn_eps)

    def train_step(self, batch: tuple[torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
        return simultaneous_step(self, batch[0], generator)


def simultaneous_step(system: ToyGANCode, real: torch.Tensor, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Non-saturating GAN losses on logits from one pass; both gradients at the same weights.
    Through the system's hooks (variants/base.py), so a seed batch runs it on [K, ...] too."""
    m, axis = system.recipe.pac, system.samples_dim
    packs = real.shape[axis] // m
    real = real.narrow(axis, 0, packs * m)
    z = system.inputs(packs * m, generator).unflatten(axis, (m, packs))  # member j of every pack
    fake = system.G(z).transpose(axis, axis + 1).flatten(axis, axis + 1)  # pack i: row i of each member
    out_real, out_fake = system.D(real), system.D(fake)
    d_loss = system.logit_loss(out_real, 1.0) + system.logit_loss(out_fake, 0.0)
    g_loss = system.logit_loss(out_fake, 1.0)
    system.opt_d.zero_grad(set_to_none=True)
    system.opt_g.zero_grad(set_to_none=True)
    system.backward(d_loss, inputs=system.d_params, retain_graph=True)
    system.backward(g_loss, inputs=system.g_params)
    d_grad, g_grad = system.grad_norm(system.d_params), system.grad_norm(system.g_params)
    system.opt_d.step()
    system.opt_g.step()
    return logit_step_scalars(d_loss, g_loss, out_real, out_fake, g_grad, d_grad, system.mean)
