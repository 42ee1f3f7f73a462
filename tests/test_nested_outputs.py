"""A suite's output folder never nests in, or holds, another suite's folder or a run directory:
`report` of the outer folder would otherwise count the inner runs as its own (seed 0 twice)."""

import json

import pytest
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.errors import RunDirError
from gan_bench.rundir.identity import spec_hash
from gan_bench.rundir.outputs import check_not_nested

runner = CliRunner()


def suite_folder(path):
    path.mkdir(parents=True)
    (path / "suite.json").write_text(json.dumps({"name": "smoke", "file": "x.toml", "suite_hash": "ab" * 32}))
    return path


def run_folder(path):
    path.mkdir(parents=True)
    spec = {"recipe": {"name": "tf-mlp"}, "dataset": "mnist", "seed": 0, "profile": "smoke", "device": "cpu"}
    (path / "spec.json").write_text(json.dumps({**spec, "spec_hash": spec_hash(spec)}))
    return path


def dry_run(out):
    result = runner.invoke(app, ["run", "--suite", "smoke", "--out", str(out), "--dry-run"])
    return result.exit_code, " ".join(result.output.split())


def test_out_inside_another_suite_folder_exits_2_naming_it(tmp_path):
    outer = suite_folder(tmp_path / "runs" / "smoke-1")
    code, message = dry_run(outer / "tf-mlp")
    assert code == 2
    assert f"--out: {outer / 'tf-mlp'} lies inside {outer}, another suite's output folder" in message
    assert not (outer / "tf-mlp").exists()


def test_out_inside_a_run_directory_exits_2_naming_it(tmp_path):
    run = run_folder(tmp_path / "smoke-1" / "tf-mlp" / "seed-0")
    code, message = dry_run(run / "more")
    assert code == 2 and f"lies inside {run}, a run directory" in message


def test_out_holding_another_suite_folder_exits_2_naming_it(tmp_path):
    outer = suite_folder(tmp_path / "results")  # a suite's folder, with another suite's copied into it
    inner = suite_folder(outer / "runs" / "smoke-1")
    code, message = dry_run(outer)
    assert code == 2
    assert f"--out: {outer} holds {inner}, another suite's output folder" in message
    assert sorted(p.name for p in outer.rglob("*")) == ["runs", "smoke-1", "suite.json", "suite.json"]


def test_out_holding_other_files_exits_2_and_they_stay_as_they_were(tmp_path):
    """`run --out ~/project` would write suite.json and a folder per recipe among the user's files."""
    mine = tmp_path / "project"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    suite_folder(mine / "results" / "smoke-1")  # a suite run inside it: refused all the same
    code, message = dry_run(mine)
    assert code == 2
    assert message == (
        f"error: --out: {mine} is not empty and is no suite's output folder (it holds no suite.json that "
        "ganbench wrote); choose an empty folder or a new one"
    )
    result = runner.invoke(app, ["run", "--suite", "smoke", "--recipes", "tf-mlp", "--out", str(mine)])
    assert result.exit_code == 2
    assert sorted(p.relative_to(mine).as_posix() for p in mine.rglob("*")) == [
        "notes.txt",
        "results",
        "results/smoke-1",
        "results/smoke-1/suite.json",
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".ganbench.lock").write_text("pid 1 on gone\n")  # a lock left by a killed run holds nothing
    assert dry_run(empty)[0] == 0


def test_a_suite_folder_of_its_own_and_a_fresh_folder_are_accepted(tmp_path):
    own = suite_folder(tmp_path / "smoke-1")
    assert check_not_nested(own) == own  # its own suite.json: a resume or more seeds, judged elsewhere
    assert check_not_nested(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert dry_run(tmp_path / "fresh")[0] == 0


@pytest.mark.parametrize("name", ["suite.json", "spec.json"])
def test_a_file_of_the_same_name_that_ganbench_did_not_write_does_not_count(tmp_path, name):
    (tmp_path / name).write_text('{"title": "my project\'s own file"}')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / name).write_text("not json at all")
    assert check_not_nested(tmp_path / "sub" / "out") == tmp_path / "sub" / "out"
    assert check_not_nested(tmp_path) == tmp_path


def test_the_python_api_refuses_the_same_way(tmp_path):
    import gan_bench as gb

    outer = suite_folder(tmp_path / "smoke-1")
    with pytest.raises(RunDirError, match="lies inside"):
        gb.plan("smoke", out=outer / "again")


def train(out, *more):
    result = runner.invoke(app, ["train", "tf-mlp", "--steps", "2", "--quiet", "--out", str(out), *more])
    return result.exit_code, " ".join(result.output.split())


def test_train_out_inside_a_suite_folder_exits_2_and_writes_nothing(tmp_path):
    outer = suite_folder(tmp_path / "runs" / "smoke-1")
    code, message = train(outer / "tf-mlp" / "seed-7")
    assert code == 2
    assert f"--out: {outer / 'tf-mlp' / 'seed-7'} lies inside {outer}, another suite's output folder" in message
    assert "would count this run as its own" in message
    assert sorted(p.name for p in outer.iterdir()) == ["suite.json"]


def test_train_out_inside_a_run_directory_exits_2(tmp_path):
    run = run_folder(tmp_path / "tf-mlp" / "seed-0")
    code, message = train(run / "again")
    assert code == 2 and f"lies inside {run}, a run directory" in message
    assert not (run / "again").exists()


def test_train_resumes_a_run_that_lies_in_a_suite_folder(tmp_path):
    run = tmp_path / "smoke-1" / "tf-mlp" / "seed-0"
    code, message = train(run)
    assert code == 0 and f"trained: {run}" in message
    suite_folder_record = {"name": "smoke", "file": "x.toml", "suite_hash": "ab" * 32}
    (tmp_path / "smoke-1" / "suite.json").write_text(json.dumps(suite_folder_record))
    before = (run / "spec.json").read_bytes()
    code, message = train(run, "--resume")  # the suite's own run: continued (here: found complete)
    assert code == 0 and str(run) in message and "lies inside" not in message
    assert (run / "spec.json").read_bytes() == before
