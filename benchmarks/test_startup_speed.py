"""Start-up: `ganbench --help`, `ganbench run --dry-run`, and the imports of a command that scores
nothing (report, check), each in a fresh interpreter, side by side with the imports they paid when
everything was loaded eagerly (the baseline: torch, torch-fidelity with torchvision, matplotlib,
pandas and the whole API first; torchmetrics too for the dry run, whose option checks loaded it).

Run: pytest benchmarks/test_startup_speed.py --benchmark-only
"""

from __future__ import annotations

import subprocess
import sys

import pytest

ROUNDS = 5
HELP = "from gan_bench.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
EAGER = (
    "import torch, torch_fidelity, torchvision, matplotlib.pyplot, pandas, gan_bench.api.runs, gan_bench.api.results\n"
)
DRY_RUN = (
    "import tempfile\nfrom gan_bench.cli import app\ntry:\n"
    "    app(['run', '--suite', 'smoke', '--device', 'cpu', '--dry-run', '--out', tempfile.mkdtemp() + '/o'])\n"
    "except SystemExit:\n    pass\n"
)
CASES = {
    "ganbench --help": (HELP, EAGER + HELP),
    "ganbench run --dry-run": (DRY_RUN, EAGER + "import torchmetrics\n" + DRY_RUN),
    "report/check imports": (
        "import gan_bench.api.results, gan_bench.reporting.render, gan_bench.gates.check\n",
        EAGER,
    ),
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
