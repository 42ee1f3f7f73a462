"""The ganbench command line: a thin typer layer over the Python API in gan_bench.api."""

from gan_bench.cli.app import app, main

__all__ = ["app", "main"]
