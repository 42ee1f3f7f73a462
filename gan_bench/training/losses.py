"""Binary GAN losses as small pure functions: ``bce(d_output, target) -> scalar``.

Each one reproduces how a tutorial's framework computed cross-entropy, because the numerical
edge cases (saturation, log(0)) are part of what a recipe documents.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

KERAS_EPSILON = 1e-7  # keras.backend.epsilon(), the clip Keras applies before its log


def raw_log(prob: torch.Tensor, target: float) -> torch.Tensor:
    """TF tutorial style: ``-log(p)`` or ``-log(1 - p)`` with no epsilon (may give inf)."""
    if target == 1.0:
        return -torch.log(prob).mean()
    if target == 0.0:
        return -torch.log(1.0 - prob).mean()
    raise ValueError("raw_log supports only hard targets 0 and 1")


def bce_logits(logits: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
    """tf.nn.sigmoid_cross_entropy_with_logits, averaged."""
    return F.binary_cross_entropy_with_logits(logits, _like(logits, target))


def keras_bce(prob: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
    """Keras binary_crossentropy: clip p to [eps, 1 - eps], then cross-entropy."""
    p = prob.clamp(KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    t = _like(prob, target)
    return -(t * torch.log(p) + (1.0 - t) * torch.log(1.0 - p)).mean()


def torch_bce(prob: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
    """torch.nn.BCELoss: log clamped at -100."""
    return F.binary_cross_entropy(prob, _like(prob, target))


def _like(x: torch.Tensor, target: float | torch.Tensor) -> torch.Tensor:
    if isinstance(target, torch.Tensor):
        return target.to(x.dtype).expand_as(x)
    return torch.full_like(x, target)


# Workaround: vmap has no batching rule for torch's fused cross-entropies and splits each into about
# eight primitive ops, so a seed stack calls their elementwise forms whole and averages per seed.
ELEMENTWISE = {
    bce_logits: lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
    torch_bce: lambda p, t: F.binary_cross_entropy(p, t, reduction="none"),
}


def per_seed(loss, x: torch.Tensor, target: float) -> torch.Tensor:
    """``loss`` of each seed's slice of a seed stack ``x`` [K, ...]: [K], in one set of kernels for
    every seed (each value ``loss`` of its slice, up to the rounding of the mean)."""
    whole = ELEMENTWISE.get(loss)
    if whole is None:
        return torch.vmap(lambda part: loss(part, target))(x)
    return whole(x, _like(x, target)).flatten(1).mean(1)


LOSSES = {"raw_log": raw_log, "bce_logits": bce_logits, "keras_bce": keras_bce, "torch_bce": torch_bce}
# Which losses take logits (D has no output sigmoid) rather than probabilities.
TAKES_LOGITS = {"bce_logits"}
