"""The metrics.json schema: a whole, valid file for its spec is a result; anything else is refused
with the reason (and `read` names the file and how to score again)."""

import json
import math

import pytest

from gan_bench.errors import UserError
from gan_bench.rundir import metrics_file
from gan_bench.rundir.identity import spec_hash
from gan_bench.rundir.layout import RunDir

SPEC = {"recipe": {"name": "tf-mlp"}, "dataset": "mnist", "seed": 0, "profile": "smoke", "device": "cpu"}
HASH = spec_hash(SPEC)
GOOD = {
    "format": 1,
    "spec_hash": HASH,
    "recipe": "tf-mlp",
    "dataset": "mnist",
    "seed": 0,
    "profile": "smoke",
    "protocol": {"samples": 1000},
    "metrics": {"fid_lenet_1k_test": {"value": 12.5, "samples": 1000}},
    "coverage": {},
    "diagnostics": {},
    "verdict": "converged",
    "verdict_reason": "no failure rule matched",
}


@pytest.fixture
def run(tmp_path):
    (tmp_path / "spec.json").write_text(json.dumps({**SPEC, "spec_hash": HASH}))
    return RunDir(tmp_path)


def write(run, data):
    run.metrics.write_text(json.dumps(data) if not isinstance(data, str) else data)


def test_a_valid_file_is_read_as_written(run):
    write(run, GOOD)
    assert metrics_file.problem(run) is None
    assert metrics_file.read(run) == GOOD


def test_no_file_is_no_result_not_an_error(run):
    assert metrics_file.problem(run) == "missing"
    assert metrics_file.read(run) is None


def test_a_null_value_is_allowed_and_an_extra_field_kept(run):
    data = {**GOOD, "metrics": {"fid_lenet_1k_test": {"value": None}}, "extra": 1}
    write(run, data)
    assert metrics_file.read(run) == data


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"verdict": "fine"}, "field 'verdict'"),
        ({"seed": "zero"}, "field 'seed'"),
        ({"metrics": {"fid_lenet_1k_test": {"samples": 3}}}, "field 'metrics.fid_lenet_1k_test.value'"),
        ({"metrics": {"fid_lenet_1k_test": {"value": "low"}}}, "field 'metrics.fid_lenet_1k_test.value'"),
        ({"spec_hash": "other"}, "belongs to another spec (spec_hash differs from spec.json)"),
    ],
)
def test_a_wrong_field_is_refused_with_its_name(run, change, reason):
    write(run, {**GOOD, **change})
    assert metrics_file.problem(run).startswith(reason)
    with pytest.raises(UserError) as e:
        metrics_file.read(run)
    assert str(run.metrics) in str(e.value) and reason in str(e.value) and "ganbench score" in str(e.value)


@pytest.mark.parametrize(
    "field",
    [
        "format",
        "spec_hash",
        "recipe",
        "dataset",
        "seed",
        "profile",
        "protocol",
        "metrics",
        "coverage",
        "diagnostics",
        "verdict",
        "verdict_reason",
    ],
)
def test_every_field_is_required(run, field):
    write(run, {k: v for k, v in GOOD.items() if k != field})
    assert metrics_file.problem(run) == f"field '{field}': Field required"


@pytest.mark.parametrize("verdict", ["converged", "oscillating", "vanishing-gradient", "mode-collapse", "diverged"])
def test_each_documented_verdict_is_valid(run, verdict):
    write(run, {**GOOD, "verdict": verdict})
    assert metrics_file.problem(run) is None


def test_a_truncated_file_is_unreadable(run):
    write(run, json.dumps(GOOD)[:100])
    assert metrics_file.problem(run).startswith("unreadable (")
    with pytest.raises(UserError) as refused:
        metrics_file.read(run)
    reason = metrics_file.problem(run)
    assert str(refused.value) == (
        f"{run.metrics}: invalid metrics file, {reason}; score the run again with `ganbench score {run.root}`"
    )


def test_the_command_to_score_again_quotes_a_run_folder_with_a_space(tmp_path):
    run = RunDir(tmp_path / "my runs" / "seed-0")
    run.root.mkdir(parents=True)
    write(run, "{")
    with pytest.raises(UserError) as refused:
        metrics_file.read(run)
    assert str(refused.value).endswith(f"; score the run again with `ganbench score '{run.root}'`")
    assert metrics_file.read(RunDir(tmp_path)) is None  # no metrics.json: not scored


def test_without_spec_json_the_hash_cannot_be_compared_and_the_file_stands(tmp_path):
    run = RunDir(tmp_path)
    write(run, GOOD)
    assert metrics_file.problem(run) is None


@pytest.mark.parametrize(
    ("text", "kind"), [("[1, 2]", "an array"), ('"ok"', "a string"), ("3", "a number"), ("null", "null")]
)
def test_a_file_that_is_not_an_object_says_what_it_is(run, text, kind):
    run.metrics.write_text(text)
    assert metrics_file.problem(run) == f"{kind} where a JSON object belongs"


def test_write_stores_a_non_finite_value_as_null_with_its_text_and_returns_what_it_wrote(run):
    metrics = {
        "fid_lenet_1k_test": {"value": float("nan"), "samples": 1000},
        "is_lenet_1k": {"value": float("inf")},
        "kid_lenet_1k_test": {"value": 0.5},
        "recall_lenet_1k_test": {"value": None},
    }
    written = metrics_file.write(run, {**GOOD, "metrics": metrics})
    assert json.loads(run.metrics.read_text()) == written
    assert written == {
        **GOOD,
        "metrics": {
            "fid_lenet_1k_test": {"value": None, "samples": 1000, "not_finite": "nan"},
            "is_lenet_1k": {"value": None, "not_finite": "inf"},
            "kid_lenet_1k_test": {"value": 0.5},
            "recall_lenet_1k_test": {"value": None},
        },
    }
    assert math.isnan(metrics["fid_lenet_1k_test"]["value"])  # the caller's entries are left as they were
    assert metrics_file.read(run) == written


def test_a_file_from_a_later_ganbench_is_refused_and_never_scored_over(run):
    """A later format may mean other things by the same fields: not read as this one's, and not
    taken for a damaged file that `score` or `run --resume` may replace."""
    from gan_bench.scoring.scored_already import kept

    write(run, {**GOOD, "format": metrics_file.FORMAT + 1})
    before = run.metrics.read_bytes()
    expected = f"metrics format {metrics_file.FORMAT + 1}; ganbench .* reads format {metrics_file.FORMAT}"
    for reader in (metrics_file.read, metrics_file.problem):
        with pytest.raises(metrics_file.NewerFormat, match=expected):
            reader(run)
    with pytest.raises(metrics_file.NewerFormat):
        kept(run, SPEC, None, "lenet", "running")
    assert run.metrics.read_bytes() == before
    write(run, {**GOOD, "format": metrics_file.FORMAT})
    assert metrics_file.problem(run) is None
