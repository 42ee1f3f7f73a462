"""CycleGAN (Zhu et al. 2017): G: A→B and F: B→A trained on unpaired images, with PatchGAN
discriminators D_A, D_B, least-squares adversarial losses, cycle and identity L1, a pool of past
fakes for D, and the learning rate decaying linearly to 0 over the last part of the run."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gan_bench.nets.conv import dcgan_init
from gan_bench.nets.patchgan import patchgan
from gan_bench.nets.resnet_generator import resnet_generator
from gan_bench.nets.unet import UNet
from gan_bench.variants.base import SCALARS, frozen
from gan_bench.variants.recipe import CycleGANRecipe
from gan_bench.variants.translation import TranslationSystem, apply, interleave, to_signed, to_unit


def least_squares(out: torch.Tensor, target: float) -> torch.Tensor:
    return F.mse_loss(out, torch.full_like(out, target))


class FakePool:
    """The last ``size`` fakes (Shrivastava et al. 2017): D sees, per image, with probability 1/2 an
    older fake (which the new one replaces) once the pool is full, else the new fake."""

    def __init__(self, size: int):
        self.size, self.images = size, None

    def query(self, fakes: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        if self.size == 0:
            return fakes
        fakes = fakes.detach()
        swap = torch.rand(len(fakes), generator=generator, device=generator.device).tolist()
        slot = torch.randint(self.size, (len(fakes),), generator=generator, device=generator.device).tolist()
        out = []
        for i, image in enumerate(fakes):
            stored = 0 if self.images is None else len(self.images)
            if stored < self.size:
                self.images = image[None].clone() if self.images is None else torch.cat([self.images, image[None]])
                out.append(image)
            elif swap[i] < 0.5:
                out.append(self.images[slot[i]].clone())
                self.images[slot[i]] = image
            else:
                out.append(image)
        return torch.stack(out)


def generator_net(r: CycleGANRecipe, channels: int, size: int) -> nn.Module:
    ngf = r.by_size(r.ngf, size)
    if r.generator == "unet":
        return UNet(channels, channels, size, ngf, norm=nn.InstanceNorm2d, dropout=0.0)
    return resnet_generator(channels, channels, ngf, r.by_size(r.resnet_blocks, size))


class CycleGAN(TranslationSystem):
    # not capturable: the fake pool grows and chooses on the host, and the lr decays from step to step
    supports_cuda_graph = False
    scalars = (*SCALARS, "cycle_l1", "identity_l1")

    def __init__(self, recipe: CycleGANRecipe, device: torch.device, dataset):
        r, c, size = recipe, dataset.channels, dataset.size
        if size % 4:
            raise ValueError(f"cyclegan needs an image size divisible by 4, not {size}")
        G = nn.ModuleDict({"ab": generator_net(r, c, size), "ba": generator_net(r, c, size)}).to(device)
        D = nn.ModuleDict(
            {"a": patchgan(c, size, r.ndf, nn.InstanceNorm2d), "b": patchgan(c, size, r.ndf, nn.InstanceNorm2d)}
        ).to(device)
        for net in (G, D):
            dcgan_init(net, r.init_std)
        super().__init__(
            recipe,
            dataset,
            G,
            D,
            torch.optim.Adam(G.parameters(), lr=r.lr, betas=r.betas),
            torch.optim.Adam(D.parameters(), lr=r.lr, betas=r.betas),
        )
        self.device = device
        self.pools = {"a": FakePool(r.pool_size), "b": FakePool(r.pool_size)}
        self.schedulers: list = []

    def set_steps(self, steps: int) -> None:
        """lr constant for the first ``decay_from`` share of ``steps``, then linearly down to 0."""
        start = int(steps * self.recipe.decay_from)

        def factor(step: int) -> float:
            return 1.0 - max(0, step - start) / max(1, steps - start)

        self.schedulers = [torch.optim.lr_scheduler.LambdaLR(opt, factor) for opt in (self.opt_g, self.opt_d)]

    def prepare(self, dataset) -> tuple[torch.Tensor]:
        """Batches index domain A; each step draws its B images at random from the whole domain B."""
        self.domain_b = to_signed(dataset.train_b).to(self.device)
        return (to_signed(dataset.train_a),)

    def grid_inputs(self, n: int, generator: torch.Generator, dataset=None):
        half = max(1, n // 2)
        return tuple(to_signed(t[:half]) for t in (dataset.test_a, dataset.test_b))

    def translate(self, x: torch.Tensor, way: str = "ab") -> torch.Tensor:
        return apply(self.G[way], x)

    def grid_images(self, inputs) -> torch.Tensor:
        """a | G(a) | F(G(a)), then b | F(b) | G(F(b)): each input, its translation and its cycle."""
        a, b = inputs
        ab, ba = self.translate(a, "ab"), self.translate(b, "ba")
        return to_unit(
            torch.cat([interleave(a, ab, self.translate(ab, "ba")), interleave(b, ba, self.translate(ba, "ab"))])
        )

    def train_step(self, batch: tuple[torch.Tensor], generator: torch.Generator) -> dict[str, torch.Tensor]:
        r = self.recipe
        a = batch[0]
        b = self.domain_b[torch.randint(len(self.domain_b), (len(a),), generator=generator, device=generator.device)]
        G, D = self.G, self.D
        fake_b, fake_a = G["ab"](a), G["ba"](b)
        cycle = F.l1_loss(G["ba"](fake_b), a) + F.l1_loss(G["ab"](fake_a), b)
        identity = (
            F.l1_loss(G["ab"](b), b) + F.l1_loss(G["ba"](a), a)
            if r.identity_weight
            else torch.zeros((), device=a.device)
        )
        with frozen(D):
            adversarial = least_squares(D["b"](fake_b), 1.0) + least_squares(D["a"](fake_a), 1.0)
        g_loss = adversarial + r.cycle_weight * cycle + r.cycle_weight * r.identity_weight * identity
        g_grad = self.update("g", g_loss)
        old_b, old_a = self.pools["b"].query(fake_b, generator), self.pools["a"].query(fake_a, generator)
        real_a, real_b, seen_a, seen_b = D["a"](a), D["b"](b), D["a"](old_a), D["b"](old_b)
        d_loss = 0.5 * (least_squares(real_a, 1.0) + least_squares(seen_a, 0.0)) + 0.5 * (
            least_squares(real_b, 1.0) + least_squares(seen_b, 0.0)
        )
        out_real = torch.cat([real_a.flatten(), real_b.flatten()])
        out_fake = torch.cat([seen_a.flatten(), seen_b.flatten()])
        d_grad = self.update("d", d_loss)
        for scheduler in self.schedulers:
            scheduler.step()
        return self.named(
            [
                d_loss.detach(),
                g_loss.detach(),
                out_real.mean().detach(),
                out_fake.mean().detach(),
                g_grad,
                d_grad,
                cycle.detach(),
                identity.detach(),
            ]
        )

    def state_dict(self) -> dict:
        return {
            **super().state_dict(),
            "pools": {k: p.images for k, p in self.pools.items()},
            "schedulers": [s.state_dict() for s in self.schedulers],
        }

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        for k, images in state["pools"].items():
            self.pools[k].images = images
        for scheduler, saved in zip(self.schedulers, state["schedulers"]):
            scheduler.load_state_dict(saved)
