#!/usr/bin/env bash
# Mutation testing of the scoring, gating and input-reading core with mutmut: every mutant of the
# files named in pyproject.toml's [tool.mutmut] is run against the rule tests named there. Prints
# each surviving mutant, then `killed K of N` as its last line. Needs the test extras: pip install -e '.[test]'.
# Takes about half an hour on 2 cores; pass --max-children N to use more.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf mutants
# One thread: mutmut forks a warm test process per mutant, and a forked OpenMP pool can deadlock.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
python -m mutmut run "${@:---max-children=2}" >mutants.log 2>&1 || { tail -20 mutants.log; exit 1; }
python tools/mutation_summary.py
