"""PacGAN's 2D-mixture GAN (Lin et al. 2018, Table 1), from the protocol of the paper's Table 1.
Packed versions are named ``toy-gan-pac<m>`` (see variants.packing)."""

from __future__ import annotations

from gan_bench.variants.recipe import Schedule, ToyCodeRecipe, ToyRecipe

STEPS_PER_EPOCH = 1000  # 100,000 samples / batch 100

TOY_GAN = ToyRecipe(
    name="toy-gan",
    source="PacGAN (Lin et al. 2018) Table 1 protocol, from PacGAN's code: 2D ring and grid mixtures",
    choices={
        "loss": "non-saturating GAN loss on D's logits (sigmoid cross-entropy), as in PacGAN's code",
        "betas": "Adam beta2 0.999 (the protocol gives beta1 0.8 only; 0.999 is Adam's default)",
        "update": "one D update then one G update per step, G on the same z",
        "packing": "with pac m, D sees 100 packs of m samples per step, so a step draws 100·m real and "
        "fake samples; the number of steps stays 400 epochs of plain batches for every m",
        "batch_norm": "batch norm in training mode during training and in eval mode (running "
        "statistics) when scoring and drawing",
    },
    quirks={},
    sampling="epoch_shuffle",
    batch_size=100,
    steps_per_epoch=STEPS_PER_EPOCH,
    z_dim=2,
    g_hidden=(400, 400, 400, 400),
    d_maxout=(200, 200, 200),
    maxout_pieces=5,
    init_std=0.02,
    lr=1e-4,
    betas=(0.8, 0.999),
    sample_count=2500,
    profiles={
        "full": Schedule(
            steps=400 * STEPS_PER_EPOCH,
            log_every=500,
            sample_first=10_000,
            sample_every=50_000,
            checkpoint_every=50_000,
        ),
        # 20k steps: at 10k pac2's samples are not yet on the modes (5% high quality); at 20k packing's
        # advantage shows (grid, 3 seeds, 2 threads: 23.0 against 21.0 modes, KL 0.045 against 0.47)
        "quick": Schedule(steps=20_000, log_every=200, sample_first=2000, sample_every=5000, checkpoint_every=5000),
        "smoke": Schedule(steps=200, log_every=10, sample_first=0, sample_every=100, checkpoint_every=100),
    },
)

TOY_GAN_PACGAN_CODE = ToyCodeRecipe(
    **TOY_GAN.model_dump(exclude={"name", "source", "choices", "family", "modality"}),
    name="toy-gan-pacgan-code",
    source="PacGAN (Lin et al. 2018) Table 1, as PacGAN's released code trains it (github.com/fjxmlzn/PacGAN, "
    "synthetic_data_experiments): toy-gan with that code's update and batch norm",
    choices={
        **TOY_GAN.choices,
        "update": "one forward pass of real and fake packs; D's and G's gradients both at the step's starting "
        "weights, applied together (ALI's training loop, which PacGAN's code runs)",
        "g_loss": "G's non-saturating loss on the same fake packs D judged in that pass",
        "batch_norm": "G draws a pack's m members as m batches of 100, each normalised on its own by "
        "sqrt(biased variance + 1e-4); running mean and standard deviation move 5 % per step toward the "
        "members' average, from 0 and 1; scoring and drawing use them (eval mode)",
        "not_reproduced": "PacGAN's code also refreshes the running statistics on 50 monitoring batches at "
        "each epoch's end; here they follow the training steps only",
    },
    bn_momentum=0.05,
    bn_eps=1e-4,
)

RECIPES = {r.name: r for r in (TOY_GAN, TOY_GAN_PACGAN_CODE)}
