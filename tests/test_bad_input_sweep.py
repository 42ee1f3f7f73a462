"""The bad-input sweep: each malformed input exits 2 with one clear message naming what is wrong
(the file or option, and what would be valid), no traceback, and nothing trained."""

from __future__ import annotations

import gzip
import json

import pytest
from PIL import Image
from test_translation_data import pix2pix_folder
from typer.testing import CliRunner

from gan_bench.cli import app
from gan_bench.data import catalogue

GOOD = 'name = "t"\ndataset = "mnist"\nseeds = [0]\nrecipes = ["tf-mlp"]\nprofile = "smoke"\n'


def suite(text):
    def make(tmp):
        path = tmp / "bad.toml"
        path.write_text(text)
        return ["run", "--suite", path, "--out", tmp / "out"], [str(path)]

    return make


def args(*argv, expect=()):
    return lambda tmp: ([a.format(tmp=tmp) if isinstance(a, str) else a for a in argv], list(expect))


def fashion_files(tmp, damage):
    """A --data-dir whose fashion-mnist train images are damaged by ``damage(bytes) -> bytes``."""
    folder = tmp / "data" / "fashion-mnist"
    folder.mkdir(parents=True)
    for name in catalogue.FILENAMES.values():
        source = catalogue.PACKAGE_ASSETS / "mnist" / f"{name}.gz"  # MNIST bytes: right format, wrong hash
        data = gzip.decompress(source.read_bytes())
        if name.startswith("train-images"):
            data = damage(data)
        (folder / f"{name}.gz").write_bytes(gzip.compress(data))
    return folder / "train-images-idx3-ubyte.gz"


def data_case(damage):
    def make(tmp):
        bad = fashion_files(tmp, damage)
        return (
            [
                "train",
                "tf-mlp",
                "--dataset",
                "fashion-mnist",
                "--profile",
                "smoke",
                "--data-dir",
                tmp / "data",
                "--out",
                tmp / "out",
            ],
            [str(bad)],
        )

    return make


def folder_case(spoil):
    def make(tmp):
        root = pix2pix_folder(tmp / "facades")
        bad = spoil(root)
        return (["train", "pix2pix", "--dataset", root, "--profile", "smoke", "--out", tmp / "out"], [str(bad)])

    return make


def mixed_sizes(root):
    path = root / "train" / "1.png"
    Image.new("RGB", (64, 32)).save(path)
    return path


def not_an_image(root):
    path = root / "train" / "notes.png"
    path.write_text("not a picture")
    return path


def corrupt_baseline(tmp, suite_run):
    root, runs, _ = suite_run
    baseline = tmp / "baseline.json"
    baseline.write_text("{ not json")
    return ["check", runs, "--suite", root / "mini.toml", "--baseline", baseline], [str(baseline)]


def foreign_run_dir(tmp):
    run = tmp / "run"
    run.mkdir()
    (run / "spec.json").write_text(json.dumps({"spec_hash": "x"}))
    return ["train", "tf-mlp", "--profile", "smoke", "--out", run, "--resume"], [str(run / "spec.json")]


CASES = {
    # suite files
    "TOML syntax error": suite('name = "t"\nseeds = [0,\n'),
    "unknown key": suite(GOOD + "epochs = 3\n"),
    "wrong type": suite(GOOD.replace("[0]", '"zero"')),
    "negative seed": suite(GOOD.replace("[0]", "[-1]")),
    "empty seeds": suite(GOOD.replace("[0]", "[]")),
    "zero steps": suite(GOOD + '[steps]\n"tf-mlp" = 0\n'),
    "unknown recipe in suite": suite(GOOD.replace('"tf-mlp"', '"nope-gan"')),
    "unknown dataset in suite": suite(GOOD.replace('"mnist"', '"cifar"')),
    "unknown profile in suite": suite(GOOD.replace('"smoke"', '"long"')),
    "threshold on an unknown metric": suite(GOOD + '[thresholds.smoke."tf-mlp"]\nfid_made_up = { max = 1 }\n'),
    "packing beyond 4": suite(GOOD.replace('"tf-mlp"', '"tf-mlp-pac9"')),
    "suite name that is a path": suite(GOOD.replace('"t"', '"../up"')),
    "seeds not a list": suite(GOOD.replace("[0]", "0")),
    # options
    "suite that does not exist": args("run", "--suite", "{tmp}/missing.toml", expect=["missing.toml"]),
    "recipe not in suite": args("run", "--suite", "smoke", "--recipes", "dcgan", expect=["--recipes"]),
    "seeds not numbers": args("run", "--suite", "smoke", "--seeds", "a,b", expect=["--seeds"]),
    "unknown recipe": args("train", "nope", expect=["nope"]),
    "unknown dataset": args("train", "tf-mlp", "--dataset", "cifar", expect=["cifar"]),
    "unknown device": args("train", "tf-mlp", "--device", "tpu", expect=["--device"]),
    "an --input option without --input": args(
        "score", "{tmp}/run", "--dataset", "mnist", expect=["--dataset: applies with --input only"]
    ),
    "--input options without --input": args(
        "score", "{tmp}/run", "--name", "x", "--z-dist", "normal", expect=["--name, --z-dist: apply with --input only"]
    ),
    "inception weights without the inception backbone": args(
        "run",
        "--suite",
        "smoke",
        "--inception-weights",
        "{tmp}/w.pth",
        "--out",
        "{tmp}/out",
        expect=["--inception-weights", "read only with --backbone inception", "scores with lenet"],
    ),
    "unknown profile to train": args(
        "train",
        "tf-mlp",
        "--profile",
        "long",
        "--out",
        "{tmp}/out",
        expect=["--profile", "'long'", "full, quick, smoke"],
    ),
    "empty profile to run": args(
        "run", "--suite", "smoke", "--profile=", "--out", "{tmp}/out", expect=["--profile", "''"]
    ),
    "too few samples in a dry run": args(
        "run", "--suite", "smoke", "--samples", "5", "--dry-run", expect=["--samples"]
    ),
    "too many samples in a dry run": args(
        "run", "--suite", "smoke", "--samples", "100001", "--dry-run", expect=["--samples", "10 to 100,000"]
    ),
    "missing data folder in a dry run": args(
        "run", "--suite", "smoke", "--data-dir", "{tmp}/nodata", "--dry-run", expect=["--data-dir", "nodata"]
    ),
    "unknown backbone in a dry run": args(
        "run", "--suite", "smoke", "--backbone", "vgg", "--dry-run", expect=["--backbone", "lenet, inception"]
    ),
    "no run directory named by report": args("report", "{tmp}/nowhere", expect=["nowhere: no such folder"]),
    "no run directory named by check": args("check", "{tmp}/nowhere", expect=["nowhere: no such folder"]),
    "unknown backbone": args("run", "--suite", "smoke", "--backbone", "vgg", expect=["--backbone"]),
    "unknown direction": args(
        "train", "pix2pix", "--dataset", "edges2digits", "--direction", "up", expect=["--direction"]
    ),
    "batch of zero seeds": args("run", "--suite", "smoke", "--batch-seeds", "0", expect=["--batch-seeds"]),
    "zero samples": args("score", "{tmp}", "--samples", "0", expect=["--samples"]),
    "resume without a run id": args("run", "--suite", "smoke", "--resume", expect=["--resume"]),
    "resume of an unknown run": args(
        "run", "--suite", "smoke", "--resume", "{tmp}/nothing-here", expect=["nothing-here"]
    ),
    "score a folder without runs": args("score", "{tmp}", expect=["not a run directory"]),
    "dataset folder that does not exist": args("train", "pix2pix", "--dataset", "{tmp}/nowhere", expect=["nowhere"]),
    "foreign run directory": foreign_run_dir,
    "corrupt baseline file": corrupt_baseline,
    # data
    "truncated IDX file": data_case(lambda b: b[: len(b) // 2]),
    "IDX file with the wrong hash": data_case(lambda b: b[:-1] + bytes([b[-1] ^ 1])),
    "image folder with mixed sizes": folder_case(mixed_sizes),
    "image folder with a non-image file": folder_case(not_an_image),
}


SLOW_CASES = {"corrupt baseline file", "truncated IDX file", "IDX file with the wrong hash"}  # train or hash data


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c in SLOW_CASES else c for c in CASES])
def test_bad_input_exits_2_with_one_clear_message(tmp_path, case, request):
    make = CASES[case]
    extra = [request.getfixturevalue("suite_run")] if make is corrupt_baseline else []  # needs scored runs
    argv, expected = make(tmp_path, *extra)
    result = CliRunner().invoke(app, [str(a) for a in argv])
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    flat = " ".join(line.strip(" │╭╮╰╯─") for line in output.splitlines())  # typer boxes wrap long lines
    assert flat.strip(), "no message"
    for fragment in expected:
        assert fragment in output or fragment in flat.replace(" ", "") or fragment in flat, (fragment, output)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.pt"))  # nothing trained


def test_the_sweep_has_at_least_twenty_cases():
    assert len(CASES) >= 20
