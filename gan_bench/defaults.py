"""The defaults the CLI and the Python API share, in one table (as torch-fidelity's ``defaults.py``).

Paths are relative to the working directory: a user's results and baselines live in their project.
"""

from __future__ import annotations

from pathlib import Path

RUNS_ROOT = Path("results") / "runs"  # `run`/`train` output when no --out is given
SCORED_ROOT = Path("results") / "scored"  # `score --input` output when no --out is given
BASELINES_ROOT = Path("results") / "baselines"  # baseline files; a shipped suite falls back to ganbench's own
SUITES_FOLDER = Path("suites")  # the working directory's suite files, looked at before ganbench's own

DEVICE = "auto"  # CUDA when available, else CPU
SEED = 0  # `train`'s seed when given no --seed
PROFILES = ("full", "quick", "smoke")
# The largest seed: a run's derived streams (1000·seed + 1 … 4) must fit torch's 32-bit CPU seeds.
MAX_SEED = (2**32 - 1 - 4) // 1000  # 4,294,967
# The most seeds in one suite run: ten times a generous sweep; beyond it a range is a typo (0-1000000
# for 0-10) that would plan millions of runs, and a real sweep that large is split over several --out.
MAX_SEEDS = 1000
EXECUTORS = ("local", "ray")
EXECUTOR = "local"
DIRECTION = "AtoB"
BACKBONES = ("lenet", "inception")
BACKBONE = "lenet"  # the pinned evaluator; inception adds FID/IS on inception-v3-compat
REPORT_FORMATS = ("rich", "md", "csv", "html")
CHECK_FORMATS = ("rich", "md")  # md: for a pull request comment or $GITHUB_STEP_SUMMARY

# Samples scored per profile, by modality. Stacked MNIST and the 2D mixtures follow their published
# protocols; translation scores that many test images (at most the split).
REFERENCE_SPLIT = "test"  # the split samples and translations are scored against
STACKED_SAMPLES = 26_000  # Stacked MNIST mode counting: VEEGAN (Srivastava et al. 2017), PacGAN Table 2
MIXTURE_SAMPLES = 2_500  # 2D ring and grid: PacGAN (Lin et al. 2018) Table 1
SAMPLES = {
    "gray28": {"full": 10_000, "quick": 10_000, "smoke": 1_000},
    "rgb28": {"full": STACKED_SAMPLES, "quick": STACKED_SAMPLES, "smoke": 2_600},
    "points": {"full": MIXTURE_SAMPLES, "quick": MIXTURE_SAMPLES, "smoke": MIXTURE_SAMPLES},
    "paired": {"full": 10_000, "quick": 10_000, "smoke": 1_000},
    "unpaired": {"full": 10_000, "quick": 10_000, "smoke": 1_000},
}
QUALITY_SAMPLES = 2_000  # per intermediate checkpoint, for quality over time
