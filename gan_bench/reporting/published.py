"""Published numbers, from the papers' tables, shown beside ganbench's when the protocol matches.

Each table names its source, the protocol, and per model the published value (mean, spread) of
each ganbench metric name whose protocol it shares. Values are strings, digit for digit as the paper
prints them ("0.70 ± 0.07", not the 0.7 a float would give back).
"""

from __future__ import annotations

_LUCIC_FID = {  # model: (MNIST, Fashion-MNIST) as (mean, std)
    "MM GAN (minimax)": (("9.8", "0.9"), ("29.6", "1.6")),
    "NS GAN (non-saturating)": (("6.8", "0.5"), ("26.5", "1.6")),
    "LSGAN": (("7.8", "0.6"), ("30.7", "2.2")),
    "WGAN": (("6.7", "0.4"), ("21.5", "1.6")),
    "WGAN-GP": (("20.3", "5.0"), ("24.5", "2.1")),
    "DRAGAN": (("7.6", "0.4"), ("27.7", "1.2")),
    "BEGAN": (("13.1", "1.0"), ("22.9", "0.9")),
}

LUCIC_2018 = {
    "source": "Lucic et al. 2018, Table 2 (best FID over a hyper-parameter search; mean ± std)",
    "spread": "std",
    "trials": None,  # not stated per cell: no standard error can be derived
    "recipes": {},  # no ganbench recipe is one of these models
    "protocol": "Inception pool_3 (TF 2015-12-05 graph), 10,000 generated vs the 10,000-image test split, "
    "grayscale tiled to RGB",
    "datasets": {
        dataset: {model: {"fid_inception_10k_test": cells[i]} for model, cells in _LUCIC_FID.items()}
        for i, dataset in enumerate(("mnist", "fashion-mnist"))
    },
}


def _toy(modes: str, modes_se: str, hq: str, hq_se: str, kl: str | None = None, kl_se: str | None = None) -> dict:
    row = {"modes_2d_2500": (modes, modes_se), "high_quality_2d_2500": (hq, hq_se)}
    if kl is not None:
        row["reverse_kl_hq_2d_2500"] = (kl, kl_se)  # PacGAN's reverse KL counts high-quality samples only
    return row


PACGAN_TABLE_1 = {
    "source": "Lin et al. 2018 (PacGAN), Table 1 (mean ± s.e. over 10 trials)",
    "spread": "s.e.",
    "trials": 10,
    "recipes": {  # toy-gan and its sibling trained as PacGAN's released code trains it
        **{base: "GAN" for base in ("toy-gan", "toy-gan-pacgan-code")},
        **{f"{base}-pac{m}": f"PacGAN{m}" for base in ("toy-gan", "toy-gan-pacgan-code") for m in (2, 3, 4)},
    },
    "protocol": "2,500 samples; high quality within 3 std of the nearest mean; reverse KL over the modes "
    "of the high-quality samples",
    "datasets": {
        "ring": {
            "GAN": _toy("6.3", "0.5", "98.2", "0.2", "0.45", "0.09"),
            "PacGAN2": _toy("7.9", "0.1", "95.6", "2.0", "0.07", "0.03"),
            "PacGAN3": _toy("7.8", "0.1", "97.7", "0.3", "0.10", "0.02"),
            "PacGAN4": _toy("7.8", "0.1", "95.9", "1.4", "0.07", "0.02"),
        },
        "grid": {
            "GAN": _toy("17.3", "0.8", "94.8", "0.7", "0.70", "0.07"),
            "PacGAN2": _toy("23.8", "0.7", "91.3", "0.8", "0.13", "0.04"),
            "PacGAN3": _toy("24.6", "0.4", "94.2", "0.4", "0.06", "0.02"),
            "PacGAN4": _toy("24.8", "0.2", "93.6", "0.6", "0.04", "0.01"),
        },
    },
}

VEEGAN_TABLE_1 = {
    "source": "Srivastava et al. 2017 (VEEGAN), Table 1 (as quoted by PacGAN)",
    "spread": None,
    "trials": None,
    "recipes": {},  # its GAN row is another architecture than PacGAN's, which toy-gan follows
    "protocol": "2,500 samples; high quality within 3 std of the nearest mean",
    "datasets": {
        "ring": {
            "GAN": {"modes_2d_2500": ("1", None), "high_quality_2d_2500": ("99.3", None)},
            "Unrolled GAN": {"modes_2d_2500": ("7.6", None), "high_quality_2d_2500": ("35.6", None)},
            "VEEGAN": {"modes_2d_2500": ("8", None), "high_quality_2d_2500": ("52.9", None)},
        },
        "grid": {
            "GAN": {"modes_2d_2500": ("3.3", None), "high_quality_2d_2500": ("0.5", None)},
            "Unrolled GAN": {"modes_2d_2500": ("23.6", None), "high_quality_2d_2500": ("16", None)},
            "VEEGAN": {"modes_2d_2500": ("24.6", None), "high_quality_2d_2500": ("40", None)},
        },
    },
}


def _stacked(modes: str, modes_sd: str | None, kl: str, kl_sd: str | None) -> dict:
    return {"modes_stacked_lenet_26k": (modes, modes_sd), "kl_stacked_lenet_26k": (kl, kl_sd)}


STACKED_TABLE_2 = {
    "source": "VEEGAN Table 2 = PacGAN Table 2 (each channel classified by the authors' own MNIST CNN)",
    "spread": "s.e.",
    "trials": 10,
    "recipes": {"dcgan-stacked": "PacGAN's own DCGAN", **{f"dcgan-stacked-pac{m}": f"PacDCGAN{m}" for m in (2, 3, 4)}},
    "protocol": "26,000 samples; mode = digit triple of 1000; KL(p_gen ‖ uniform)",
    "datasets": {
        "stacked-mnist": {
            "DCGAN": _stacked("99", None, "3.40", None),
            "ALI": _stacked("16", None, "5.40", None),
            "Unrolled GAN": _stacked("48.7", None, "4.32", None),
            "VEEGAN": _stacked("150", None, "2.95", None),
            "PacGAN's own DCGAN": _stacked("78.9", "6.46", "4.50", "0.127"),
            "PacDCGAN2": _stacked("1000.0", "0.00", "0.06", "0.003"),
            "PacDCGAN3": _stacked("1000.0", "0.00", "0.06", "0.003"),
            "PacDCGAN4": _stacked("1000.0", "0.00", "0.07", "0.005"),
        }
    },
}

TABLES = (LUCIC_2018, PACGAN_TABLE_1, VEEGAN_TABLE_1, STACKED_TABLE_2)
MARKER = " [published]"  # after a published row's model name, where a recipe's name stands


def published_rows(metrics: list[str], dataset: str) -> list[dict]:
    """Rows {label, source, protocol, values: {metric: (value, spread)}} for the published models
    that report at least one of ``metrics`` on ``dataset`` under the same protocol."""
    rows = []
    for table in TABLES:
        for model, cells in table["datasets"].get(dataset, {}).items():
            values = {m: v for m, v in cells.items() if m in metrics}
            if values:
                rows.append(
                    {
                        "label": f"{model}{MARKER}",
                        "model": model,
                        "reproduced_by": [recipe for recipe, m in table["recipes"].items() if m == model],
                        "source": table["source"],
                        "protocol": table["protocol"],
                        "spread": table["spread"],
                        "trials": table["trials"],
                        "values": values,
                    }
                )
    return rows


def counterpart(recipe: str, metrics: list[str], dataset: str) -> dict | None:
    """The published row of the model ``recipe`` reproduces, among the rows for ``metrics``, or None."""
    return next((row for row in published_rows(metrics, dataset) if recipe in row["reproduced_by"]), None)
