#!/usr/bin/env bash
# Downloads, here, the wheels a GPU machine without internet needs to run the device check: the
# dependencies a CUDA image of PyTorch usually lacks, at the versions installed here (the ones the
# tests ran). Copy the folder to the machine; benchmarks/gpu_check.sh installs them from there.
#   bash benchmarks/fetch_wheels.sh [DIR] [PYTHON_VERSION]    (defaults: benchmarks/wheels, 3.12)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-benchmarks/wheels}
pyver=${2:-3.12}
python=${PYTHON:-python3}
packages="pydantic pydantic-core annotated-types typing-inspection typing-extensions torch-fidelity"
pins=$("$python" -c 'import sys; from importlib.metadata import version
print(" ".join(f"{n}=={version(n)}" for n in sys.argv[1:]))' $packages)
mkdir -p "$dir"
platforms=""
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  platforms+=" --platform $p"
done
# shellcheck disable=SC2086  # pins and platforms are word lists
"$python" -m pip download -q --no-deps --only-binary=:all: --python-version "$pyver" --implementation cp \
  $platforms -d "$dir" $pins
ls "$dir"
