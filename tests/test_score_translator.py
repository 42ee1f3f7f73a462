"""`ganbench score --input` against a translation task: a translator made elsewhere (TorchScript,
torch.export or a module) is given the task's test A images and scored as a translation run's
A-to-B direction is, or refused with one message before anything is written."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.data import datasets
from gan_bench.training import checkpoint
from gan_bench.variants import build_system, get_recipe

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def scripted(module, path):
    with warnings.catch_warnings():  # torch 2.14 marks TorchScript deprecated
        warnings.simplefilter("ignore", FutureWarning)
        torch.jit.save(torch.jit.script(module), str(path))
    return path


def each_refused(cases: list, common: list, out) -> None:
    """Each (arguments, words) case: `score` with ``common`` exits 2 saying the words, and writes nothing."""
    for args, words in cases:
        result = invoke("score", *common, *args, "--out", out)
        assert result.exit_code == 2, (args, result.output)
        assert words in " ".join(result.output.split()), (args, result.output)
        assert not out.exists()


def values(metrics: dict) -> dict:
    return {name: entry["value"] for name, entry in metrics["metrics"].items()}


@pytest.fixture(scope="module")
def cyclegan_run(tmp_path_factory):
    """A CycleGAN run on digits2bold (smoke), scored on 100 test images, and its two generators."""
    out = tmp_path_factory.mktemp("cyclegan") / "run"
    gb.train("cyclegan", dataset="digits2bold", profile="smoke", out=out, device="cpu")
    gb.score([out], samples=100, device="cpu")
    system = build_system(get_recipe("cyclegan"), torch.device("cpu"), datasets.load("digits2bold"))
    system.G.load_state_dict(checkpoint.load(out / "checkpoints" / "final.pt")["system"]["G"])
    return out, system.G["ab"], system.G["ba"]


@pytest.fixture(scope="module")
def edges():
    return datasets.load("edges2digits")


class Lookup(torch.nn.Module):
    """A perfect translator: the true B image of each of the first ``n`` test A images, found by
    nearest A image, in [-1, 1]."""

    def __init__(self, task, n: int):
        super().__init__()
        self.register_buffer("a", task.test_a[:n].float().flatten(1) / 127.5 - 1)
        self.register_buffer("b", task.test_b[:n].float() / 127.5 - 1)

    def forward(self, x):
        return self.b[torch.cdist(x.flatten(1), self.a).argmin(1)]


class Blank(torch.nn.Module):
    """Every pixel ``value``, in the shape ``shape`` gives after the batch (default: the input's)."""

    def __init__(self, value: float = 0.0, shape: tuple[int, ...] | None = None):
        super().__init__()
        self.value, self.shape = value, shape
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        shape = [len(x), *self.shape] if self.shape is not None else list(x.shape)
        return torch.full(shape, self.value) * self.scale


@pytest.mark.slow  # a CycleGAN run trained and scored
def test_a_runs_generator_saved_as_torchscript_scores_as_the_run_did(cyclegan_run, tmp_path):
    run, G_ab, _ = cyclegan_run
    path = scripted(G_ab, tmp_path / "g_ab.pt")
    result = invoke("score", "--input", path, "--dataset", "digits2bold", "--samples", 100, "--out", tmp_path / "s")
    assert result.exit_code == 0, result.output
    scored = json.loads((tmp_path / "s" / "metrics.json").read_text())
    trained = json.loads((run / "metrics.json").read_text())
    ab = {name: value for name, value in values(trained).items() if "_ab_" in name}
    assert set(ab) == {"mapping_l1_ab_100_test", "fid_ab_lenet_100_test", "label_acc_ab_lenet_100"}
    assert values(scored) == ab  # the run's own A-to-B numbers, bit for bit
    assert scored["coverage"] == {**trained["coverage"], "nonfinite_samples": False}
    assert scored["input"]["kind"] == "TorchScript translator" and scored["input"]["shape"] == [100, 1, 28, 28]
    assert scored["protocol"]["task"] == "digits2bold" and scored["protocol"]["samples"] == 100


@pytest.mark.slow  # a CycleGAN run trained and scored
def test_a_runs_two_generators_given_as_a_pair_score_every_metric_the_run_has(cyclegan_run, tmp_path):
    run, G_ab, G_ba = cyclegan_run
    pair = ("--input", scripted(G_ab, tmp_path / "g_ab.pt"), "--input-ba", scripted(G_ba, tmp_path / "g_ba.pt"))
    result = invoke("score", *pair, "--dataset", "digits2bold", "--samples", 100, "--out", tmp_path / "s")
    assert result.exit_code == 0, result.output
    scored = json.loads((tmp_path / "s" / "metrics.json").read_text())
    trained = json.loads((run / "metrics.json").read_text())
    assert len(values(trained)) == 7 and values(scored) == values(trained)  # the cycle L1 and both ways, bit for bit
    assert scored["coverage"] == trained["coverage"]
    back = scored["input"]["back"]
    assert back["kind"] == "TorchScript translator" and back["path"] == str((tmp_path / "g_ba.pt").resolve())
    assert back["input"] == "the test B images as floats in [-1, 1], [B, C, H, W]" and len(back["sha256"]) == 64
    _, in_memory = gb.score_samples(G_ab, "digits2bold", name="pair", input_ba=G_ba, samples=100, out=tmp_path / "m")
    assert values(in_memory) == values(trained) and in_memory["input"]["back"]["class"] == type(G_ba).__qualname__
    with Image.open(tmp_path / "s" / "scored-samples.png") as grid:  # a | G(a) | F(G(a)), then b | F(b) | G(F(b))
        assert grid.size == (12 * 30 + 2, 4 * 30 + 2)


@pytest.mark.slow  # scores 100 images with every metric
def test_a_perfect_translator_has_no_pixel_error_and_keeps_every_label(edges, tmp_path):
    out, scored = gb.score_samples(Lookup(edges, 100), "edges2digits", name="lookup", samples=100, out=tmp_path / "s")
    got = values(scored)
    assert got["l1_100_test"] == pytest.approx(0, abs=1e-6) and got["ssim_100_test"] == pytest.approx(1, abs=1e-4)
    assert got["psnr_100_test"] == 100.0  # identical images count as 100 dB
    assert got["label_acc_lenet_100"] > 0.95 and scored["coverage"]["modes_covered"] == 10
    assert scored["input"]["output_range_assumed"] == [-1.0, 1.0]
    assert sorted(p.name for p in out.iterdir()) == [
        ".ganbench.lock",
        "metrics.json",
        "scored-samples.png",
        "spec.json",
    ]


@pytest.mark.slow  # torch.export, then two scorings
def test_an_exported_translator_with_a_static_batch_scores_as_the_module(edges, tmp_path):
    lookup = Lookup(edges, 100)
    program = torch.export.export(lookup, (torch.zeros(64, 1, 28, 28),))  # 100 images: the last batch is padded
    torch.export.save(program, str(tmp_path / "lookup.pt2"))
    _, from_module = gb.score_samples(lookup, "edges2digits", name="a", samples=100, out=tmp_path / "a")
    result = invoke("score", "--input", tmp_path / "lookup.pt2", "--dataset", "edges2digits", "--samples", 100,
                    "--out", tmp_path / "b")  # fmt: skip
    assert result.exit_code == 0, result.output
    from_file = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert values(from_file) == values(from_module) and from_file["input"]["kind"] == "torch.export translator"


def test_a_translator_module_keeps_its_mode_and_runs_without_autograd(edges, tmp_path):
    seen = []

    class Watched(Blank):
        def forward(self, x):
            seen.append((self.training, torch.is_grad_enabled()))
            return super().forward(x)

    G = Watched(0.5)
    G.train()
    gb.score_samples(G, "edges2digits", name="watched", samples=100, out=tmp_path / "s")
    assert seen and set(seen) == {(False, False)} and G.training


@pytest.mark.slow  # each case loads the task and runs the translator
@pytest.mark.parametrize(
    ("make", "words"),
    [
        (
            lambda tmp: Blank(0.5, (3, 28, 28)),
            "outputs of shape [100, 3, 28, 28]; edges2digits's B images are [N, 1, 28, 28]",
        ),
        (lambda tmp: Blank(2.0), "outputs span [2, 2]; expected [0, 1] or [-1, 1] (tanh)"),
        (lambda tmp: Blank(math.nan), "the generator's outputs hold NaN or inf"),
        (lambda tmp: torch.nn.Linear(3, 3), "calling it on A images of shape [100, 1, 28, 28] failed"),
    ],
)
def test_a_translator_that_returns_no_b_images_is_refused_and_nothing_is_written(edges, tmp_path, make, words):
    with pytest.raises(gb.DataError) as caught:
        gb.score_samples(make(tmp_path), "edges2digits", name="bad", samples=100, out=tmp_path / "s")
    assert str(caught.value).startswith(f"the translator given: {words}")
    assert not (tmp_path / "s").exists()


def test_cli_refusals_for_a_translation_task_exit_2_and_write_nothing(tmp_path):
    translator = scripted(torch.nn.Conv2d(1, 1, 1), tmp_path / "g.pt")
    (tmp_path / "images.npy").write_bytes(b"")
    exported = tmp_path / "wrong.pt2"
    torch.export.save(torch.export.export(torch.nn.Linear(4, 4), (torch.zeros(2, 4),)), str(exported))
    cases = [
        (["--input", tmp_path / "images.npy"], "--input: digits2bold scores a translator, a generator given the task's test A images, not samples"),
        (["--input", translator, "--z-dim", 8], "--z-dim and --z-dist: a translator of digits2bold takes its test A images, not noise"),
        (["--input", translator, "--conditional"], "--conditional: digits2bold has no classes to ask for"),
        (["--input", translator, "--backbone", "inception"], "--backbone: digits2bold samples are scored against its true B images"),
        (["--input", exported], "calls a translator with one input, the task's A images of shape [B, 1, 28, 28]"),
    ]  # fmt: skip
    each_refused(cases, ["--dataset", "digits2bold"], tmp_path / "s")


def pix2pix_folder(root, n: int = 6, size: int = 16):
    """A pix2pix-layout folder whose every A (left half) and B (right half) is a colour of its own."""
    for split in ("train", "test"):
        (root / split).mkdir(parents=True)
        for i in range(n):
            image = Image.new("RGB", (2 * size, size), (20 * i, 0, 0))
            image.paste(Image.new("RGB", (size, size), (250, 0, 30 * i)), (size, 0))
            image.save(root / split / f"{i}.png")
    return root


def test_a_translator_is_scored_on_a_pix2pix_folder_in_either_direction(tmp_path, monkeypatch):
    root = pix2pix_folder(tmp_path / "facades")
    b_to_a = Lookup(datasets.load(str(root), direction="BtoA"), 6)  # the true A of each B
    monkeypatch.chdir(tmp_path)
    result = invoke("score", "--input", scripted(b_to_a, tmp_path / "g.pt"), "--dataset", root, "--direction", "BtoA")
    assert result.exit_code == 0, result.output
    out = tmp_path / "results" / "scored" / "g-facades-BtoA"  # the folder's name, and the way scored
    scored = json.loads((out / "metrics.json").read_text())
    got = values(scored)
    assert set(got) == {"l1_6_test", "psnr_6_test", "ssim_6_test"}  # no evaluator: the pixel metrics
    assert got["l1_6_test"] == pytest.approx(0, abs=1e-6) and got["ssim_6_test"] == pytest.approx(1, abs=1e-4)
    assert scored["protocol"]["direction"] == "BtoA" and scored["protocol"]["test_images"] == 6
    assert scored["protocol"]["images_sha256"] == datasets.load(str(root)).sha256["images"]
    assert json.loads((out / "spec.json").read_text())["direction"] == "BtoA"
    with Image.open(out / "scored-samples.png") as grid:  # input, translation, true target: 6 triples, 12 a row
        assert grid.size == (12 * 18 + 2, 2 * 18 + 2)
        pixels = np.asarray(grid)
    given, made, true = (pixels[2:18, 2 + 18 * k : 18 + 18 * k] for k in range(3))
    assert given[0, 0].tolist() == [250, 0, 0] and made[0, 0].tolist() == true[0, 0].tolist() == [0, 0, 0]
    _, a_to_b = gb.score_samples(b_to_a, str(root), name="wrong-way", out=tmp_path / "ab")
    assert a_to_b["protocol"]["direction"] == "AtoB" and values(a_to_b)["l1_6_test"] > 0.3
    titles = [title for title, _ in gb.report([out, tmp_path / "ab"]).pipe(render_titles)]
    images = scored["protocol"]["images_sha256"]
    assert titles == [
        f"suite (none) · {root} · images {images[:12]} · profile full · cpu",
        f"suite (none) · {root} (BtoA) · images {images[:12]} · profile full · cpu",
    ]


def render_titles(df):
    from gan_bench.reporting.render import rich_tables

    return rich_tables(df)


def test_direction_and_folder_refusals_exit_2_and_write_nothing(tmp_path):
    from test_translation_data import cyclegan_folder

    translator = scripted(torch.nn.Conv2d(3, 3, 1), tmp_path / "g.pt")
    horses = cyclegan_folder(tmp_path / "horse2zebra")
    cases = [
        (["--dataset", horses], "--dataset: " + str(horses) + " has the CycleGAN layout, whose test domains are unaligned"),
        (["--dataset", tmp_path / "nothing"], "no such folder; a translation folder holds train/ and test/"),
        (["--dataset", "mnist", "--direction", "BtoA"], "--direction: applies to a translation task (edges2digits, "),
        (["--dataset", "edges2digits", "--direction", "BtoX"], "--direction: 'BtoX'; valid: AtoB, BtoA"),
        (["--dataset", "mnist-typo"], "or a translation folder's path (with a '/')"),
    ]  # fmt: skip
    each_refused(cases, ["--input", translator], tmp_path / "s")
    result = invoke("score", tmp_path, "--direction", "BtoA")
    assert result.exit_code == 2 and "--direction: applies with --input only" in result.output


@pytest.mark.slow  # builds the task's outlines
def test_a_translator_from_digits_to_outlines_is_scored_b_to_a(tmp_path):
    to_outlines = Lookup(datasets.load("edges2digits", direction="BtoA"), 100)
    _, scored = gb.score_samples(
        to_outlines, "edges2digits", name="outliner", samples=100, direction="BtoA", out=tmp_path / "s"
    )
    got = values(scored)
    assert set(got) == {"l1_100_test", "psnr_100_test", "ssim_100_test"}  # the evaluator reads digits, not outlines
    assert got["l1_100_test"] == pytest.approx(0, abs=1e-6) and scored["protocol"]["direction"] == "BtoA"


def test_a_cyclegan_folder_scores_a_pair_by_its_round_trips(tmp_path):
    from test_translation_data import cyclegan_folder

    root = cyclegan_folder(tmp_path / "horse2zebra")  # testA holds 2 images, testB 1
    keep = torch.nn.Identity()
    _, scored = gb.score_samples(keep, str(root), name="keep", input_ba=keep, out=tmp_path / "s")
    assert values(scored) == {"cycle_l1_1_test": pytest.approx(0, abs=1e-6)}  # no evaluator, no true mapping
    assert scored["protocol"]["samples"] == 1 and scored["input"]["back"]["kind"] == "in-memory translator"
    with pytest.raises(gb.InvalidOption, match="give the translator back too"):
        gb.score_samples(keep, str(root), name="keep", out=tmp_path / "one")


def test_translator_back_refusals_exit_2_and_write_nothing(tmp_path):
    translator = scripted(torch.nn.Conv2d(1, 1, 1), tmp_path / "g.pt")
    np.save(tmp_path / "images.npy", np.zeros((10, 28, 28), np.uint8))
    cases = [
        (["--dataset", "edges2digits", "--input-ba", translator], "--input-ba: a CycleGAN's translator back applies to an unpaired translation task (digits2bold, or a CycleGAN-layout folder); edges2digits is a paired task"),
        (["--dataset", "mnist", "--input-ba", translator], "mnist is no translation task"),
        (["--dataset", "digits2bold", "--input-ba", tmp_path / "none.pt"], "--input-ba: " + str(tmp_path / "none.pt") + " does not exist"),
        (["--dataset", "digits2bold", "--input-ba", tmp_path / "images.npy"], "is not a translator file; give it as TorchScript or torch.export"),
    ]  # fmt: skip
    each_refused(cases, ["--input", translator], tmp_path / "s")
    result = invoke("score", tmp_path, "--input-ba", translator)
    assert result.exit_code == 2 and "--input-ba: applies with --input only" in result.output


@pytest.mark.slow  # builds the task
def test_a_translator_whose_round_trip_leaves_the_range_it_first_showed_is_refused(tmp_path):
    class Shifting(torch.nn.Module):
        """0.5 everywhere (read as [0, 1]) on its first call, then -0.5: no one range."""

        def __init__(self):
            super().__init__()
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            return torch.full_like(x, 0.5 if self.calls == 1 else -0.5)

    with pytest.raises(gb.DataError) as caught:
        gb.score_samples(
            Shifting(), "digits2bold", name="s", input_ba=torch.nn.Identity(), samples=100, out=tmp_path / "s"
        )
    assert str(caught.value) == (
        "the translator given: its outputs for the other translator's images leave [0, 1], the range its outputs "
        "for the test images had (or are not finite); a translator's outputs keep one range"
    )
    assert not (tmp_path / "s").exists()


def test_a_folder_of_scored_samples_is_never_trained_resumed_or_scored_again(tmp_path):
    root = pix2pix_folder(tmp_path / "facades")
    translator = scripted(torch.nn.Tanh(), tmp_path / "g.pt")
    file_scored, memory_scored = tmp_path / "file", tmp_path / "memory"
    scored = invoke("score", "--input", translator, "--dataset", root, "--direction", "BtoA", "--out", file_scored)
    assert scored.exit_code == 0, scored.output
    gb.score_samples(torch.nn.Identity(), str(root), name="same", out=memory_scored)
    before = {p: p.read_bytes() for p in tmp_path.glob("*/*.json")}
    for folder in (file_scored, memory_scored):
        here = f"{folder} holds samples scored with --input, not a training run"
        expected = {
            ("train", "pix2pix", "--dataset", root, "--out", folder): f"{here}; choose another --out",
            ("train", "pix2pix", "--dataset", root, "--resume", "--out", folder): f"{here}; choose another --out",
            ("run", "--resume", folder): f"--resume {folder}: {here}; there is nothing to resume",
        }
        for args, words in expected.items():
            result = invoke(*args)
            assert result.exit_code == 2 and words in " ".join(result.output.split()), (args, result.output)
    again = " ".join(invoke("score", file_scored).output.split())
    command = f"ganbench score --input {translator} --dataset {root} --direction BtoA"
    assert f"{file_scored} holds samples scored with --input, not a training run; score the input again" in again
    assert f"into a new folder with `{command}`" in again
    again = " ".join(invoke("score", memory_scored).output.split())
    assert "given to the Python API in memory: score them again with gan_bench.score_samples" in again
    assert {p: p.read_bytes() for p in tmp_path.glob("*/*.json")} == before
    assert not (file_scored / "checkpoints").exists() and not (memory_scored / "history.csv").exists()
