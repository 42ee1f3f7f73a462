"""Translation metrics on images in [0, 1]: L1, PSNR and SSIM (torchmetrics) against the true
target, per-image then averaged over the test images."""

from __future__ import annotations

import torch

from gan_bench.metrics import names

SSIM_PROTOCOL = {"ssim_kernel": "gaussian 11×11, sigma 1.5", "ssim_k1_k2": [0.01, 0.03]}  # torchmetrics' defaults


def l1(x: torch.Tensor, y: torch.Tensor) -> float:
    return float((x.double() - y.double()).abs().mean())


def psnr(x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean over images of each image's PSNR (dB, data range 1); identical images count as 100 dB."""
    from torchmetrics.functional.image import peak_signal_noise_ratio  # torchmetrics' import: ~0.3 s

    per_image = peak_signal_noise_ratio(x.double(), y.double(), data_range=1.0, reduction="none", dim=(1, 2, 3))
    return float(per_image.nan_to_num(posinf=100.0).clamp(max=100.0).mean())


def ssim(x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    from torchmetrics.functional.image import structural_similarity_index_measure

    values = [
        structural_similarity_index_measure(
            x[i : i + batch].double(), y[i : i + batch].double(), data_range=1.0, reduction="none"
        )
        for i in range(0, len(x), batch)
    ]
    return float(torch.cat([v.reshape(-1) for v in values]).mean())


def paired_names(n: int) -> dict[str, str]:
    return {k: names.name(k, n) for k in ("l1", "psnr", "ssim")}


def unpaired_names(n: int) -> dict[str, str]:
    return {k: names.name(k, n) for k in ("cycle_l1", "mapping_l1_ab", "mapping_l1_ba")}
