#!/usr/bin/env bash
# One prepared device check (benchmarks/gpu_check.py): about 8 minutes on one GPU, a JSON and a
# Markdown summary under the folder named. Test it on CPU first: bash benchmarks/gpu_check.sh OUT --cpu-dry-run
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" benchmarks/gpu_check.py "$@"
