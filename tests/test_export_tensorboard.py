"""`ganbench export tensorboard`: runs as TensorBoard events, read back with TensorBoard's own reader."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import sys

import numpy as np
import pytest
import torch
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from typer.testing import CliRunner

import gan_bench as gb
from gan_bench.cli import app
from gan_bench.rundir.lock import LOCK_NAME, output_lock

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def events(folder):
    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0, "tensors": 0})
    acc.Reload()
    return acc


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("tb") / "run"
    gb.train("tf-mlp", profile="smoke", steps=12, out=out, device="cpu")
    return out


def test_out_names_the_event_folder_as_logdir_does(trained, tmp_path):
    by_logdir = invoke("export", "tensorboard", trained, "--logdir", tmp_path / "a")
    by_out = invoke("export", "tensorboard", trained, "--out", tmp_path / "b")
    assert by_logdir.exit_code == by_out.exit_code == 0, by_out.output
    scalars = [events(tmp_path / way / "mnist" / "tf-mlp" / "seed-0").Scalars("history/d_loss") for way in "ab"]
    assert [(e.step, e.value) for e in scalars[0]] == [(e.step, e.value) for e in scalars[1]] and scalars[0]


def test_history_and_sample_grids_read_back_as_written(trained, tmp_path):
    result = invoke("export", "tensorboard", trained, "--logdir", tmp_path / "tb")
    assert result.exit_code == 0, result.output
    acc = events(tmp_path / "tb" / "mnist" / "tf-mlp" / "seed-0")
    with open(trained / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(trained / "timing.csv", newline="") as f:
        wall = {int(r["step"]): float(r["wall_time_s"]) for r in csv.DictReader(f)}
    for column in ("d_loss", "g_loss", "d_real", "d_fake", "g_grad_norm", "d_grad_norm"):
        got = acc.Scalars(f"history/{column}")
        assert [e.step for e in got] == [int(r["step"]) for r in rows]
        assert [e.value for e in got] == pytest.approx([float(r[column]) for r in rows], rel=1e-6)
        assert [e.wall_time for e in got] == pytest.approx([wall[int(r["step"])] for r in rows], abs=1e-3)
    pngs = sorted((trained / "samples").glob("step-*.png"))
    images = acc.Images("samples")
    assert [e.step for e in images] == [int(p.stem.split("-")[1]) for p in pngs] and len(images) >= 2
    for event, png in zip(images, pngs):
        decoded = np.asarray(Image.open(io.BytesIO(event.encoded_image_string)).convert("RGB"))
        assert np.array_equal(decoded, np.asarray(Image.open(png).convert("RGB")))
    assert "spec/text_summary" in acc.Tags()["tensors"]  # the spec.json text
    assert sorted(p.name for p in trained.iterdir()) == sorted(
        [".ganbench.lock", "checkpoints", "env.json", "history.csv", "samples", "spec.json", "timing.csv"]
    )  # the run directory is left as it was


def test_an_existing_event_folder_or_a_file_logdir_is_refused(trained, tmp_path):
    assert invoke("export", "tensorboard", trained, "--logdir", tmp_path / "tb").exit_code == 0
    again = invoke("export", "tensorboard", trained, "--logdir", tmp_path / "tb")
    assert again.exit_code == 2 and "already holds events" in again.output
    (tmp_path / "file").write_text("x")
    as_file = invoke("export", "tensorboard", trained, "--logdir", tmp_path / "file")
    assert as_file.exit_code == 2 and "is a file" in as_file.output
    missing = invoke("export", "tensorboard", tmp_path / "nothing", "--logdir", tmp_path / "tb2")
    assert missing.exit_code == 2 and not (tmp_path / "tb2").exists()


def test_an_event_folder_holding_other_files_says_what_it_holds(trained, tmp_path):
    target = tmp_path / "tb" / "mnist" / "tf-mlp" / "seed-0"
    target.mkdir(parents=True)
    (target / "notes.txt").write_text("mine")
    refused = invoke("export", "tensorboard", trained, "--logdir", tmp_path / "tb")
    assert refused.exit_code == 2
    assert f"--logdir: {target} already holds files (notes.txt); choose another --logdir" in " ".join(
        refused.output.split()
    )
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def _files(folder):
    return sorted((p.relative_to(folder), p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_a_multi_dataset_suite_exported_into_its_own_folder_is_refused_untouched(trained, tmp_path):
    """A suite of several datasets lays its runs out as <out>/<dataset>/<recipe>/seed-<n>, the very
    folders an export into <out> would write its events to."""
    suite = tmp_path / "suite"
    shutil.copytree(trained, suite / "mnist" / "tf-mlp" / "seed-0")
    before = _files(suite)
    refused = invoke("export", "tensorboard", suite, "--out", suite)
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    run = suite / "mnist" / "tf-mlp" / "seed-0"
    assert (
        f"--logdir: {run} is a run directory, and an export writes nothing into a run; "
        "choose a folder that holds no runs"
    ) in " ".join(refused.output.split())
    assert _files(suite) == before


def test_a_logdir_inside_another_run_is_refused(trained, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(trained, other)
    before = _files(other)
    refused = invoke("export", "tensorboard", trained, "--logdir", other / "tb")
    assert refused.exit_code == 2
    assert f"lies in the run directory {other}, and an export writes nothing into a run" in " ".join(
        refused.output.split()
    )
    assert _files(other) == before


def test_another_tools_spec_json_above_the_logdir_is_no_run(trained, tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "spec.json").write_text('{"openapi": "3.0"}')
    assert invoke("export", "tensorboard", trained, "--logdir", tmp_path / "project" / "tb").exit_code == 0
    assert (tmp_path / "project" / "tb" / "mnist" / "tf-mlp" / "seed-0").is_dir()


def test_a_logdir_inside_an_exported_run_is_refused_and_nothing_is_written_there(trained):
    before = sorted(p.relative_to(trained) for p in trained.rglob("*"))
    inside = invoke("export", "tensorboard", trained, "--logdir", trained / "tb")
    assert inside.exit_code == 2
    assert (
        f"--logdir: {trained / 'tb'} lies inside {trained}, a run directory this exports, and an export writes "
        "nothing into a run; choose a folder outside it"
    ) in " ".join(inside.output.split())
    assert invoke("export", "tensorboard", trained, "--logdir", trained).exit_code == 2
    assert sorted(p.relative_to(trained) for p in trained.rglob("*")) == before


def test_a_run_a_process_is_still_writing_is_refused_until_it_has_finished(trained, tmp_path):
    """Events are never written over: a run exported mid-training would stay cut short in the logdir."""
    holder = f"pid {os.getpid()} on {socket.gethostname()}"
    with output_lock(trained):  # as `ganbench train` holds it while the run trains
        result = invoke("export", "tensorboard", trained, "--logdir", tmp_path / "tb")
    assert result.exit_code == 2
    assert " ".join(result.output.split()) == (
        f"error: {trained}: {holder} is writing to it now (it holds {trained / LOCK_NAME}); "
        "make the export once that has finished"
    )
    assert not (tmp_path / "tb").exists()
    assert invoke("export", "tensorboard", trained, "--logdir", tmp_path / "tb").exit_code == 0


@pytest.mark.parametrize(
    ("damaged", "content", "words"),
    [
        ("timing.csv", b"x\x00\xffnot it", "unreadable (UnicodeDecodeError"),
        ("timing.csv", b"step,wall_time_s\n5,abc\n", "unreadable (ValueError: could not convert string to float"),
        ("samples/step-0000012.png", b"x\x00\xffnot it", "not a readable image"),
    ],
)
def test_a_damaged_timing_file_or_sample_grid_is_named_before_any_event_is_written(
    trained, tmp_path, damaged, content, words
):
    run = shutil.copytree(trained, tmp_path / "run")
    (run / damaged).write_bytes(content)
    result = invoke("export", "tensorboard", run, "--logdir", tmp_path / "tb")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"error: {run / damaged}: {words}" in " ".join(result.output.split())
    assert not (tmp_path / "tb").exists()


def test_without_the_extra_the_message_names_it(trained, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    result = invoke("export", "tensorboard", trained, "--logdir", tmp_path / "tb")
    assert result.exit_code == 2 and "pip install 'ganbench[tensorboard]'" in result.output


@pytest.mark.slow
def test_a_scored_run_exports_its_metrics_and_quality_over_time(suite_run, tmp_path):
    _, runs, _ = suite_run
    written = gb.export_tensorboard([runs], tmp_path / "tb")
    assert len(written) == 4
    run = runs / "tf-mlp" / "seed-0"
    metrics = json.loads((run / "metrics.json").read_text())
    acc = events(tmp_path / "tb" / "mnist" / "tf-mlp" / "seed-0")
    fid = acc.Scalars("metrics/fid_lenet_1k_test")
    assert len(fid) == 1 and fid[0].value == pytest.approx(metrics["metrics"]["fid_lenet_1k_test"]["value"], rel=1e-6)
    assert acc.Scalars("metrics/modes_covered")[0].value == metrics["coverage"]["modes_covered"]
    over_time = metrics["diagnostics"]["quality_over_time"]
    got = acc.Scalars("quality/fid_lenet_1k_test")  # a smoke run's curve draws its 1,000 scored samples
    assert [e.step for e in got] == [p["step"] for p in over_time]
    assert [e.value for e in got] == pytest.approx([p["fid_lenet_1k_test"] for p in over_time], rel=1e-6)


def test_samples_scored_with_input_export_their_metrics_and_picture(tmp_path):
    from test_translation_data import pix2pix_folder

    root = pix2pix_folder(tmp_path / "facades")
    out, scored = gb.score_samples(torch.nn.Tanh(), str(root), name="tanh", out=tmp_path / "s")
    result = invoke("export", "tensorboard", out, "--out", tmp_path / "tb")
    assert result.exit_code == 0, result.output
    acc = events(next((tmp_path / "tb").glob("*/tanh/seed-0")))
    assert {tag: acc.Scalars(tag)[0].value for tag in acc.Tags()["scalars"]} == pytest.approx(
        {f"metrics/{name}": entry["value"] for name, entry in scored["metrics"].items()}
    )
    (picture,) = acc.Images("scored_samples")
    decoded = np.asarray(Image.open(io.BytesIO(picture.encoded_image_string)).convert("RGB"))
    assert np.array_equal(decoded, np.asarray(Image.open(out / "scored-samples.png").convert("RGB")))
    (out / "scored-samples.png").write_bytes(b"not a png")  # damaged: named before anything is written
    again = invoke("export", "tensorboard", out, "--out", tmp_path / "tb2")
    assert again.exit_code == 2 and f"{out / 'scored-samples.png'}: not a readable image" in again.output
    assert not (tmp_path / "tb2").exists()
