"""Packaging that pyproject.toml cannot declare: the top-level suites/ and results/baselines/ folders
travel inside the wheel as gan_bench/_shipped/, where gan_bench.shipped finds them."""

from setuptools import find_packages, setup

SHIPPED = {"gan_bench._shipped.suites": "suites", "gan_bench._shipped.baselines": "results/baselines"}

setup(packages=find_packages(include=["gan_bench*"]) + list(SHIPPED), package_dir=SHIPPED)
