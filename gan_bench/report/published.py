"""Published numbers (../shared/REFERENCES.md) shown beside ganbench's when the protocol matches."""

from __future__ import annotations

# Lucic et al. 2018 "Are GANs Created Equal?", Table 2: best FID, mean ± std. Inception pool_3 of the
# TF 2015-12-05 graph, 10,000 generated against the 10,000-image test split, grayscale tiled to RGB.
LUCIC_2018 = {
    "metric": "fid_inception_10k_test",
    "source": "Lucic et al. 2018, Table 2 (best FID over a hyper-parameter search)",
    "rows": {
        "MM GAN (minimax)": {"mnist": (9.8, 0.9), "fashion-mnist": (29.6, 1.6)},
        "NS GAN (non-saturating)": {"mnist": (6.8, 0.5), "fashion-mnist": (26.5, 1.6)},
        "LSGAN": {"mnist": (7.8, 0.6), "fashion-mnist": (30.7, 2.2)},
        "WGAN": {"mnist": (6.7, 0.4), "fashion-mnist": (21.5, 1.6)},
        "WGAN-GP": {"mnist": (20.3, 5.0), "fashion-mnist": (24.5, 2.1)},
        "DRAGAN": {"mnist": (7.6, 0.4), "fashion-mnist": (27.7, 1.2)},
        "BEGAN": {"mnist": (13.1, 1.0), "fashion-mnist": (22.9, 0.9)},
    },
}


def published_rows(metric: str, dataset: str) -> list[dict]:
    """Rows {label, value, std, source} for ``metric`` on ``dataset`` under the same protocol."""
    if metric != LUCIC_2018["metric"]:
        return []
    return [{"label": f"{model} [published]", "value": cells[dataset][0], "std": cells[dataset][1],
             "source": LUCIC_2018["source"]}
            for model, cells in LUCIC_2018["rows"].items() if dataset in cells]
