"""Mode coverage from the evaluator's class histogram of generated samples."""

from __future__ import annotations

import torch

# A class counts as covered when it holds at least this share of the samples: a fifth of the
# uniform share 1/K (2% for 10 classes).
MIN_SHARE_OF_UNIFORM = 0.2


def kl(p: torch.Tensor, q: torch.Tensor) -> float:
    """KL(p || q) in nats; terms with p = 0 contribute 0."""
    p, q = p.double(), q.double()
    mask = p > 0
    return float((p[mask] * (p[mask] / q[mask]).log()).sum())


def coverage(logits: torch.Tensor, data_labels: torch.Tensor, classes: int = 10) -> dict:
    """Histogram, modes covered, KL(generated || data) over classes and mean confidence."""
    probs = logits.double().softmax(dim=1)
    predicted = probs.argmax(dim=1)
    histogram = torch.bincount(predicted, minlength=classes).double()
    p_gen = histogram / histogram.sum()
    p_data = torch.bincount(data_labels, minlength=classes).double()
    p_data = p_data / p_data.sum()
    min_share = MIN_SHARE_OF_UNIFORM / classes
    return {
        "class_histogram": [int(c) for c in histogram.tolist()],
        "modes_covered": int((p_gen >= min_share).sum()),
        "modes_total": classes,
        "mode_min_share": min_share,
        "kl_generated_data": kl(p_gen, p_data),
        "mean_confidence": float(probs.max(dim=1).values.mean()),
    }
