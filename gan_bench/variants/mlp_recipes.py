"""The four documented MLP GAN recipes, fact by fact from their tutorials (docs/recipes.md)."""

from __future__ import annotations

from gan_bench.variants.recipe import MLPRecipe, Schedule


def _epochs(steps_per_epoch: int, epochs: int) -> int:
    return steps_per_epoch * epochs


TF_STEPS_PER_EPOCH = 550  # 55,000 / 100

TF_MLP = MLPRecipe(
    name="tf-mlp",
    source="the TensorFlow book, chapter 10, Example 10-1, and the tfGAN notebooks: TensorFlow 1 MLP GAN",
    choices={
        "optimiser": "torch.optim.Adam with TF's defaults (betas 0.9/0.999, eps 1e-8); TF1 places eps "
        "slightly differently inside the update",
        "train_split": "tf.examples input_data keeps images 5000..59999 as the 55,000-image train split",
        "sampling": "input_data's next_batch: a fresh shuffle every epoch; a batch that crosses the "
        "end of an epoch takes the rest of it plus the start of the next",
    },
    quirks={"raw_log": True},
    scaling="divide_255",
    train_split="tf_train_55k",
    sampling="tf_next_batch",
    batch_size=100,
    steps_per_epoch=TF_STEPS_PER_EPOCH,
    z_dim=128,
    z_dist="normal",
    z_params=(0.0, 1.0),
    g_hidden=(256,),
    g_act="relu",
    g_out="sigmoid",
    d_hidden=(256,),
    d_act="relu",
    d_dropout=0.0,
    d_out="sigmoid",
    init="normal",
    init_weight_std=0.01,
    init_bias=0.0,
    loss="raw_log",
    d_update="joint",
    g_noise="same",
    lr=2e-4,
    betas=(0.9, 0.999),
    eps=1e-8,
    sample_count=10,
    profiles={
        "full": Schedule(
            steps=_epochs(550, 100), log_every=50, sample_first=550, sample_every=5500, checkpoint_every=5500
        ),
        "quick": Schedule(
            steps=_epochs(550, 14), log_every=25, sample_first=550, sample_every=1100, checkpoint_every=1100
        ),
        "smoke": Schedule(steps=30, log_every=5, sample_first=0, sample_every=15, checkpoint_every=10),
    },
)

TF_MLP_FIXED = TF_MLP.model_copy(
    update={
        "name": "tf-mlp-fixed",
        "source": TF_MLP.source + ", with the raw log replaced by the cross-entropy on D's logits",
        "quirks": {"raw_log": False},
        "d_out": "none",  # D's sigmoid moves inside the loss (tf.nn.sigmoid_cross_entropy_with_logits)
        "loss": "bce_logits",
    }
)

SLIDES_MLP = MLPRecipe(
    name="slides-mlp",
    source="the Hanyang AILAB GAN slides (2019): TensorFlow 1 MLP GAN",
    choices={
        "optimiser": "torch.optim.Adam with TF's defaults (betas 0.9/0.999, eps 1e-8)",
        "train_split": "the slides read MNIST with tf.examples input_data: the 55,000-image train split",
        "sampling": "input_data's next_batch: a fresh shuffle every epoch; a batch that crosses the "
        "end of an epoch takes the rest of it plus the start of the next",
        "g_noise": "the slides feed the same batch_noise to the D step and the G step",
    },
    quirks={},
    scaling="divide_255",
    train_split="tf_train_55k",
    sampling="tf_next_batch",
    batch_size=64,
    steps_per_epoch=55_000 / 64,
    z_dim=100,
    z_dist="uniform",
    z_params=(-1.0, 1.0),
    g_hidden=(128,),
    g_act="relu",
    g_out="sigmoid",
    d_hidden=(128,),
    d_act="relu",
    d_dropout=0.0,
    d_out="none",
    init="normal",
    init_weight_std=0.05,
    init_bias=0.1,
    loss="bce_logits",
    d_update="joint",
    g_noise="same",
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    sample_count=64,
    profiles={
        "full": Schedule(steps=100_000, log_every=100, sample_first=0, sample_every=500, checkpoint_every=10_000),
        "quick": Schedule(steps=15_000, log_every=50, sample_first=0, sample_every=1000, checkpoint_every=1500),
        "smoke": Schedule(steps=30, log_every=5, sample_first=0, sample_every=15, checkpoint_every=10),
    },
)

KERAS_STEPS_PER_EPOCH = 468  # 60,000 // 128

KERAS_MLP = MLPRecipe(
    name="keras-mlp",
    source="the Keras GAN notebook: MLP GAN",
    choices={
        "optimiser": "one Keras 2 Adam instance passed to every compile, as the notebook does: separate m and v "
        "per model, one iterations counter that D's and the combined model's train_on_batch both advance, "
        "so bias correction reads t = 2n - 1 (D) and 2n (G); epsilon 1e-7 (K.epsilon()) added to sqrt(v) "
        "before bias correction (optimizers/keras2_adam.py)",
        "bce": "Keras binary_crossentropy clips probabilities to [1e-7, 1 - 1e-7]",
        "dropout_in_g_step": "Keras keeps D's dropout active in the combined model's train_on_batch",
        "numpy_seed": "the notebook's np.random.seed(10) is replaced by the run's seed",
    },
    quirks={},
    scaling="center_127.5",
    train_split="train_60k",
    sampling="with_replacement",
    batch_size=128,
    steps_per_epoch=KERAS_STEPS_PER_EPOCH,
    z_dim=100,
    z_dist="normal",
    z_params=(0.0, 1.0),
    g_hidden=(256, 512, 1024),
    g_act="lrelu0.2",
    g_out="tanh",
    d_hidden=(1024, 512, 256),
    d_act="lrelu0.2",
    d_dropout=0.3,
    d_out="sigmoid",
    init="keras_first_normal",
    init_weight_std=0.02,
    loss="keras_bce",
    real_label=0.9,
    d_update="concat",
    g_noise="fresh",
    lr=2e-4,
    betas=(0.5, 0.999),
    eps=1e-7,
    optimiser="keras2_adam_shared",
    sample_count=100,
    profiles={
        "full": Schedule(
            steps=_epochs(468, 400), log_every=234, sample_first=468, sample_every=9360, checkpoint_every=9360
        ),
        "quick": Schedule(steps=1500, log_every=25, sample_first=0, sample_every=300, checkpoint_every=300),
        "smoke": Schedule(steps=30, log_every=5, sample_first=0, sample_every=15, checkpoint_every=10),
    },
)

TORCH_STEPS_PER_EPOCH = 118  # ceil(60,000 / 512): the DataLoader keeps the last partial batch

TORCH_MLP = MLPRecipe(
    name="torch-mlp",
    source="the PyTorch textbook, chapter 13, §3-2: MLP GAN",
    choices={
        "sampling": "DataLoader(shuffle=True, drop_last=False): a fresh shuffle every epoch, last batch of 96",
        "history": "one history row per epoch holds the epoch's mean losses, as the textbook records; "
        "the textbook divides the epoch's sum by idx (batches - 1), a logging slip not reproduced",
    },
    quirks={},
    scaling="totensor_normalize",
    train_split="train_60k",
    sampling="epoch_shuffle",
    batch_size=512,
    steps_per_epoch=TORCH_STEPS_PER_EPOCH,
    z_dim=128,
    z_dist="normal",
    z_params=(0.0, 1.0),
    g_hidden=(256, 512, 1024),
    g_act="lrelu0.2",
    g_out="tanh",
    d_hidden=(1024, 512, 256),
    d_act="lrelu0.2",
    d_dropout=0.3,
    d_out="sigmoid",
    init="torch_default",
    loss="torch_bce",
    d_update="separate_backward",
    g_noise="fresh",
    lr=2e-4,
    betas=(0.9, 0.999),
    eps=1e-8,
    sample_count=64,
    profiles={
        "full": Schedule(
            steps=_epochs(118, 200), log_every=118, sample_first=118, sample_every=118, checkpoint_every=1180
        ),
        "quick": Schedule(steps=472, log_every=8, sample_first=0, sample_every=118, checkpoint_every=118),
        "smoke": Schedule(steps=20, log_every=5, sample_first=0, sample_every=10, checkpoint_every=10),
    },
)

RECIPES = {r.name: r for r in (TF_MLP, TF_MLP_FIXED, SLIDES_MLP, KERAS_MLP, TORCH_MLP)}
