"""The translation recipes, fact by fact from their tutorials (docs/recipes.md): pix2pix and its L1-only
ablation (the PyTorch textbook, chapter 13, §4-3, Isola et al. 2017) and CycleGAN (the PyTorch textbook, chapter 13, §4-3, Zhu et al. 2017).
Networks size themselves to the task's images (gan_bench/nets/unet.py, patchgan.py)."""

from __future__ import annotations

from gan_bench.variants.recipe import CycleGANRecipe, Pix2PixRecipe, Schedule

BATCH = 16
EPOCH_60K = 60_000 / BATCH
CYCLE_BATCH = 4

PIX2PIX = Pix2PixRecipe(
    name="pix2pix",
    source="the PyTorch textbook, chapter 13, §4-3 (pix2pix, Isola et al. 2017)",
    choices={
        "batch": f"{BATCH} images a step on every task (the paper used 1 to 10 at 256 px); BN as usual",
        "unet": "levels = how often the size halves evenly (8 at 256 px, 2 at 28 px, 5 at 32 px); channels "
        "64·2^i capped at 512; dropout 0.5 on the first three decoder layers (never the outermost)",
        "patchgan": "3 stride-2 layers at 256 px (70×70 patches, a 30×30 map), one fewer per halving of the "
        "size, at least 1 (16×16 patches at 28-64 px)",
        "test_time": "G in eval mode (BN running statistics) with dropout still on, drawn from a seeded "
        "generator; the paper normalised with the test batch's statistics",
        "init": "N(0, 0.02) weights, BN weight N(1, 0.02) (the authors' code)",
        "d_loss": "halved, as the paper does to slow D relative to G",
    },
    quirks={},
    sampling="epoch_shuffle",
    batch_size=BATCH,
    steps_per_epoch=EPOCH_60K,
    ngf=64,
    ndf=64,
    dropout=0.5,
    gan_weight=1.0,
    l1_weight=100.0,
    init_std=0.02,
    lr=2e-4,
    betas=(0.5, 0.999),
    sample_count=32,
    profiles={
        "full": Schedule(
            steps=round(20 * EPOCH_60K), log_every=100, sample_first=500, sample_every=5000, checkpoint_every=5000
        ),
        "quick": Schedule(steps=600, log_every=10, sample_first=50, sample_every=200, checkpoint_every=200),
        "smoke": Schedule(steps=4, log_every=1, sample_first=0, sample_every=2, checkpoint_every=2),
    },
)

PIX2PIX_L1 = PIX2PIX.model_copy(
    update={
        "name": "pix2pix-l1",
        "source": PIX2PIX.source + ": the L1-only ablation of the paper's Table 1",
        "choices": {
            **PIX2PIX.choices,
            "monitor": "D is still trained beside G, as a monitor of how well blur is "
            "detected; its loss does not reach G (gan_weight 0)",
        },
        "gan_weight": 0.0,
    }
)

CYCLEGAN = CycleGANRecipe(
    name="cyclegan",
    source="the PyTorch textbook, chapter 13, §4-3 (CycleGAN, Zhu et al. 2017)",
    choices={
        "batch": f"{CYCLE_BATCH} A images a step, each with a B image drawn at random from domain B (the paper: "
        "batch 1)",
        "generator": "ResNet: 9 blocks at 256 px and above, 6 below (the paper's); width 64, or 32 at 64 px "
        "and below so the built-in tasks train on CPU",
        "patchgan": "as pix2pix's, with instance norm, on single images",
        "lr_decay": "constant for the first half of the steps, then linear to 0 (the paper: 100 + 100 epochs)",
        "init": "N(0, 0.02) (the authors' code)",
        "identity": "identity L1 weighted 0.5·λ, as in the paper's photo tasks",
    },
    quirks={},
    sampling="epoch_shuffle",
    batch_size=CYCLE_BATCH,
    steps_per_epoch=30_000 / CYCLE_BATCH,
    generator="resnet",
    ngf={64: 32, 1 << 16: 64},
    ndf=64,
    resnet_blocks={255: 6, 1 << 16: 9},
    cycle_weight=10.0,
    identity_weight=0.5,
    pool_size=50,
    decay_from=0.5,
    init_std=0.02,
    lr=2e-4,
    betas=(0.5, 0.999),
    sample_count=32,
    profiles={
        "full": Schedule(
            steps=round(10 * 30_000 / CYCLE_BATCH),
            log_every=100,
            sample_first=500,
            sample_every=10_000,
            checkpoint_every=10_000,
        ),
        "quick": Schedule(steps=1000, log_every=10, sample_first=100, sample_every=300, checkpoint_every=300),
        "smoke": Schedule(steps=4, log_every=1, sample_first=0, sample_every=2, checkpoint_every=2),
    },
)

CYCLEGAN_UNET = CYCLEGAN.model_copy(
    update={
        "name": "cyclegan-unet",
        "source": CYCLEGAN.source + ", with U-Net generators (the paper's alternative)",
        "generator": "unet",
        "ngf": {1 << 16: 64},
    }
)

RECIPES = {r.name: r for r in (PIX2PIX, PIX2PIX_L1, CYCLEGAN, CYCLEGAN_UNET)}
