#!/usr/bin/env bash
# Downloads, here, the wheels a GPU machine without internet needs to run the device check: the
# dependencies a CUDA image of PyTorch usually lacks, at the versions installed here (the ones the
# tests ran), for each Python version the machine may have. Copy the folder to the machine;
# benchmarks/gpu_check.sh installs from there the ones its Python takes.
#   bash benchmarks/fetch_wheels.sh [DIR] [PYTHON_VERSION...]    (defaults: benchmarks/wheels, 3.10 to 3.14)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-benchmarks/wheels}
shift $(($# > 0 ? 1 : 0))
versions=${*:-3.10 3.11 3.12 3.13 3.14}
python=${PYTHON:-python3}
packages="pydantic pydantic-core annotated-types typing-inspection typing-extensions torch-fidelity"
pins=$("$python" -c 'import sys; from importlib.metadata import version
print(" ".join(f"{n}=={version(n)}" for n in sys.argv[1:]))' $packages)
mkdir -p "$dir"
platforms=""
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  platforms+=" --platform $p"
done
for pyver in $versions; do
  # shellcheck disable=SC2086  # pins and platforms are word lists
  "$python" -m pip download -q --no-deps --only-binary=:all: --python-version "$pyver" --implementation cp \
    $platforms -d "$dir" $pins
done
ls "$dir"
