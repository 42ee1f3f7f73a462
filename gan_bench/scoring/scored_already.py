"""A run scored already. ``score`` keeps its metrics.json when asked for what the file holds, and
refuses to replace it with other options unless told to (``replace``): a result is never
overwritten unasked. A metrics.json that does not validate is no result, and is scored again."""

from __future__ import annotations

from gan_bench.errors import InvalidOption, RunDirError
from gan_bench.rundir import metrics_file
from gan_bench.rundir.layout import RunDir
from gan_bench.scoring.drawing import batch_norm_mode, sample_count


def asked(spec: dict, samples: int | None, backbone: str, batch_norm: str) -> dict:
    """The options a scoring of this run would record: sample count, backbone, G's batch norm."""
    return {"samples": sample_count(spec, samples), "backbone": backbone, "batch norm": batch_norm}


def recorded(result: dict) -> dict:
    """The same options as a metrics.json records them (batch norm None: G has none, so either)."""
    inception = any(entry.get("backbone") == "inception" for entry in result["metrics"].values())
    return {
        "samples": result["protocol"].get("samples_asked", result["protocol"].get("samples")),  # asked, not held
        "backbone": "inception" if inception else "lenet",
        "batch norm": batch_norm_mode(result["protocol"].get("g_batch_norm")),
    }


def _shown(key: str, value) -> str:
    return f"{value:,} samples" if key == "samples" else f"{key} {value}"


def kept(run: RunDir, spec: dict, samples: int | None, backbone: str, batch_norm: str) -> dict | None:
    """The run's metrics.json when it is valid and holds what these options would score; None when
    there is none to keep (absent or invalid). A valid one scored with other options raises."""
    try:
        result = metrics_file.read(run)
    except metrics_file.NewerFormat:  # a later ganbench's result: never scored over unasked
        raise
    except RunDirError:  # not a result: scored again
        return None
    if result is None:
        return None
    want, have = asked(spec, samples, backbone, batch_norm), recorded(result)
    differ = [k for k in want if have[k] is not None and have[k] != want[k]]
    if not differ:
        return result
    raise InvalidOption(
        f"{run.metrics}: scored already with {', '.join(_shown(k, have[k]) for k in differ)}, and this asks for "
        f"{', '.join(_shown(k, want[k]) for k in differ)}; pass --replace to score it again and replace the file, "
        "or score a copy of the run"
    )
