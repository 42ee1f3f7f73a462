"""Start-up: `ganbench --help`, and the imports of a command that scores nothing (report, check),
each in a fresh interpreter, side by side with the imports they paid when everything was loaded
eagerly (the baseline: torch, torch-fidelity with torchvision, matplotlib and the whole API first).

Run: pytest benchmarks/test_startup_speed.py --benchmark-only
"""

from __future__ import annotations

import subprocess
import sys

import pytest

ROUNDS = 5
HELP = "from gan_bench.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
EAGER = "import torch, torch_fidelity, torchvision, matplotlib.pyplot, pandas, gan_bench.api\n"
CASES = {
    "ganbench --help": (HELP, EAGER + HELP),
    "report/check imports": ("import gan_bench.api, gan_bench.reporting.render, gan_bench.gates.check\n", EAGER),
}


def fresh_interpreter(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=300)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("imports", ["lazy", "eager (baseline)"])
def test_startup(benchmark, case, imports):
    benchmark.group = f"start-up: {case}"
    code = CASES[case][0 if imports == "lazy" else 1]
    fresh_interpreter(code)  # warm the file cache, as a user's second command finds it
    benchmark.pedantic(fresh_interpreter, args=(code,), rounds=ROUNDS, iterations=1)
