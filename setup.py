"""Packaging that pyproject.toml cannot declare: the top-level suites/ and results/baselines/ folders
travel inside the wheel as gan_bench/_shipped/, where gan_bench.shipped finds them."""

from setuptools import find_namespace_packages, setup

SHIPPED = {"gan_bench._shipped.suites": "suites", "gan_bench._shipped.baselines": "results/baselines"}

# Namespace discovery lists the data-only folders (gan_bench/assets/...) as packages, so setuptools
# ships their files without warning that an importable folder is missing from `packages`.
PACKAGES = find_namespace_packages(include=["gan_bench", "gan_bench.*"], exclude=["*.__pycache__"])

setup(packages=PACKAGES + list(SHIPPED), package_dir=SHIPPED)
