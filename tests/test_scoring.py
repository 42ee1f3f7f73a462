"""Scoring on real data, planted failures and a smoke run: values, files and protocol names."""

import json
import shutil
import sys

import pytest
import torch

from gan_bench.data import catalogue
from gan_bench.errors import UserError
from gan_bench.executors.local import run_all
from gan_bench.metrics import coverage, diagnostics, evaluators, fidelity
from gan_bench.rundir.layout import RunDir
from gan_bench.scoring.score_run import score_run
from gan_bench.suite.run_spec import RunSpec
from gan_bench.training.progress import Reporter

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def mnist():
    return catalogue.load("mnist")


@pytest.fixture(scope="module")
def test_split_scores(mnist):
    reference = mnist.test_images[:, None]
    metrics = fidelity.evaluator_metrics(mnist.train_images[:10_000, None], reference, "mnist", "test", False)
    logits, _ = fidelity.evaluator_outputs(reference, "mnist", CPU)
    return metrics, coverage.coverage(logits, mnist.test_labels)


@pytest.mark.slow
def test_train_against_test_is_close_and_noise_is_far(mnist, test_split_scores):
    metrics, _ = test_split_scores
    fid = metrics["fid_lenet_10k_test"]
    assert fid["value"] < 2.0
    assert (fid["samples"], fid["reference_split"], fid["backbone"]) == (10_000, "test", "lenet")
    assert fid["backbone_sha256"] == evaluators.PINS["mnist"].sha256
    noise = torch.randint(0, 256, (2000, 1, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    far = fidelity.evaluator_metrics(noise, mnist.test_images[:, None], "mnist", "test", False)
    assert far["fid_lenet_2k_test"]["value"] > 100 * fid["value"]
    assert far["precision_lenet_2k_test"]["value"] < 0.05


@pytest.mark.slow
def test_test_split_has_high_is_and_full_coverage(mnist, test_split_scores):
    _, cover = test_split_scores
    logits, _ = fidelity.evaluator_outputs(mnist.test_images[:, None], "mnist", CPU)
    is_value = fidelity.evaluator_metrics(
        mnist.test_images[:, None], mnist.test_images[:, None], "mnist", "test", False
    )["is_lenet_10k"]["value"]
    assert is_value >= 9.5
    assert cover["modes_covered"] == 10 and cover["kl_generated_data"] < 0.01


def test_single_class_set_is_mode_collapse(mnist):
    ones = mnist.test_images[mnist.test_labels == 1][:, None]
    logits, _ = fidelity.evaluator_outputs(ones, "mnist", CPU)
    cover = coverage.coverage(logits, mnist.test_labels)
    assert cover["modes_covered"] == 1
    numbers = {
        "nonfinite": False,
        "d_fake_mean": 0.4,
        "d_real_mean": 0.6,
        "g_grad_ratio": 0.5,
        "d_loss_cv": 0.1,
        "g_loss_cv": 0.1,
        "d_fake_sd": 0.1,
    }
    assert diagnostics.verdict(numbers, cover)[0] == "mode-collapse"


@pytest.mark.slow
@pytest.mark.parametrize("dataset,minimum", [("mnist", 0.993), ("fashion-mnist", 0.91)])
def test_shipped_evaluators_match_their_pins_and_accuracy(dataset, minimum):
    model, sha = evaluators.load(dataset)
    pin = evaluators.PINS[dataset]
    assert sha == pin.sha256 and pin.path.stat().st_size < 2_000_000
    if dataset != "mnist" and not __import__("os").environ.get(catalogue.ENV_DATA):
        pytest.skip("Fashion-MNIST test split is read through GANBENCH_DATA (set by .ci/run)")
    data = catalogue.load(dataset)
    accuracy = evaluators.accuracy(model, data.test_images, data.test_labels)
    assert accuracy >= minimum
    assert accuracy == pytest.approx(pin.test_accuracy, abs=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("dataset", list(evaluators.PINS))
def test_evaluator_training_reproduces_its_pinned_slice(dataset, monkeypatch):
    if dataset != "mnist" and not __import__("os").environ.get(catalogue.ENV_DATA):
        pytest.skip("Fashion-MNIST is read through GANBENCH_DATA (set by .ci/run)")
    data = catalogue.load(dataset)
    pin = evaluators.PINS[dataset]
    model = evaluators.train(data.train_images, data.train_labels, pin.plan, max_steps=pin.slice_steps)
    distance = evaluators.sketch_distance(evaluators.state_sketch(model.state_dict()), pin.slice_sketch)
    assert distance <= evaluators.SLICE_TOLERANCE
    if dataset == "mnist":  # the tolerance tells trainings apart: one step fewer is far outside it
        short = evaluators.train(data.train_images, data.train_labels, pin.plan, max_steps=pin.slice_steps - 1)
        short_distance = evaluators.sketch_distance(evaluators.state_sketch(short.state_dict()), pin.slice_sketch)
        assert short_distance > 5 * evaluators.SLICE_TOLERANCE


def test_state_sketch_distance_follows_the_l2_distance_of_the_weights():
    torch.manual_seed(0)
    a = {"w": torch.randn(300, 200), "b": torch.randn(50), "steps": torch.tensor(7)}
    b = {"w": a["w"] + 1e-3 * torch.randn(300, 200), "b": a["b"].clone(), "steps": torch.tensor(9)}
    flat = torch.cat([a["b"], a["w"].flatten()]).double()
    true = (b["w"] - a["w"]).double().norm().item() / flat.norm().item()
    estimate = evaluators.sketch_distance(evaluators.state_sketch(b), evaluators.state_sketch(a))
    assert 0.5 * true < estimate < 1.5 * true
    assert evaluators.state_sketch(a) == evaluators.state_sketch({k: v.clone() for k, v in a.items()})


def test_tampered_evaluator_is_refused(tmp_path, monkeypatch):
    pin = evaluators.PINS["mnist"]
    state = torch.load(pin.path, weights_only=True)
    state["head.bias"] += 1
    fake = tmp_path / "evaluators" / "mnist.pt"
    fake.parent.mkdir()
    torch.save(state, fake)
    monkeypatch.setattr(evaluators, "PACKAGE_ASSETS", tmp_path)
    evaluators._verified_state.cache_clear()
    try:
        with pytest.raises(UserError, match="does not match the pinned"):
            evaluators.load("mnist")
    finally:
        evaluators._verified_state.cache_clear()


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke")
    spec = RunSpec(recipe="tf-mlp", dataset="mnist", seed=0, profile="smoke", device="cpu")
    run_all([spec], out, resume=False, reporter=Reporter())
    return RunDir(out / "tf-mlp" / "seed-0")


@pytest.mark.slow
def test_smoke_run_scores_everything_and_repeats_exactly(smoke_run):
    first = score_run(smoke_run)
    text = smoke_run.metrics.read_text()
    assert set(first["metrics"]) == {
        "is_lenet_1k",
        "fid_lenet_1k_test",
        "kid_lenet_1k_test",
        "precision_lenet_1k_test",
        "recall_lenet_1k_test",
    }
    assert first["protocol"]["evaluator_sha256"] == evaluators.PINS["mnist"].sha256
    assert first["coverage"]["modes_total"] == 10 and len(first["coverage"]["class_histogram"]) == 10
    # 30 steps of tf-mlp draw one or two digit classes: fewer than 8 of 10 covered is mode collapse
    covered = first["coverage"]["modes_covered"]
    assert covered < 8 and sum(first["coverage"]["class_histogram"]) == 1000
    assert (first["verdict"], first["verdict_reason"]) == ("mode-collapse", f"{covered} of 10 classes covered")
    over_time = first["diagnostics"]["quality_over_time"]
    assert [p["step"] for p in over_time] == [10, 20, 30]
    # the curve draws the run's own 1,000 samples (not 2,000), so its last point, the final G, is the score
    assert over_time[-1]["fid_lenet_1k_test"] == pytest.approx(first["metrics"]["fid_lenet_1k_test"]["value"], rel=1e-9)
    assert over_time[-1]["modes_covered"] == covered
    score_run(smoke_run)
    assert smoke_run.metrics.read_text() == text
    assert json.loads(text) == first


def counted_draws(monkeypatch) -> list[int]:
    """The sample count of each draw scoring makes from here on."""
    from gan_bench.scoring import modality_scores as scoring

    drawn, generate = [], scoring.generate
    monkeypatch.setattr(scoring, "generate", lambda system, n, *a, **k: drawn.append(n) or generate(system, n, *a, **k))
    return drawn


@pytest.mark.slow
def test_the_final_snapshot_reuses_the_scored_samples_and_scores_as_drawing_them_again(
    smoke_run, tmp_path, monkeypatch
):
    import shutil

    from gan_bench.scoring import modality_scores as scoring

    copies = [tmp_path / "reused", tmp_path / "drawn-again"]
    for copy in copies:
        shutil.copytree(smoke_run.root, copy)
        (copy / "metrics.json").unlink(missing_ok=True)
    drawn = counted_draws(monkeypatch)
    reused = score_run(RunDir(copies[0]))
    assert drawn == [1000, 1000, 1000]  # the score's samples, then the snapshots of steps 10 and 20; not step 30's
    monkeypatch.setattr(scoring, "same_draw", lambda *args: False)
    assert score_run(RunDir(copies[1])) == reused
    assert len(drawn) == 7


@pytest.mark.slow
def test_with_batch_statistics_too_the_final_snapshot_reuses_the_scored_samples(tmp_path, monkeypatch):
    """Drawing with G's batch norm in training mode moves its batch counters; the final G is the
    one before the draw, so its snapshot still matches it."""
    import gan_bench as gb
    from gan_bench.scoring import modality_scores as scoring

    runs = [tmp_path / "reused", tmp_path / "drawn-again"]
    gb.train("dcgan-mnist", profile="smoke", steps=2, out=runs[0], device="cpu")
    shutil.copytree(runs[0], runs[1])
    snapshots = len(list((runs[0] / "checkpoints").glob("g-step-*.pt")))
    drawn = counted_draws(monkeypatch)
    reused = score_run(RunDir(runs[0]), batch_norm="batch")
    assert len(drawn) == snapshots  # the score's samples, then every snapshot but the final one
    monkeypatch.setattr(scoring, "same_draw", lambda *args: False)
    assert score_run(RunDir(runs[1]), batch_norm="batch") == reused


def test_a_snapshot_is_drawn_again_unless_it_is_the_final_g_in_the_same_batches():
    from types import SimpleNamespace

    from gan_bench.scoring.drawing import same_draw

    g = torch.nn.BatchNorm1d(3)
    system = SimpleNamespace(G=g, recipe=SimpleNamespace(batch_size=64))
    final = {k: v.clone() for k, v in g.state_dict().items()}
    assert same_draw(system, final, 2000, 10_000, "running")  # two whole batches of 1000
    assert not same_draw(system, final, 1500, 10_000, "running")  # the second batch cut short
    assert same_draw(system, final, 1000, 1000, "batch")  # all the samples
    assert not same_draw(system, final, 2000, 10_000, "batch")  # 31 batches of 64, then 16
    assert same_draw(system, final, 1920, 10_000, "batch")
    with torch.no_grad():
        g.running_mean += 1
    assert not same_draw(system, final, 2000, 10_000, "running")  # an earlier G


@pytest.mark.slow
class _StopFrom:
    """Stands in for STOP_REQUESTED: set from its ``k``-th look on; records the function of each look."""

    def __init__(self, k: int):
        self.k, self.looks = k, []

    def is_set(self) -> bool:
        self.looks.append(sys._getframe(2).f_code.co_name)  # 1: stop_scoring_if_requested, 2: its caller
        return len(self.looks) >= self.k


@pytest.mark.slow
def test_a_stop_requested_ends_scoring_at_its_next_batch_with_nothing_written(smoke_run, tmp_path, monkeypatch):
    """A run --jobs lane scores in a thread or worker that Ctrl-C does not interrupt: it used to
    finish its scoring (minutes with Inception on a CPU) before the command could stop. Each
    scoring pass now looks between its batches, and scoring ends at the first look after the stop."""
    from gan_bench.training import signals

    copy = tmp_path / "run"
    shutil.copytree(smoke_run.root, copy)
    (copy / "metrics.json").unlink(missing_ok=True)
    scored = score_run(RunDir(copy))  # the reference's features and radii are kept from here on
    (copy / "metrics.json").unlink()
    never = _StopFrom(10**9)
    monkeypatch.setattr(signals, "STOP_REQUESTED", never)
    assert score_run(RunDir(copy)) == scored
    assert {"generate", "__getitem__", "evaluator_outputs"} <= set(never.looks)  # drawing, torch-fidelity, ours
    (copy / "metrics.json").unlink()
    for k in (1, len(never.looks) // 2, len(never.looks)):
        monkeypatch.setattr(signals, "STOP_REQUESTED", _StopFrom(k))
        with pytest.raises(signals.ScoringStopped, match="--resume scores it"):
            score_run(RunDir(copy))
        assert not (copy / "metrics.json").exists()


def test_translating_test_images_stops_between_batches_when_asked(monkeypatch):
    from gan_bench.scoring import translation
    from gan_bench.training import signals

    class Identity:
        def translate(self, images, way):
            return images

    images = torch.zeros(3 * translation.BATCH, 1, 4, 4, dtype=torch.uint8)
    looks = _StopFrom(2)
    monkeypatch.setattr(signals, "STOP_REQUESTED", looks)
    with pytest.raises(signals.ScoringStopped):
        translation.translated(Identity(), images, "ab", 0, CPU)
    assert looks.looks == ["translated", "translated"]  # stopped before its second batch


def test_incomplete_run_is_not_scored(smoke_run, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(smoke_run.root, copy)
    (copy / "checkpoints" / "final.pt").unlink()
    with pytest.raises(UserError, match="not complete"):
        score_run(RunDir(copy))


@pytest.mark.slow
def test_scoring_several_runs_checks_them_all_before_scoring_any(smoke_run, tmp_path):
    import gan_bench as gb

    for name in ("a", "b"):
        shutil.copytree(smoke_run.root, tmp_path / name)
        (tmp_path / name / "metrics.json").unlink(missing_ok=True)
    (tmp_path / "b" / "checkpoints" / "final.pt").unlink()
    with pytest.raises(UserError, match=f"{tmp_path / 'b'}: the run is not complete"):
        gb.score([tmp_path / "a", tmp_path / "b"])
    assert not (tmp_path / "a" / "metrics.json").exists()  # the first was not scored either


@pytest.mark.slow
def test_scoring_several_runs_loads_their_dataset_once_and_leaves_it_as_it_was(smoke_run, tmp_path, monkeypatch):
    """Scoring loaded and verified the dataset again for every run (0.25 s for MNIST here), where a
    suite's or a score command's runs share it; shared, it must come out of scoring unchanged."""
    import gan_bench as gb
    from gan_bench.data import datasets

    for name in ("a", "b", "c", "alone"):
        shutil.copytree(smoke_run.root, tmp_path / name)
        (tmp_path / name / "metrics.json").unlink(missing_ok=True)
    score_run(RunDir(tmp_path / "alone"), samples=100)  # its own load
    loaded, load = [], datasets.load
    monkeypatch.setattr(datasets, "load", lambda *a, **k: loaded.append(load(*a, **k)) or loaded[-1])
    gb.score([tmp_path / name for name in ("a", "b", "c")], samples=100)
    assert len(loaded) == 1
    data = loaded[0]
    assert torch.equal(data.train_images, load("mnist").train_images)
    assert torch.equal(data.test_images, load("mnist").test_images)
    assert torch.equal(data.test_labels, load("mnist").test_labels)
    alone = (tmp_path / "alone" / "metrics.json").read_bytes()
    assert [(tmp_path / name / "metrics.json").read_bytes() == alone for name in "abc"] == [True] * 3


@pytest.mark.slow
def test_a_suite_scores_with_the_dataset_it_trained_on(tmp_path, monkeypatch):
    """A suite's runs load the dataset once for training and scoring, where scoring loaded it
    again for each run."""
    import gan_bench as gb
    from gan_bench.data import datasets

    loaded, load = [], datasets.load
    monkeypatch.setattr(datasets, "load", lambda *a, **k: loaded.append(a[0]) or load(*a, **k))
    done = gb.run_suite("smoke", recipes=["tf-mlp", "slides-mlp"], out=tmp_path / "o", device="cpu", samples=100)
    assert [r.status for r in done.results] == ["trained", "trained"]
    assert loaded == ["mnist"]


@pytest.mark.slow
def test_a_scored_run_is_kept_when_asked_the_same_and_replaced_only_when_told(smoke_run, tmp_path):
    import gan_bench as gb
    from gan_bench.errors import InvalidOption

    run = tmp_path / "run"
    shutil.copytree(smoke_run.root, run)
    (run / "metrics.json").unlink(missing_ok=True)
    gb.score([run], samples=100)
    text, written = (run / "metrics.json").read_text(), (run / "metrics.json").stat().st_mtime_ns

    class Messages(Reporter):
        def __init__(self):
            self.heard = []

        def message(self, text):
            self.heard.append(text)

        def scoring(self, label):
            self.heard.append(("scoring", label))

    heard = Messages()
    kept = gb.score([run], samples=100, batch_norm="batch", progress=heard)  # tf-mlp's G has no batch norm
    assert kept[run] == json.loads(text) and (run / "metrics.json").stat().st_mtime_ns == written
    assert heard.heard == [f"{run}: scored already with these options; metrics.json kept (--replace scores it again)"]
    with pytest.raises(InvalidOption) as refused:
        gb.score([run])  # the smoke profile scores 1,000 samples
    assert str(refused.value) == (
        f"{run / 'metrics.json'}: scored already with 100 samples, and this asks for 1,000 samples; "
        "pass --replace to score it again and replace the file, or score a copy of the run"
    )
    assert (run / "metrics.json").read_text() == text
    replaced = gb.score([run], replace=True)[run]
    assert replaced["protocol"]["samples"] == 1000 and "fid_lenet_1k_test" in replaced["metrics"]
    (run / "metrics.json").write_text("{}")  # not a result: scored again without --replace
    assert gb.score([run], samples=100)[run] == json.loads(text)
