"""The typer app, the options several commands share, and the one place user errors become exit codes.

The commands live in ``runs.py``, ``results.py`` and ``data.py``; each parses its arguments, calls
``gan_bench.api`` and prints."""

from __future__ import annotations

import functools
import os
import re
import sys
import warnings
from typing import Optional

import typer
import typer.core
from rich.console import Console
from rich.text import Text

from gan_bench import defaults
from gan_bench.cli import encoding, standard_streams
from gan_bench.errors import InvalidOption, UserError, notes_to
from gan_bench.rundir import atomic
from gan_bench.training.progress import QuietReporter, RichReporter
from gan_bench.training.signals import EXIT_INTERRUPTED, Interrupted


def _flags_without_a_type_label() -> None:
    """typer 0.29 labels on/off flags ``<bool>`` in --help, as if they took a value; show them bare."""
    option = typer.core.TyperOption
    labelled = getattr(option, "display_type_rich", None)  # typer before 0.29 has none, and no label
    if labelled is not None:
        option.display_type_rich = lambda self, ctx: None if self.is_flag else labelled(self, ctx)


def _help_words_fold() -> None:
    """typer's help tables end a word longer than the column with "…" (at 80 columns a default
    path read `results/runs/<suite>-<U…`); make help text fold such a word onto the next line."""
    import typer.rich_utils as rich_utils

    make = getattr(rich_utils, "_make_rich_text", None)  # a private helper: without it, typer's own way
    if make is None:
        return

    def folding(*args, **kwargs):
        text = make(*args, **kwargs)
        if isinstance(text, Text):
            text.overflow = "fold"
        return text

    rich_utils._make_rich_text = folding


_flags_without_a_type_label()
_help_words_fold()
app = typer.Typer(
    help="ganbench: train the classic GAN recipes under fixed seeds and score them with named protocols.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
# --help groups the commands in the order of the work: train and score, then compare and gate.
TRAIN_PANEL, COMPARE_PANEL, TOOLS_PANEL = "Train and score", "Compare and gate", "Data, evaluators and exports"
data_app = typer.Typer(help="Show, verify and fetch the datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data", rich_help_panel=TOOLS_PANEL)
evaluator_app = typer.Typer(help="The pinned evaluator classifiers behind the metrics.", no_args_is_help=True)
app.add_typer(evaluator_app, name="evaluator", rich_help_panel=TOOLS_PANEL)
export_app = typer.Typer(help="Write runs out in other tools' formats.", no_args_is_help=True)
app.add_typer(export_app, name="export", rich_help_panel=TOOLS_PANEL)

# Not a terminal (a CI log, a pipe): wide enough that tables are never cut at 80 columns. COLUMNS
# is not read there: GNU readline exports COLUMNS=80 from any Python process that loads it, so a
# child ganbench would inherit a width nobody chose. No rich markup: a path such as runs/[exp1]
# prints as written; colour is asked for with Text styles.
LOG_WIDTH = 1000


def _on_a_terminal(stream) -> bool:
    return stream is not None and stream.isatty()  # None: started with the descriptor closed (rich drops the output)


out_console = Console(width=None if _on_a_terminal(sys.stdout) else LOG_WIDTH, markup=False)
err_console = Console(stderr=True, width=None if _on_a_terminal(sys.stderr) else LOG_WIDTH, markup=False)


RUNS_HELP = "Run directories, or folders holding them (default: the newest suite run under results/runs/)."


def runs_or_latest(runs: Optional[list]) -> list:
    """The runs named, or the newest suite run, said on stderr so that a piped report stays clean."""
    import gan_bench as gb

    if runs:
        return runs
    latest = gb.latest_suite_run()
    err_console.print(f"runs: {latest} (the newest suite run)", highlight=False, soft_wrap=True)
    return [latest]


DataDir = typer.Option(
    None,
    "--data-dir",
    help="Folder holding <dataset>/ folders of IDX files (looked at before $GANBENCH_DATA).",
    show_default=False,
)
Device = typer.Option(defaults.DEVICE, "--device", help="auto (CUDA when available), cpu, cuda or cuda:N.")
Quiet = typer.Option(False, "--quiet", "-q", help="No progress bar: one line per run, for CI logs.")
CompileOpt = typer.Option(
    False,
    "--compile",
    help="Run G and D through torch.compile (opt-in, meant for CUDA; "
    "recorded in spec.json; close to, not bit-identical with, the eager run).",
)
CudaGraphOpt = typer.Option(
    False,
    "--cuda-graph",
    help="Replay each training step as one captured CUDA graph "
    "(opt-in, CUDA only; every recipe but dcgan-mnist(-fixed) and cyclegan(-unet), whose steps "
    "wait on the host: `train` refuses those, `run` trains them eagerly; recorded in spec.json).",
)
Samples = typer.Option(None, "--samples", min=1, help="Generated samples to score (default: 10,000; 1,000 for smoke).")
Backbone = typer.Option(
    defaults.BACKBONE,
    "--backbone",
    help="lenet (the pinned evaluator) or inception (adds FID/IS on inception-v3-compat, Lucic et al. 2018).",
)
DirectionOpt = typer.Option(
    None,
    "--direction",
    help="Translation data: AtoB (default) or BtoA (swap the domains; a pix2pix folder's A is the left half).",
    show_default=False,
)
InceptionWeights = typer.Option(
    None,
    "--inception-weights",
    help="Inception weights file, read with --backbone inception (default: the torch hub cache, else a download when online).",
)


def version_line() -> str:
    """ganbench's version and those of the libraries its numbers depend on; torch's own string names
    its build (``+cpu``, ``+cu130``), which its package metadata leaves out."""
    from importlib import metadata

    import torch

    from gan_bench import __version__

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    libraries = ", ".join(
        [f"torch {torch.__version__}", *(f"{d} {version(d)}" for d in ("torchvision", "torch-fidelity"))]
    )
    return f"ganbench {__version__} ({libraries}; Python {sys.version.split()[0]})"


def _print_version(value: bool) -> None:
    if value:
        out_console.print(version_line(), highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the versions and exit."
    ),
) -> None:
    pass


INTERRUPTED = (
    "interrupted; finished runs and checkpoints are kept and no file is left half-written; re-run the "
    "same command with --resume to continue (a run stopped while being scored is scored then)"
)


def _print_note(text: str) -> None:
    err_console.print(text, highlight=False, soft_wrap=True)


def user_errors(fn):
    """Print a UserError as one message and exit 2; a signal-stopped run exits 130."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings():
                warnings.showwarning = notes_to(lambda text: _print_note(f"note: {text}"), warnings.showwarning)
                return fn(*args, **kwargs)
        except UserError as e:
            err_console.print(f"error: {e}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except Interrupted as e:
            err_console.print(str(e), highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except KeyboardInterrupt:  # Ctrl-C outside a training loop: while scoring, loading or reporting
            err_console.print(INTERRUPTED, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except OSError as e:  # a full disk outside ganbench's own writers (a folder, a library's cache)
            err = atomic.no_room(e, e.filename or "a file", cleaned=False)
            if err is None and e.filename is None:
                raise
            # an OS error on a named path (permissions, a file in the way): the user's to fix
            message = err or f"{e.filename}: {e.strerror or e}"
            err_console.print(f"error: {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


INT_ITEM = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")  # 3, or an inclusive range 0-4


def as_ranges(values: list[int]) -> str:
    """Sorted distinct integers as ``ints`` reads them: three or more in a row as a range ("0-999",
    "0-2,5,7"), so a plan of a thousand seeds is one short line."""
    parts, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[i - 1] + 1:
            run = values[start:i]
            parts += [f"{run[0]}-{run[-1]}"] if len(run) >= 3 else [str(v) for v in run]
            start = i
    return ",".join(parts)


def ints(text: Optional[str], option: str, maximum: int) -> Optional[list[int]]:
    """Comma-separated non-negative integers and inclusive ranges: "0,1,2", "0-4", "0-2,7". A range
    may not pass ``maximum`` (a single value past it is left to the caller's own message)."""
    if text is None:
        return None
    wanted = f"{option}: expected comma-separated non-negative integers or ranges such as 0-4, got {text!r}"
    values = []
    for item in (x for x in text.split(",") if x.strip()):
        match = INT_ITEM.match(item)
        if match is None:
            raise InvalidOption(wanted)
        first, last = int(match[1]), int(match[2] or match[1])
        if last < first:
            raise InvalidOption(f"{option}: range {item.strip()!r} runs backwards; write {last}-{first}")
        if last > maximum and last != first:
            raise InvalidOption(f"{option}: range {item.strip()!r} goes past the largest value, {maximum:,}")
        values.extend(range(first, last + 1))
    if not values:
        raise InvalidOption(wanted)
    return values


def names(text: Optional[str], option: str = "--recipes") -> Optional[list[str]]:
    if text is None:
        return None
    values = [x.strip() for x in text.split(",") if x.strip()]
    if not values:
        raise InvalidOption(f"{option}: expected comma-separated names, got {text!r}")
    return values


def reporter(quiet: bool, suite_steps: int | dict[str, int] | None = None):
    return QuietReporter(err_console, suite_steps) if quiet else RichReporter(err_console, suite_steps)


def empty_argument(args: list[str]) -> str | None:
    """The message for the first empty argument, which no option takes as a value: most often a
    shell variable that is not set (`--out "$OUT"`), which typer would read as the working directory."""
    for i, arg in enumerate(args):
        if arg == "":
            after = f" after {args[i - 1]}" if i > 0 and args[i - 1].startswith("-") else ""
            return f"argument {i + 1} is empty{after}; give a value (is a shell variable unset?)"
        if arg.startswith("--") and arg.endswith("="):  # --out= is empty too
            return f"{arg} is empty; give a value (is a shell variable unset?)"
    return None


def working_directory_gone() -> str | None:
    """The message where the working directory was deleted (or moved) under the shell: relative
    paths mean nothing there, and importing torch aborts the process with a oneMKL error."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return "the working directory no longer exists (deleted or moved); cd to a folder that exists"
    return None


def main() -> None:
    import gan_bench.cli  # noqa: F401  (importing the package registers the commands)

    sys.stdout = standard_streams.through_standard_file(sys.stdout, "the standard output")
    sys.stderr = standard_streams.through_standard_file(sys.stderr, "the standard error", errors_go_here=True)
    encoding.tolerate_narrow(sys.stdout)
    encoding.tolerate_narrow(sys.stderr)
    problem = empty_argument(sys.argv[1:]) or working_directory_gone()
    if problem is not None:
        err_console.print(f"error: {problem}", highlight=False, soft_wrap=True)
        sys.exit(2)
    app()
