"""Images per second of the training benchmarks, kept for the summary conftest.py prints."""

from __future__ import annotations

# {comparison: {loop name: images per second}}, filled by the benchmarks in this folder.
RATES: dict[str, dict[str, float]] = {}
# The loop each comparison's ratio is taken against.
BASELINE = {"textbook": "textbook loop", "seeds": "3 seeds one after another", "jobs": "--jobs 1"}


def record(benchmark, comparison: str, loop: str, images: int) -> float:
    """Images per second of the benchmark's median round, kept for the summary and in extra_info."""
    rate = images / benchmark.stats.stats.median
    benchmark.extra_info["images_per_s"] = round(rate, 1)
    return keep(comparison, loop, rate)


def keep(comparison: str, loop: str, rate: float) -> float:
    RATES.setdefault(comparison, {})[loop] = rate
    return rate
