"""The command line: the smoke suite end to end, bad input exits 2 with one clear message."""

import json
import shutil
import sys

import pytest
from conftest import copy_mnist_as
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.data import catalogue

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_help_groups_the_commands_in_the_order_of_the_work():
    result = invoke("--help")
    assert result.exit_code == 0
    order = ["Train and score", "list", "train", "run", "score", "Compare and gate", "report", "check", "baseline"]
    order += ["Data, evaluators and exports", "data", "evaluator", "export"]
    lines = result.output.splitlines()
    firsts = [next(i for i, line in enumerate(lines) if line.strip("│╭─ ").startswith(word)) for word in order]
    assert firsts == sorted(firsts), list(zip(order, firsts))


def test_help_labels_what_an_option_takes_and_no_label_on_a_flag():
    lines = invoke("run", "--help").output.splitlines()

    def row(option):
        return next(line for line in lines if f" {option} " in line)

    def label(option):  # what stands between the option's names and its help
        return row(option).split(option, 1)[1].split("-q")[-1].split(None, 1)[0]

    for flag in ("--quiet", "--dry-run", "--compile", "--cuda-graph"):
        assert label(flag) in ("No", "Print", "Run", "Replay"), row(flag)  # the help's first word: no label
    labels = [label(o) for o in ("--suite", "--samples", "--out", "--resume")]
    assert labels in (["<str>", "<int", "<path>", "RUN_ID"], ["TEXT", "INTEGER", "PATH", "RUN_ID"]), labels


@pytest.mark.parametrize(
    "command, default",
    [
        ("train", "(default:results/runs/train-<UTCtime>/<recipe>/seed-<n>)"),
        ("run", "(default:results/runs/<suite>-<UTCtime>)"),
        ("score", "(default:results/scored/<name>-<dataset>)"),
        ("check", "results/baselines/<suite>-<profile>-<device>.json"),
    ],
)
def test_help_at_80_columns_folds_a_long_default_path_and_cuts_no_word(command, default):
    """typer ends a word longer than the help column with "…": a path the user could not read."""
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "…" not in result.output
    assert default in "".join(result.output.replace("│", "").split())  # the folded lines, joined


def test_a_path_with_brackets_prints_as_written(tmp_path):
    """rich markup would read [exp1] as a style tag and print runs//x: a path the user cannot copy."""
    out = tmp_path / "[exp1]" / "x"
    result = invoke("run", "--suite", "smoke", "--out", out, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"into {out}" in result.output
    refused = invoke("report", tmp_path / "[bold]nothing")
    assert refused.exit_code == 2 and f"{tmp_path / '[bold]nothing'}: no such folder" in refused.output


def test_ctrl_c_outside_training_exits_130_with_a_message_not_a_traceback(tmp_path, monkeypatch):
    from gan_bench.reporting import collect

    def interrupted(paths):
        raise KeyboardInterrupt

    monkeypatch.setattr(collect, "collect", interrupted)
    result = invoke("report", tmp_path)
    assert result.exit_code == 130
    assert result.output.startswith("interrupted; finished runs and checkpoints are kept and no file is left")


def test_list_shows_recipes_suites_and_datasets():
    result = invoke("list")
    assert result.exit_code == 0
    for word in (
        "tf-mlp",
        "slides-mlp",
        "keras-mlp",
        "torch-mlp",
        "PyTorch",
        "Hanyang",
        "smoke",
        "fashion-mnist",
        "CC BY-SA 3.0",
    ):
        assert word in result.output


def test_list_names_every_dataset_a_suite_may_name_with_what_it_is_made_from():
    import gan_bench as gb

    listed = {d["name"]: d for d in gb.list_datasets()}
    assert list(listed) == [
        "mnist",
        "fashion-mnist",
        "stacked-mnist",
        "ring",
        "grid",
        "edges2digits",
        "edges2fashion",
        "digits2bold",
        "PATH",
    ]
    assert (listed["edges2fashion"]["made_from"], listed["edges2fashion"]["license"]) == (
        "built from fashion-mnist",
        "MIT",
    )
    assert (listed["ring"]["made_from"], listed["ring"]["license"]) == ("a formula", "")
    assert listed["mnist"]["attribution"] == "Yann LeCun, Corinna Cortes and Christopher J. C. Burges"
    rows = runner.invoke(app, ["list"], env={"COLUMNS": "400"}).output.split("datasets", 1)[1].splitlines()
    assert any(row.startswith("│ stacked-mnist │ three MNIST digits") and "│ CC BY-SA 3.0 " in row for row in rows)
    assert any(row.startswith("│ PATH          │ a translation dataset of your own") for row in rows)


def test_list_names_each_recipes_data_with_the_default_train_uses_first():
    rows = runner.invoke(app, ["list"], env={"COLUMNS": "400"}).output.split("suites", 1)[0].splitlines()
    data = {}
    for row in rows:
        cells = [cell.strip() for cell in row.split("│")]
        if len(cells) > 2 and cells[1]:
            name = cells[1]
        if len(cells) > 2 and cells[2].startswith("data: "):
            data[name] = cells[2]
    assert data["tf-mlp"] == "data: mnist (default), fashion-mnist"
    assert data["toy-gan"] == "data: ring (default), grid"
    assert data["dcgan-stacked"] == "data: stacked-mnist (default)"
    assert data["pix2pix"] == "data: edges2digits (default), edges2fashion, a translation folder"
    assert data["cyclegan"] == "data: digits2bold (default), a translation folder"


def test_list_at_80_columns_keeps_every_name_whole_and_names_the_suite_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "mine.toml").write_text(
        'name = "mine"\ndataset = "mnist"\nrecipes = ["tf-mlp"]\nseeds = [0]\n'
    )
    from gan_bench.cli.app import out_console

    monkeypatch.setattr(out_console, "width", 80)  # a terminal's: piped output is printed 1000 wide
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(map(len, lines)) <= 80
    cells = [cell.strip() for line in lines for cell in line.split("│")]
    for whole in (
        "quirks: raw_log=on",
        "normal_noise_mean_minus_one=off",
        "cgan-normal-noise,",
        "toy-gan-pacgan-code-pac2",
    ):
        assert whole in cells, whole  # before, a column each for quirks and suite files folded these mid-word
    footer = " ".join(result.output.split("datasets", 1)[1].split())
    assert "from the working directory's suites/: mine (suites/mine.toml)" in footer


def test_list_shows_a_suites_seeds_as_ranges(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "suites").mkdir()
    seeds = [*range(200), 500, 7000]
    (tmp_path / "suites" / "sweep.toml").write_text(
        f'name = "sweep"\ndataset = "mnist"\nrecipes = ["tf-mlp"]\nseeds = {seeds[::-1]}\n'
    )
    result = runner.invoke(app, ["list"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "sweep" in line)
    assert "│ 0-199,500,7000 │" in row
    assert "│ 0-2 " in next(line for line in result.output.splitlines() if "│ mnist " in line)


@pytest.mark.slow
def test_smoke_suite_leaves_every_run_directory(tmp_path):
    result = invoke(
        "run",
        "--suite",
        "mnist",
        "--profile",
        "smoke",
        "--seeds",
        "0",
        "--out",
        tmp_path,
        "--quiet",
        "--recipes",
        "tf-mlp,slides-mlp,keras-mlp,torch-mlp",
    )
    assert result.exit_code == 0, result.output
    for recipe in ("tf-mlp", "slides-mlp", "keras-mlp", "torch-mlp"):
        run = tmp_path / recipe / "seed-0"
        spec = json.loads((run / "spec.json").read_text())
        env = json.loads((run / "env.json").read_text())
        assert spec["recipe"]["name"] == recipe and spec["profile"] == "smoke" and len(spec["spec_hash"]) == 64
        assert env["dataset_sha256"] == catalogue.DATASETS["mnist"].sha256
        assert env["deterministic_algorithms"] is True
        for key in ("python", "torch", "torchvision", "cuda", "cudnn", "device_name", "os", "ganbench", "git_commit"):
            assert key in env
        assert (run / "history.csv").stat().st_size > 0
        assert list((run / "samples").glob("*.png"))
        assert (run / "checkpoints" / "final.pt").is_file()
        metrics = json.loads((run / "metrics.json").read_text())  # run scores each run as it finishes
        assert "fid_lenet_1k_test" in metrics["metrics"] and metrics["verdict"]
    rescored = invoke("score", tmp_path / "torch-mlp" / "seed-0")  # one run: scoring is the same code for each
    assert rescored.exit_code == 0, rescored.output
    assert "fid_lenet_1k_test" in rescored.output and "modes covered" in rescored.output


@pytest.mark.slow
def test_resume_skips_complete_runs(tmp_path):
    args = ["run", "--suite", "smoke", "--recipes", "tf-mlp", "--out", tmp_path, "--quiet"]
    assert invoke(*args).exit_code == 0
    before = (tmp_path / "tf-mlp" / "seed-0" / "checkpoints" / "final.pt").stat().st_mtime_ns
    again = invoke(*args[:-1])  # the same --out without --resume: refused before any bar is drawn
    assert again.exit_code == 2, again.output
    assert f"already holds this run; pass --resume {tmp_path} to continue it" in again.output
    assert "suite (steps)" not in again.output and "Traceback" not in again.output
    result = invoke(*args, "--resume", tmp_path)
    assert result.exit_code == 0 and "skipped" in result.output
    assert (tmp_path / "tf-mlp" / "seed-0" / "checkpoints" / "final.pt").stat().st_mtime_ns == before


@pytest.mark.slow
def test_resume_by_run_id_and_a_changed_suite_is_refused(tmp_path, monkeypatch):
    from gan_bench import defaults

    monkeypatch.setattr(defaults, "RUNS_ROOT", tmp_path / "runs")
    suite = tmp_path / "s.toml"
    suite.write_text('name = "s"\ndataset = "mnist"\nseeds = [0]\nrecipes = ["tf-mlp"]\nprofile = "smoke"\n')
    assert invoke("run", "--suite", suite, "--out", tmp_path / "runs" / "s-1", "--quiet").exit_code == 0
    again = invoke("run", "--suite", suite, "--resume", "s-1", "--quiet")  # the folder's name is its id
    assert again.exit_code == 0 and "skipped" in again.output
    suite.write_text(suite.read_text().replace("[0]", "[0, 1]"))
    changed = invoke("run", "--suite", suite, "--resume", "s-1", "--quiet")
    assert changed.exit_code == 2 and "suite.json: the suite has changed" in changed.output
    unknown = invoke("run", "--suite", suite, "--resume", "s-2")
    assert unknown.exit_code == 2 and "not the output folder of a suite run" in unknown.output


@pytest.mark.slow
def test_suite_json_keeps_pointing_at_its_suite_file_when_the_tree_moves(tmp_path, monkeypatch):
    tree = tmp_path / "a"
    tree.mkdir()
    (tree / "s.toml").write_text(
        'name = "s"\ndataset = "mnist"\nseeds = [0]\nrecipes = ["tf-mlp"]\nprofile = "smoke"\n'
        '[thresholds.smoke."tf-mlp"]\nmodes_covered = { min = 1 }\n'
    )
    monkeypatch.chdir(tree)
    assert invoke("run", "--suite", "s.toml", "--out", "out", "--quiet").exit_code == 0
    assert json.loads((tree / "out" / "suite.json").read_text())["file"] == "../s.toml"
    tree.rename(tmp_path / "b")
    monkeypatch.chdir(tmp_path)
    moved = invoke("check", tmp_path / "b" / "out")  # finds suite "s" (no built-in) through suite.json alone
    assert moved.exit_code == 0, moved.output
    assert "ganbench check: suite s" in moved.output and "1 passed, 0 failed" in moved.output
    alone = tmp_path / "copied"  # the runs without their suite file: say so, and how to go on
    shutil.copytree(tmp_path / "b" / "out", alone)
    lost = invoke("check", alone)
    assert lost.exit_code == 2
    assert f"{alone / 'suite.json'}: the suite file it names, {tmp_path / 's.toml'}, is not there" in lost.output
    assert "pass --suite with that suite's .toml file" in lost.output
    assert invoke("check", alone, "--suite", tmp_path / "b" / "s.toml").exit_code == 0


def test_a_changed_spec_is_refused_on_resume(tmp_path):
    assert invoke("train", "tf-mlp", "--profile", "smoke", "--out", tmp_path, "--quiet").exit_code == 0
    same = invoke("train", "tf-mlp", "--profile", "smoke", "--out", tmp_path)
    assert same.exit_code == 2 and f"{tmp_path} already holds this run; pass --resume to continue it" in same.output
    result = invoke("train", "tf-mlp", "--profile", "smoke", "--steps", "7", "--out", tmp_path, "--resume")
    assert result.exit_code == 2
    shown = " ".join(result.output.split())
    assert f"{tmp_path / 'spec.json'}: the directory holds a different run (schedule.steps: 30 there, 7 now;" in shown
    assert shown.endswith("); to continue it, give the settings it began with, or choose another --out")
    other = invoke("train", "keras-mlp", "--profile", "smoke", "--out", tmp_path)  # not resuming: another run
    assert " ".join(other.output.split()).endswith(f"); delete {tmp_path}, or choose another --out")


GOOD = 'name = "t"\ndataset = "mnist"\nseeds = [0]\nrecipes = ["tf-mlp"]\n'
BAD_SUITES = {
    "bad TOML": ('name = "t"\nseeds = [0,\n', "invalid TOML"),
    "unknown recipe": (GOOD.replace('"tf-mlp"', '"nope-gan"'), "field 'recipes': unknown recipe 'nope-gan'"),
    "wrong type": (GOOD.replace("[0]", '"zero"'), "field 'seeds'"),
    "negative seed": (GOOD.replace("[0]", "[-1]"), "field 'seeds.0'"),
    "negative length": (GOOD + '[steps]\n"tf-mlp" = -5\n', "field 'steps.tf-mlp'"),
    "zero length": (GOOD + '[steps]\n"tf-mlp" = 0\n', "field 'steps.tf-mlp'"),
    "unknown key": (GOOD + "epochs = 3\n", "field 'epochs': unknown key"),
    "unknown dataset": (GOOD.replace('"mnist"', '"cifar"'), "field 'dataset': unknown dataset 'cifar'"),
    "empty seeds": (GOOD.replace("[0]", "[]"), "field 'seeds'"),
    "missing field": ('name = "t"\nseeds = [0]\nrecipes = ["tf-mlp"]\n', "field 'dataset'"),
    "a recipe on data it cannot train on": (
        'name = "t"\nseeds = [0]\ndataset = ["ring", "mnist"]\nrecipes = ["toy-gan"]\n',
        "field 'dataset': recipe toy-gan trains on points data and dataset mnist is gray28; datasets for toy-gan: "
        'ring, grid; or add [only] "toy-gan" = ["ring"]',
    ),
    "only on data it cannot train on": (
        'name = "t"\nseeds = [0]\ndataset = ["ring", "mnist"]\nrecipes = ["toy-gan"]\n[only]\ntoy-gan = ["mnist"]\n',
        "field 'only.toy-gan': recipe toy-gan trains on points data and dataset mnist is gray28",
    ),
}


@pytest.mark.parametrize("case", list(BAD_SUITES))
def test_malformed_suite_exits_2_with_one_message(tmp_path, case):
    text, expected = BAD_SUITES[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = runner.invoke(app, ["run", "--suite", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.startswith(f"error: {path}: ")
    assert expected in result.output
    assert not (tmp_path / "out").exists()


def test_a_suite_file_is_read_as_utf8_with_or_without_a_byte_order_mark(tmp_path):
    text = GOOD.replace('name = "t"', 'name = "t"\ndescription = "Fréchet distance, ±1 std"')
    for name, data in (("plain.toml", text.encode()), ("bom.toml", b"\xef\xbb\xbf" + text.encode())):
        (tmp_path / name).write_bytes(data)
        result = runner.invoke(app, ["run", "--suite", str(tmp_path / name), "--out", str(tmp_path / "o"), "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "suite t: 1 run " in " ".join(result.output.split())
    (tmp_path / "latin1.toml").write_bytes(text.encode("latin-1"))
    result = runner.invoke(app, ["run", "--suite", str(tmp_path / "latin1.toml"), "--dry-run"])
    assert result.exit_code == 2 and "latin1.toml: cannot read suite file" in result.output


@pytest.mark.parametrize(
    "args,expected",
    [
        (["run", "--suite", "no-such-suite"], "no suite named 'no-such-suite'"),
        (["run", "--suite", "smoke", "--recipes", "dcgan"], "--recipes: 'dcgan' is not in suite"),
        (["run", "--suite", "smoke", "--seeds", "a,b"], "--seeds: expected comma-separated"),
        (["run", "--suite", "smoke", "--profile", "long"], "--profile: unknown profile 'long'"),
        (["train", "nope"], "unknown recipe 'nope'"),
        (["train", "tf-mlp", "--dataset", "cifar"], "unknown dataset 'cifar'"),
        (["train", "tf-mlp", "--device", "tpu"], "--device"),
        (["data", "verify", "cifar"], "unknown dataset 'cifar'"),
    ],
)
def test_bad_arguments_exit_2_with_one_message(args, expected):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_a_folder_given_for_suite_says_what_to_give_instead(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.toml").write_text(GOOD)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "suite.json").write_text("{}")
    expected = {
        "mine": "--suite: mine is a folder; give a suite name (ganbench list names them) or a suite's .toml "
        "file such as mine/a.toml",
        "old": "--suite: old is a folder; it is a suite run's output folder; `ganbench run --resume old` continues it",
    }
    for folder, message in expected.items():
        result = runner.invoke(app, ["run", "--suite", folder, "--out", "o", "--dry-run"])
        assert result.exit_code == 2 and " ".join(result.output.split()) == f"error: {message}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "old"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "--suite", "smoke", "--out", ""], "argument 5 is empty after --out"),
        (["report", ""], "argument 2 is empty"),
        (["train", "tf-mlp", "--out="], "--out= is empty"),
    ],
)
def test_an_empty_argument_is_refused_before_anything_runs(tmp_path, monkeypatch, capsys, args, message):
    """`--out "$OUT"` with OUT unset would otherwise mean the working directory."""
    from gan_bench.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["ganbench", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    assert capsys.readouterr().err == f"error: {message}; give a value (is a shell variable unset?)\n"
    assert list(tmp_path.iterdir()) == []


def test_non_empty_foreign_directory_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = invoke("train", "tf-mlp", "--profile", "smoke", "--out", tmp_path)
    assert result.exit_code == 2 and "holds no ganbench run" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_corrupt_fashion_mnist_stops_training_naming_the_file(tmp_path, monkeypatch, no_data_env):
    folder = tmp_path / "data" / "fashion-mnist"
    folder.mkdir(parents=True)
    for name in catalogue.FILENAMES.values():
        (folder / f"{name}.gz").write_bytes(b"\x1f\x8b broken")
    result = runner.invoke(
        app,
        [
            "train",
            "tf-mlp",
            "--dataset",
            "fashion-mnist",
            "--profile",
            "smoke",
            "--data-dir",
            str(tmp_path / "data"),
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 2
    assert str(folder / "train-images-idx3-ubyte.gz") in result.output
    assert "Traceback" not in result.output


def test_data_list_and_verify(tmp_path, no_data_env):
    listed = invoke("data", "list")
    assert listed.exit_code == 0 and "ganbench package" in listed.output
    assert invoke("data", "verify", "mnist").exit_code == 0
    missing = invoke("data", "verify", "fashion-mnist")
    assert missing.exit_code == 1 and "missing" in missing.output


def test_default_profile_is_announced(tmp_path):
    result = invoke("train", "tf-mlp", "--steps", "3", "--out", tmp_path, "--quiet")
    assert result.exit_code == 0
    assert "profile: quick (default on cpu" in result.output


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--dataset", "ring"], "error: --dataset: recipe tf-mlp trains on gray28 data and dataset ring is points;"),
        (["--direction", "BtoA"], "error: --direction: applies to translation data only, not mnist"),
        (["--profile", "fast"], "error: --profile: unknown profile 'fast'; valid: full, quick, smoke"),
        (["--cuda-graph"], "error: --cuda-graph: needs a CUDA device"),
    ],
)
def test_train_refusing_an_option_prints_only_the_error(tmp_path, args, error):
    """The profile and dataset lines say what was chosen, so they come only once every option is valid."""
    result = invoke("train", "tf-mlp", *args, "--device", "cpu", "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert result.output.startswith(error) and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "run").exists()


def test_train_twice_with_default_output_gives_identical_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        assert invoke("train", "tf-mlp", "--seed", "0", "--profile", "smoke", "--quiet").exit_code == 0
    runs = sorted((tmp_path / "results" / "runs").glob("train-*/tf-mlp/seed-0"))
    assert len(runs) == 2
    assert (runs[0] / "history.csv").read_bytes() == (runs[1] / "history.csv").read_bytes()
    result = invoke("train", "tf-mlp", "--seed", "0", "--profile", "smoke", "--resume")
    assert result.exit_code == 2 and "no unfinished run" in result.output


@pytest.mark.parametrize(("recipe", "dataset"), [("pix2pix", "edges2digits"), ("toy-gan", "ring"), ("tf-mlp", "mnist")])
def test_train_without_a_dataset_uses_the_first_the_recipe_trains_on(tmp_path, recipe, dataset):
    result = invoke("train", recipe, "--profile", "smoke", "--steps", "1", "--quiet", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "run" / "spec.json").read_text())["dataset"] == dataset
    assert f"dataset: {dataset} (the first {recipe} trains on; --dataset overrides)" in result.output


def test_score_refuses_a_folder_without_runs(tmp_path):
    result = runner.invoke(app, ["score", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a run directory" in result.output and "Traceback" not in result.output


def test_version_names_ganbench_torch_and_the_metric_library():
    import re
    import sys
    from pathlib import Path

    import torch
    import torch_fidelity
    import torchvision

    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    project = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE).group(1)
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == (
        f"ganbench {project} (torch {torch.__version__}, torchvision {torchvision.__version__.split('+')[0]}, "
        f"torch-fidelity {torch_fidelity.__version__}; Python {sys.version.split()[0]})"
    )
    assert runner.invoke(app, ["--version", "run", "--suite", "nope"]).exit_code == 0  # eager: nothing else runs


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_suite_whose_second_dataset_is_unusable_trains_nothing(tmp_path, no_data_env, damage):
    """The mnist runs used to train and score before the fashion-mnist ones found no files."""
    data = tmp_path / "data"
    data.mkdir()
    if damage == "corrupt":
        (data / "fashion-mnist").mkdir()
        for name in catalogue.FILENAMES.values():
            (data / "fashion-mnist" / f"{name}.gz").write_bytes(b"\x1f\x8b broken")
    suite = tmp_path / "two.toml"
    suite.write_text(
        'name = "two"\ndataset = ["mnist", "fashion-mnist"]\nrecipes = ["tf-mlp"]\nseeds = [0]\nprofile = "smoke"\n'
    )
    result = invoke("run", "--suite", suite, "--data-dir", data, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "Traceback" not in result.output
    named = (
        "Fashion-MNIST: cannot find train-images-idx3-ubyte(.gz)" if damage == "missing" else "not a valid gzip file"
    )
    assert named in result.output
    assert not (tmp_path / "out").exists()


def test_a_dry_run_refuses_data_a_run_would_refuse(tmp_path, no_data_env):
    """Offline, with Fashion-MNIST nowhere: the run would stop at its first step, so the dry run says so."""
    (tmp_path / "data").mkdir()
    suite = tmp_path / "two.toml"
    suite.write_text('name = "two"\ndataset = ["mnist", "fashion-mnist"]\nrecipes = ["tf-mlp"]\nseeds = [0]\n')
    result = invoke("run", "--suite", suite, "--data-dir", tmp_path / "data", "--out", tmp_path / "out", "--dry-run")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Fashion-MNIST: cannot find train-images-idx3-ubyte(.gz)" in result.output
    assert "torchvision download: disabled ($GANBENCH_OFFLINE is set)" in result.output
    assert not (tmp_path / "out").exists()


def test_a_dry_run_names_the_data_a_run_would_download_and_downloads_nothing(tmp_path, no_data_env, monkeypatch):
    monkeypatch.setenv(catalogue.ENV_OFFLINE, "0")

    def no_download(ds):
        raise AssertionError(f"a dry run downloaded {ds.name}")

    monkeypatch.setattr(catalogue, "download", no_download)
    suite = tmp_path / "two.toml"
    suite.write_text('name = "two"\ndataset = ["mnist", "fashion-mnist"]\nrecipes = ["tf-mlp"]\nseeds = [0]\n')
    result = invoke("run", "--suite", suite, "--out", tmp_path / "out", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "fashion-mnist: not on this machine; the run downloads it with torchvision first" in result.output
    assert "mnist: not on this machine" not in result.output.replace("fashion-mnist: not", "")  # mnist ships
    assert not (tmp_path / "out").exists()


def test_a_dry_run_refuses_a_damaged_dataset(tmp_path, no_data_env):
    data = tmp_path / "data" / "mnist"
    copy_mnist_as(data)
    (data / f"{catalogue.FILENAMES['test_labels']}.gz").write_bytes(b"\x1f\x8b broken")
    result = invoke("run", "--suite", "smoke", "--data-dir", tmp_path / "data", "--out", tmp_path / "out", "--dry-run")
    assert result.exit_code == 2 and "not a valid gzip file" in result.output
    assert not (tmp_path / "out").exists()
