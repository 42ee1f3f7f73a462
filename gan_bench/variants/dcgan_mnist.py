"""the TensorFlow book, chapter 10, Example 10-3: a small TF convolutional GAN with RMSProp, L2 weight decay and a rule
that skips whichever update would widen the gap between the losses."""

from __future__ import annotations

import torch

from gan_bench.nets.conv import glorot_init, small_tf_discriminator, small_tf_generator
from gan_bench.optimizers import TF1RMSProp
from gan_bench.variants.base import SCALARS, GANSystem, Packed, frozen, uniform_or_normal
from gan_bench.variants.pixels import as_channels, scaled
from gan_bench.variants.recipe import DCGANMnistRecipe


def tf_bce(prob: torch.Tensor, target: float, eps: float) -> torch.Tensor:
    """the TensorFlow book's binary_cross_entropy: -(t·log(p + eps) + (1 - t)·log(1 - p + eps)), per sample."""
    return -(target * torch.log(prob + eps) + (1.0 - target) * torch.log(1.0 - prob + eps))


def l2_penalty(params: list[torch.nn.Parameter], scale: float) -> torch.Tensor:
    """tf.contrib.layers.l2_regularizer(scale) over all trainable variables: scale · Σ w² / 2."""
    return scale * sum((p * p).sum() for p in params) / 2


class DCGANMnist(GANSystem):
    supports_packing = True  # D sees recipe.pac samples at once (Packed)
    # not capturable: the balancing rule reads this step's losses on the host to choose which updates run
    supports_cuda_graph = False
    # d_updated / g_updated: the share of steps in a history row where the balancing rule let the update run
    scalars = (*SCALARS, "d_updated", "g_updated")

    def __init__(self, recipe: DCGANMnistRecipe, device: torch.device, dataset=None):
        r = recipe
        acting = 0.0 if r.quirks.get("dropout_noop") else r.dropout_rate
        G = small_tf_generator(r.z_dim, r.filters, acting, r.bn_momentum).to(device)
        D = Packed(small_tf_discriminator(r.pac, r.filters, r.dense, acting), r.pac).to(device)
        for net in (G, D):
            glorot_init(net)
        rms = dict(lr=r.lr, decay=0.9, momentum=0.0, eps=1e-10)  # TF1 RMSPropOptimizer's defaults
        super().__init__(
            recipe,
            G,
            D,
            TF1RMSProp([p for p in G.parameters() if p.requires_grad], **rms),
            TF1RMSProp(D.parameters(), **rms),
        )
        self.g_params = [p for p in G.parameters() if p.requires_grad]

    def prepare(self, dataset) -> tuple[torch.Tensor]:
        return (as_channels(scaled(dataset.train_images, "tf_train_55k", "divide_255")),)

    def inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return uniform_or_normal((n, self.recipe.z_dim), "uniform", self.recipe.z_params, generator)

    def _losses(self, real: torch.Tensor, fake: torch.Tensor):
        eps = self.recipe.bce_eps
        out_real, out_fake = self.D(real), self.D(fake)
        d_loss = (0.5 * (tf_bce(out_real, 1.0, eps) + tf_bce(out_fake, 0.0, eps))).mean()
        return d_loss, tf_bce(out_fake, 1.0, eps).mean(), out_real, out_fake

    def train_step(self, batch: tuple[torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
        """As the TensorFlow book's loop: the losses on one batch and noise decide, by the balancing rule, which
        updates run; D's update uses those losses, G's recomputes its loss after D's update. G runs
        in training mode twice per step (TF ran it in both optimiser calls), updating BN statistics."""
        r = self.recipe
        real = batch[0][: len(batch[0]) // r.pac * r.pac]
        z = self.inputs(len(real), generator)
        d_loss, g_loss, out_real, out_fake = self._losses(real, self.G(z).detach())
        train_d = not bool(d_loss * r.d_balance < g_loss)
        train_g = not bool(g_loss * r.g_balance < d_loss)
        zero = torch.zeros((), device=real.device)
        d_grad = g_grad = zero
        if train_d:
            d_grad = self.update("d", d_loss + l2_penalty(self.d_params, r.l2))
        if train_g:
            fake = self.G(z)
            with frozen(self.D):
                loss = tf_bce(self.D(fake), 1.0, r.bce_eps).mean()
            g_grad = self.update("g", loss + l2_penalty(self.g_params, r.l2))
        return self.named(
            [
                d_loss.detach(),
                g_loss.detach(),
                out_real.mean().detach(),
                out_fake.mean().detach(),
                g_grad,
                d_grad,
                zero + float(train_d),
                zero + float(train_g),
            ]
        )
