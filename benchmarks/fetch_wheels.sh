#!/usr/bin/env bash
# Downloads, here, the wheels a GPU machine without internet needs to run the device check: the
# dependencies a CUDA image of PyTorch may lack and the test tools the check runs, at the
# versions installed here (the ones the tests ran), for each Python version the machine may have.
# Copy the folder to the machine; benchmarks/gpu_check.sh installs from there the ones its Python takes.
#   bash benchmarks/fetch_wheels.sh [DIR] [PYTHON_VERSION...]    (defaults: benchmarks/wheels, 3.10 to 3.14)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-benchmarks/wheels}
shift $(($# > 0 ? 1 : 0))
versions=${*:-3.10 3.11 3.12 3.13 3.14}
python=${PYTHON:-python3}
# ganbench's pure-Python dependencies and theirs (numpy, scipy, pandas and matplotlib, binary
# and large, come with such images), then the tools the check runs: pytest-benchmark's fixture
# times the training section
packages="pydantic pydantic-core annotated-types typing-inspection typing-extensions torch-fidelity
  torchmetrics lightning-utilities packaging typer annotated-doc click shellingham rich markdown-it-py
  mdurl tabulate tqdm pytest pluggy iniconfig pygments pytest-benchmark py-cpuinfo2
  exceptiongroup tomli"
# pinned to the versions installed here; the newest of those not installed (pytest's two for 3.10)
pins=$("$python" -c 'import sys; from importlib import metadata
def pin(n):
    try:
        return f"{n}=={metadata.version(n)}"
    except metadata.PackageNotFoundError:
        return n
print(" ".join(map(pin, sys.argv[1:])))' $packages)
mkdir -p "$dir"
platforms=""
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  platforms+=" --platform $p"
done
fetch() {  # fetch PYTHON_VERSION PIN...
  local pyver=$1
  shift
  # shellcheck disable=SC2086  # platforms is a word list
  "$python" -m pip download -q --no-deps --only-binary=:all: --python-version "$pyver" --implementation cp \
    $platforms -d "$dir" "$@" 2>/dev/null
}
for pyver in $versions; do
  # shellcheck disable=SC2086  # pins is a word list
  fetch "$pyver" $pins && continue
  for pin in $pins; do  # a version installed here may not run on that Python (typer 0.29 needs 3.11)
    fetch "$pyver" "$pin" || echo "no wheel of $pin for Python $pyver: that machine must have its own" >&2
  done
done
ls "$dir"
