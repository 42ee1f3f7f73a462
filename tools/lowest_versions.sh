#!/usr/bin/env bash
# The tests with every dependency at the lowest version pyproject.toml admits (tools/lowest_pins.py
# pins each lower bound), so that a declared minimum is one that was seen to work.
# Usage: bash tools/lowest_versions.sh VENV [PYTEST ARGS...]   (default: -m "not slow")
# Builds VENV with the python3 on PATH and downloads those releases from PyPI (torch's is several
# GB). Set GANBENCH_DATA as for any test run. See docs/testing.md, "Lowest versions".
set -euo pipefail
venv=${1:?usage: bash tools/lowest_versions.sh VENV [PYTEST ARGS...]}
shift
cd "$(dirname "$0")/.."
python3 -m venv "$venv"
. "$venv/bin/activate"
pip install -q --upgrade pip packaging  # packaging: lowest_pins.py parses the requirements
mapfile -t requirements < <(python tools/lowest_pins.py)
pip install -q "${requirements[@]}"
pip install -q --no-deps --no-build-isolation -e . -e examples/ganbench-lsgan
pip list 2>/dev/null | grep -iE '^(torch|torchvision|torch-fidelity|torchmetrics|typer|click|rich|pandas|pydantic|matplotlib|tabulate|numpy|ray|tensorboard) '
[ $# -gt 0 ] || set -- -m "not slow"
python -m pytest "$@"
