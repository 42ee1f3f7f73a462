"""The conditional and convolutional recipes, fact by fact from their tutorials (docs/recipes.md):
cgan (the TensorFlow book's Example 10-2, the tfGAN notebooks), dcgan-mnist (the TensorFlow book, chapter 10, Example 10-3) and dcgan
(the PyTorch textbook, chapter 13, §4-1, Radford et al. 2016), plus dcgan-stacked for Stacked MNIST (VEEGAN/PacGAN)."""

from __future__ import annotations

from gan_bench.variants.recipe import CGANRecipe, DCGANMnistRecipe, DCGANRecipe, Schedule

TF_STEPS = 550  # 55,000 / 100

CGAN = CGANRecipe(
    name="cgan",
    source="the TensorFlow book, chapter 10, Example 10-2 (TensorFlow 1 conditional GAN)",
    choices={
        "init": "tf.layers.dense defaults: Glorot-uniform kernels, zero biases",
        "optimiser": "torch.optim.Adam with TF's defaults (lr 1e-3, betas 0.9/0.999, eps 1e-8)",
        "train_split": "tf.examples input_data keeps images 5000..59999 as the 55,000-image train split",
        "sampling": "input_data's next_batch (a batch that crosses an epoch's end wraps into the next)",
        "g_noise": "the same noise and labels feed the D step and the G step, as the example's loop does",
        "sample_grid": "ten columns, one per class (the example shows the first 10 test labels under real "
        "images); scoring asks for classes round-robin",
    },
    quirks={"normal_noise_mean_minus_one": False},
    sampling="tf_next_batch",
    batch_size=100,
    steps_per_epoch=TF_STEPS,
    train_split="tf_train_55k",
    z_dim=128,
    z_dist="uniform",
    z_params=(-1.0, 1.0),
    hidden=256,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    sample_count=100,
    profiles={
        "full": Schedule(
            steps=100 * TF_STEPS,
            log_every=50,
            sample_first=TF_STEPS,
            sample_every=10 * TF_STEPS,
            checkpoint_every=10 * TF_STEPS,
        ),
        # 20 epochs: at 10 the samples are still speckle and ignore their class; by 20 each column is its digit
        "quick": Schedule(
            steps=20 * TF_STEPS, log_every=25, sample_first=TF_STEPS, sample_every=2200, checkpoint_every=2200
        ),
        "smoke": Schedule(steps=30, log_every=5, sample_first=0, sample_every=15, checkpoint_every=10),
    },
)

CGAN_NORMAL_NOISE = CGAN.model_copy(
    update={
        "name": "cgan-normal-noise",
        "source": "the second tfGAN notebook: the conditional GAN with np.random.normal(-1., 1.) noise",
        "quirks": {"normal_noise_mean_minus_one": True},
        "z_dist": "normal",
        "z_params": (-1.0, 1.0),  # N(mean -1, std 1), as written
    }
)

SCORING_BATCH_NORM = (
    "scoring and sample grids run G in eval mode, batch norm on its running statistics, so a sample does not "
    "depend on the others in its batch (the tutorials draw with G in training mode, on batch statistics); "
    "`ganbench score --batch-norm batch` scores that way instead, recorded as protocol g_batch_norm"
)

DCGAN_MNIST_STEPS_PER_EPOCH = 55_000 / 64

DCGAN_MNIST = DCGANMnistRecipe(
    name="dcgan-mnist",
    source="the TensorFlow book, chapter 10, Example 10-3 (TensorFlow 1 convolutional GAN)",
    choices={
        "init": "tf.layers defaults: Glorot-uniform kernels, zero biases",
        "optimiser": "TF1's RMSPropOptimizer(1.5e-4) update for update (optimizers/tf1_rmsprop.py): decay 0.9, "
        "momentum 0, epsilon 1e-10 inside the square root, the mean-square slot initialised to 1",
        "padding": "TF 'same' exactly: stride-2 convolutions pad 1 before and 2 after, and each "
        "conv2d_transpose is the adjoint of that (nets/conv.py TFSameConv2d, TFSameConvTranspose2d)",
        "l2": "tf.contrib.layers.l2_regularizer(1e-6): 1e-6·Σw²/2 over every trainable variable of the net, "
        "biases and batch norm offsets included (batch norm has no scale variable)",
        "resize": "tf.image.resize_images bilinear as F.interpolate(align_corners=False), whose pixel "
        "centres differ slightly from TF1's",
        "batch_norm": "tf.contrib.layers.batch_norm defaults: epsilon 1e-3, offset and no scale; decay 0.99 "
        "is torch momentum 0.01; statistics update in training mode, as the example never sets is_training=False",
        "train_split": "tf.examples input_data: the 55,000-image train split, next_batch",
        "scoring_batch_norm": SCORING_BATCH_NORM,
    },
    quirks={"dropout_noop": True},
    sampling="tf_next_batch",
    batch_size=64,
    steps_per_epoch=DCGAN_MNIST_STEPS_PER_EPOCH,
    z_dim=64,
    z_params=(0.0, 1.0),
    filters=64,
    dense=128,
    dropout_rate=0.4,
    bn_momentum=0.01,
    bce_eps=1e-12,
    l2=1e-6,
    lr=1.5e-4,
    g_balance=1.5,
    d_balance=2.0,
    sample_count=64,
    profiles={
        "full": Schedule(steps=60_000, log_every=100, sample_first=500, sample_every=5000, checkpoint_every=5000),
        # quick: the length at which the grid first shows readable digits (strokes at half of it)
        "quick": Schedule(steps=2000, log_every=20, sample_first=250, sample_every=500, checkpoint_every=500),
        "smoke": Schedule(steps=4, log_every=1, sample_first=0, sample_every=2, checkpoint_every=2),
    },
)

DCGAN_MNIST_FIXED = DCGAN_MNIST.model_copy(
    update={
        "name": "dcgan-mnist-fixed",
        "source": DCGAN_MNIST.source + ", with dropout acting in training (keep probability 0.6)",
        "quirks": {"dropout_noop": False},
    }
)

RADFORD_CHOICES = {
    "z": "z ~ N(0, 1), 100-d (the paper drew uniform noise; the PyTorch textbook and common ports use normal)",
    "hyper_parameters": "the paper's: Adam lr 2e-4, beta1 0.5 (beta2 0.999), init N(0, 0.02), batch 128",
    "layers": "4×4 kernels, stride 2, padding 1; a first fractionally-strided conv from z to 4×4; the last "
    "D conv 4×4 valid to one logit; BN weight N(1, 0.02)",
    "data": "MNIST train (60,000) resized bilinearly (antialiased) to 64×64, scaled to [-1, 1]",
    "loss": "non-saturating GAN loss on D's logits (the sigmoid is inside the cross-entropy)",
    "scoring": "generated 64×64 images are resized to 28×28 (antialiased bilinear) for the evaluator",
    "scoring_batch_norm": SCORING_BATCH_NORM,
}

DCGAN = DCGANRecipe(
    name="dcgan",
    source="the PyTorch textbook, chapter 13, §4-1 (DCGAN, Radford et al. 2016)",
    choices=RADFORD_CHOICES,
    quirks={},
    sampling="epoch_shuffle",
    batch_size=128,
    steps_per_epoch=60_000 / 128,
    image_size=64,
    channels=1,
    z_dim=100,
    ngf=64,
    ndf=64,
    init_std=0.02,
    lr=2e-4,
    betas=(0.5, 0.999),
    sample_count=64,
    profiles={
        "full": Schedule(steps=469 * 25, log_every=20, sample_first=200, sample_every=1000, checkpoint_every=1000),
        # quick: the length at which the grid first shows digits (blobs at a third of it)
        "quick": Schedule(steps=600, log_every=20, sample_first=100, sample_every=200, checkpoint_every=200),
        "smoke": Schedule(steps=2, log_every=1, sample_first=0, sample_every=1, checkpoint_every=1),
    },
)

STACKED_STEPS_PER_EPOCH = 128_000 / 64

DCGAN_STACKED = DCGANRecipe(
    name="dcgan-stacked",
    source="VEEGAN/PacGAN Table 2 setup: a DCGAN (Radford et al. 2016) on 3-channel Stacked MNIST",
    modality="rgb28",
    choices={
        **{k: v for k, v in RADFORD_CHOICES.items() if k not in ("data", "scoring", "hyper_parameters")},
        "architecture": "the Radford ladder at 28×28: z -> 7×7×128 -> 14×14×64 -> 28×28×3 (D mirrors it); "
        "the protocol names a DCGAN without fixing its widths",
        "hyper_parameters": "Adam lr 2e-4, beta1 0.5 (Radford); batch 64, 128,000 images, 50 epochs (VEEGAN)",
        "data": "stacked-mnist (gan_bench/data/stacked.py) in [-1, 1]",
    },
    quirks={},
    sampling="epoch_shuffle",
    batch_size=64,
    steps_per_epoch=STACKED_STEPS_PER_EPOCH,
    image_size=28,
    channels=3,
    z_dim=100,
    ngf=64,
    ndf=64,
    init_std=0.02,
    lr=2e-4,
    betas=(0.5, 0.999),
    sample_count=64,
    profiles={
        "full": Schedule(
            steps=50 * 2000, log_every=100, sample_first=1000, sample_every=10_000, checkpoint_every=10_000
        ),
        # quick: the length at which each channel shows digits like the real grid's (blobs at a
        # third of it)
        "quick": Schedule(steps=6000, log_every=50, sample_first=400, sample_every=2000, checkpoint_every=1000),
        "smoke": Schedule(steps=4, log_every=1, sample_first=0, sample_every=2, checkpoint_every=2),
    },
)

RECIPES = {r.name: r for r in (CGAN, CGAN_NORMAL_NOISE, DCGAN_MNIST, DCGAN_MNIST_FIXED, DCGAN, DCGAN_STACKED)}
