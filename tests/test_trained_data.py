"""A run is scored and resumed on the data it trained on: a translation folder named by a relative
path means other images from another folder, or once its images change, and is then refused."""

from __future__ import annotations

import json
import shutil

import pytest
from PIL import Image
from test_resume_environment import Recorder
from test_score_translator import Blank
from test_translation_data import pix2pix_folder
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.training.signals import Interrupted

runner = CliRunner()


def _train(out, **options):
    return gb.train("pix2pix", "./facades", profile="smoke", steps=4, device="cpu", out=out, **options)


@pytest.fixture
def two_places(tmp_path, monkeypatch):
    """A run trained on ./facades in one folder, and another folder whose ./facades differs."""
    here, there = tmp_path / "here", tmp_path / "there"
    pix2pix_folder(here / "facades")
    pix2pix_folder(there / "facades")
    Image.new("RGB", (32, 16), (1, 2, 3)).save(there / "facades" / "test" / "0.png")
    monkeypatch.chdir(here)
    return here, there


def test_env_json_records_where_the_folder_was_read(two_places):
    here, _ = two_places
    env = json.loads((_train(here / "run").path / "env.json").read_text())
    assert env["dataset_files"] == {"root": str(here / "facades")}
    assert len(env["dataset_sha256"]["images"]) == 64


def test_scoring_from_another_folder_with_other_images_is_refused(two_places, monkeypatch):
    here, there = two_places
    run = _train(here / "run").path
    monkeypatch.chdir(there)
    result = runner.invoke(app, ["score", str(run)])
    shown = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert (
        f"{run / 'env.json'}: {run} trained on ./facades ({here / 'facades'} then), but ./facades "
        f"({there / 'facades'} here) holds other data (images sha256"
    ) in shown
    assert "score it where ./facades names the data it trained on" in shown
    assert not (run / "metrics.json").exists() and "Traceback" not in result.output
    monkeypatch.chdir(here)
    assert runner.invoke(app, ["score", str(run)]).exit_code == 0  # where it trained, it scores
    assert (run / "metrics.json").is_file()


def test_images_changed_in_place_are_refused_too(two_places):
    here, _ = two_places
    run = _train(here / "run").path
    Image.new("RGB", (32, 16), (9, 9, 9)).save(here / "facades" / "train" / "1.png")
    with pytest.raises(gb.UserError, match=r"trained on \./facades, but \./facades .* holds other data"):
        gb.score([run])
    assert not (run / "metrics.json").exists()


def test_resuming_from_another_folder_with_other_images_is_refused(two_places, monkeypatch):
    here, there = two_places
    run = here / "run"
    with pytest.raises(Interrupted):
        _train(run, progress=Recorder(stop_at=2))
    last = (run / "checkpoints" / "last.pt").read_bytes()
    env = (run / "env.json").read_bytes()
    monkeypatch.chdir(there)
    result = runner.invoke(app, ["train", "--resume", "--out", str(run)])
    assert result.exit_code == 2, result.output
    assert "resume it where ./facades names the data it trained on" in " ".join(result.output.split())
    assert (run / "checkpoints" / "last.pt").read_bytes() == last and (run / "env.json").read_bytes() == env
    monkeypatch.chdir(here)
    assert _train(run, resume=True).status == "resumed"


@pytest.mark.slow  # four runs trained and scored
def test_runs_on_other_images_under_one_path_are_never_pooled(two_places):
    here, _ = two_places
    first = _train(here / "old" / "run", seed=0).path
    gb.score([first])
    Image.new("RGB", (32, 16), (9, 9, 9)).save(here / "facades" / "train" / "1.png")
    second = _train(here / "new" / "run", seed=1).path
    gb.score([second])
    digests = [json.loads((r / "env.json").read_text())["dataset_sha256"]["images"][:12] for r in (first, second)]
    result = runner.invoke(app, ["check", str(first), str(second)])
    assert result.exit_code == 2
    assert f"different settings (data.images_sha256: {digests[0]}, {digests[1]})" in " ".join(result.output.split())
    df = gb.report([first, second])  # two folders: a table each, never one mean
    assert list(df["spec.data.images_sha256"]) == digests
    shown = runner.invoke(app, ["report", str(first), str(second)])
    assert shown.exit_code == 0 and shown.output.count("pix2pix │ 1 ") == 2, shown.output
    scored, _ = gb.score_samples(Blank(), "./facades", name="blank", profile="smoke", out=here / "blank")
    shown = runner.invoke(app, ["report", str(first), str(scored)])  # on the new images: not beside the run
    titles = [line.strip() for line in shown.output.splitlines() if "suite (none)" in line]
    assert sorted(titles) == sorted(f"suite (none) · ./facades · images {d} · profile smoke · cpu" for d in digests)


@pytest.mark.slow  # three runs trained and scored
def test_a_baseline_records_a_folders_images_and_check_refuses_runs_on_others(two_places):
    here, _ = two_places
    suite = here / "mine.toml"
    suite.write_text(
        'name = "mine"\ndataset = "./facades"\nrecipes = ["pix2pix"]\nseeds = [0]\nprofile = "smoke"\n'
        "[thresholds.smoke.pix2pix]\nl1_3_test = { baseline = true, tolerance = 0.5 }\n"
    )
    old = gb.run_suite(suite, out=here / "old").root
    baseline = here / "base.json"
    gb.write_baseline([old], out=baseline)
    digest = json.loads((old / "pix2pix" / "seed-0" / "env.json").read_text())["dataset_sha256"]["images"][:12]
    assert json.loads(baseline.read_text())["images"] == {"./facades": digest}
    assert gb.check([old], baseline=baseline).passed
    Image.new("RGB", (32, 16), (9, 9, 9)).save(here / "facades" / "train" / "1.png")
    new = gb.run_suite(suite, out=here / "new").root
    with pytest.raises(
        gb.UserError, match=rf"base.json: made for another images of \./facades '{digest}' \(the runs: "
    ):
        gb.check([new], baseline=baseline)


@pytest.mark.slow  # two runs trained
def test_a_moved_folder_is_named_where_the_run_read_it(two_places):
    here, _ = two_places
    done = _train(here / "run").path
    with pytest.raises(Interrupted):
        _train(here / "unfinished", progress=Recorder(stop_at=2))
    (here / "facades").rename(here / "moved")
    for args, doing in (
        (["score", str(done)], "score"),
        (["train", "--resume", "--out", str(here / "unfinished")], "resume"),
    ):
        result = runner.invoke(app, args)
        run = done if doing == "score" else here / "unfinished"
        assert result.exit_code == 2, result.output
        assert (
            f"{run} trained on ./facades ({here / 'facades'} then), which names no folder here "
            f"({here / 'facades'}); {doing} it where ./facades names the data it trained on"
        ) in " ".join(result.output.split())
    assert not (done / "metrics.json").exists()


def test_a_formula_datasets_digest_from_another_cpu_does_not_stop_scoring(tmp_path):
    """The 2D mixtures are drawn with float maths whose last bit may differ between CPUs' vector
    units; their digest is a record, not a check (the folder's images are what may change)."""
    run = gb.train("toy-gan", "ring", profile="smoke", steps=2, device="cpu", out=tmp_path / "ring").path
    env = json.loads((run / "env.json").read_text())
    (run / "env.json").write_text(json.dumps({**env, "dataset_sha256": {"train_images": "0" * 64}}))
    gb.score([run], samples=50)
    assert json.loads((run / "metrics.json").read_text())["dataset"] == "ring"


def test_a_folders_images_hash_as_loading_them_records(tmp_path):
    from test_translation_data import cyclegan_folder

    from gan_bench.data import datasets, folders

    for root in (pix2pix_folder(tmp_path / "p"), cyclegan_folder(tmp_path / "c")):
        (root / ".DS_Store").write_bytes(b"x")
        assert folders.images_sha256(root) == datasets.load(str(root)).sha256["images"]


@pytest.mark.slow  # a suite of two runs trained and scored
def test_a_suite_run_continued_on_other_images_is_refused_before_any_run_trains(two_places):
    here, _ = two_places
    suite = here / "mine.toml"
    suite.write_text('name = "mine"\ndataset = "./facades"\nrecipes = ["pix2pix"]\nseeds = [0, 1]\nprofile = "smoke"\n')
    root = gb.run_suite(suite, out=here / "suite").root
    shutil.rmtree(root / "pix2pix" / "seed-1")  # as if it had not begun
    Image.new("RGB", (32, 16), (9, 9, 9)).save(here / "facades" / "train" / "1.png")
    for dry_run in (["--dry-run"], []):  # the plan says what the run would refuse
        result = runner.invoke(app, ["run", "--resume", str(root), *dry_run])
        assert result.exit_code == 2, result.output
        assert f"{root / 'pix2pix' / 'seed-0'} trained on ./facades, but ./facades" in " ".join(result.output.split())
        assert not (root / "pix2pix" / "seed-1").exists()
