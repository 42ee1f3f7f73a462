"""Images per second of the training benchmarks, kept for the summary conftest.py prints."""

from __future__ import annotations

import json
import os

# {comparison: {loop name: images per second}}, filled by the benchmarks in this folder.
RATES: dict[str, dict[str, float]] = {}
# The loop each comparison's ratio is taken against.
BASELINE = {
    "textbook": "textbook loop",
    "seeds": "3 seeds one after another",
    "jobs": "--jobs 1",
    "scoring": "two evaluator passes",
    "radii": "kthvalue (torch-fidelity's)",
}


def record(benchmark, comparison: str, loop: str, images: int) -> float:
    """Images per second of the benchmark's median round, kept for the summary and in extra_info."""
    rate = images / benchmark.stats.stats.median
    benchmark.extra_info["images_per_s"] = round(rate, 1)
    return keep(comparison, loop, rate)


def keep(comparison: str, loop: str, rate: float) -> float:
    """Kept for the summary and, where GANBENCH_BENCH_RATES names a file, appended to it as a JSON
    line at once (benchmarks/gpu_check.py reads it, so a timeout loses only the rates not yet taken)."""
    RATES.setdefault(comparison, {})[loop] = rate
    if path := os.environ.get("GANBENCH_BENCH_RATES"):
        with open(path, "a") as f:
            f.write(json.dumps({"comparison": comparison, "loop": loop, "images_per_s": round(rate, 1)}) + "\n")
    return rate
