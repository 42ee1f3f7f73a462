"""The exit-code contract as a property: for generated suite files and argument lists, every command
exits 0, 1 or 2 (130 on a signal), never with a traceback, and writes nothing outside its --out."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gan_bench.cli import app

runner = CliRunner()

NAMES = ["tf-mlp", "torch-mlp", "toy-gan", "pix2pix", "cgan", "tf-mlp-pac2", "cgan-pac2", "nope", "", "x:y", "a:b:c"]
DATASETS = ["mnist", "fashion-mnist", "ring", "grid", "stacked-mnist", "edges2digits", "cifar", "./none", ""]
METRICS = ["fid_lenet_1k_test", "modes_covered", "is_lenet_10k", "nonsense", "fid_lenet_0_test"]
numbers = st.one_of(
    st.integers(-3, 2**33), st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, 1, 5, 2**32])
)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


threshold = st.dictionaries(
    st.sampled_from(["min", "max", "baseline", "tolerance", "oops"]),
    st.one_of(numbers, st.booleans()),
    max_size=3,
)
# Mostly-valid required fields (so that runs get planned), anything in the optional ones.
suites = st.fixed_dictionaries(
    {
        "name": st.one_of(st.just("s"), st.text(max_size=8)),
        "dataset": st.one_of(
            st.just("mnist"), st.sampled_from(DATASETS), st.lists(st.sampled_from(DATASETS), max_size=3)
        ),
        "seeds": st.one_of(st.just([0, 1]), st.lists(numbers, max_size=4)),
        "recipes": st.one_of(st.just(["tf-mlp", "torch-mlp"]), st.lists(st.sampled_from(NAMES), max_size=4)),
    },
    optional={
        "profile": st.sampled_from(["smoke", "quick", "full", "huge"]),
        "direction": st.sampled_from(["AtoB", "BtoA", "up"]),
        "scored": st.lists(st.sampled_from(["mine", "tf-mlp"]), max_size=2),
        "steps": st.dictionaries(st.sampled_from(NAMES), numbers, max_size=2),
        "only": st.dictionaries(st.sampled_from(NAMES), st.lists(st.sampled_from(DATASETS), max_size=2), max_size=2),
        "thresholds": st.dictionaries(
            st.sampled_from(["smoke", "full", "later"]),
            st.dictionaries(
                st.sampled_from([*NAMES, "mine"]), st.dictionaries(st.sampled_from(METRICS), threshold, max_size=2)
            ),
            max_size=2,
        ),
        "extra": numbers,
    },
)


def write_suite(path: Path, suite: dict) -> None:
    lines, tables = [], []
    for key, value in suite.items():
        if key in ("steps", "only"):
            tables.append(f"[{key}]\n" + "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in value.items()))
        elif key == "thresholds":
            for profile, recipes in value.items():
                for recipe, metrics in recipes.items():
                    body = "".join(f"{json.dumps(m)} = {toml_value(t)}\n" for m, t in metrics.items())
                    tables.append(f"[thresholds.{json.dumps(profile)}.{json.dumps(recipe)}]\n{body}")
        else:
            lines.append(f"{key} = {toml_value(value)}")
    path.write_text("\n".join(lines) + "\n" + "\n".join(tables))


options = st.lists(
    st.sampled_from(
        [
            ["--recipes", "tf-mlp"],
            ["--recipes", ",,"],
            ["--recipes", "nope"],
            ["--seeds", "0,1"],
            ["--seeds", "-1"],
            ["--seeds", "4294967296"],
            ["--seeds", "1,1"],
            ["--profile", "quick"],
            ["--profile", "x"],
            ["--device", "cpu"],
            ["--device", "tpu"],
            ["--batch-seeds", "0"],
            ["--batch-seeds", "2"],
            ["--executor", "spark"],
            ["--direction", "BtoA"],
            ["--compile"],
            ["--cuda-graph"],
            ["--samples", "3"],
            ["--samples", "100001"],
            ["--backbone", "vgg"],
            ["--data-dir", "/no/such"],
            ["--resume", "nothing-here"],
            ["--address", "auto"],
        ]
    ),  # fmt: skip
    max_size=4,
)
commands = st.sampled_from(["run", "report", "check", "baseline", "score", "export"])


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suite=suites, extra=options, command=commands, garbage=st.booleans())
def test_any_suite_and_arguments_exit_0_1_or_2_without_a_traceback(tmp_path_factory, suite, extra, command, garbage):
    work = tmp_path_factory.mktemp("prop")
    path = work / "s.toml"
    if garbage:
        path.write_bytes(os.urandom(24))
    else:
        write_suite(path, suite)
    (work / "empty").mkdir()
    out = work / "out"
    before = snapshot(work)
    flat = [a for pair in extra for a in pair]
    args = {
        "run": ["run", "--suite", path, "--out", out, "--dry-run", *flat],
        "report": ["report", work / "empty", path],
        "check": ["check", work / "empty", "--suite", path],
        "baseline": ["baseline", work / "empty", "--out", out / "b.json"],
        "score": ["score", work / "empty", *[a for a in flat if not a.startswith("--re")]],
        "export": ["export", "tensorboard", work / "empty", "--logdir", out],
    }[command]
    cwd = os.getcwd()
    os.chdir(work)  # a command that writes a default path writes it here, which the snapshot sees
    try:
        result = runner.invoke(app, [str(a) for a in args])
    finally:
        os.chdir(cwd)
    event(f"{command} exit {result.exit_code}")
    assert result.exit_code in (0, 1, 2, 130), (args, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert "Traceback" not in result.output
    written = {p for p in snapshot(work) - before if not p.startswith("out")}
    assert not written, (args, written)
