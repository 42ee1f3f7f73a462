"""The ganbench command line: a thin typer layer over the Python API in gan_bench.api.

Each command parses its arguments, calls the API, prints, and chooses the exit code."""

from gan_bench.cli import runs, results, data  # noqa: F401, I001  (each registers its commands, in this order)
from gan_bench.cli.app import app, main

__all__ = ["app", "main"]
