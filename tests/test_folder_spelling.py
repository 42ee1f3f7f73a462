"""A translation folder named with or without './' or a trailing slash (as a shell's completion
writes it) is one dataset: runs, scored samples, suites and reports spell it one way."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_score_translator import Blank
from test_translation_data import pix2pix_folder

import gan_bench as gb
from gan_bench.data.folders import is_folder_name, spelled
from gan_bench.suite.suite_file import load_suite


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("facades/", "./facades"),
        ("./facades/", "./facades"),
        ("./facades", "./facades"),
        ("facades//", "./facades"),
        ("data/./facades/", "data/facades"),
        ("../data/facades/", "../data/facades"),
        ("a/../facades", "a/../facades"),  # '..' kept: a may be a link
        ("~/facades/", "~/facades"),
        ("/data/facades/", "/data/facades"),
        ("mnist", "mnist"),
        ("edges2digits", "edges2digits"),
    ],
)
def test_a_folder_is_spelled_one_way(name, expected):
    assert spelled(name) == expected


@given(st.lists(st.sampled_from(["a", "b", ".", "..", ""]), min_size=1, max_size=5), st.booleans())
def test_spelling_is_stable_and_still_names_a_folder(parts, slash):
    name = "/".join(parts) + "/" * slash
    if not is_folder_name(name):
        assert spelled(name) == name
        return
    once = spelled(name)
    assert is_folder_name(once) and spelled(once) == once
    assert not once.endswith("/") or set(once) == {"/"}  # a root ("/", or "//" which POSIX keeps) ends in one


@pytest.mark.slow  # seconds: trains and scores two runs
def test_runs_on_a_folder_named_two_ways_share_one_table(tmp_path, monkeypatch):
    pix2pix_folder(tmp_path / "facades")
    monkeypatch.chdir(tmp_path)
    runs = [
        gb.train("pix2pix", name, seed=seed, profile="smoke", steps=2, device="cpu", out=f"runs/{seed}").path
        for seed, name in enumerate(("facades/", "./facades"))
    ]
    assert [json.loads((run / "spec.json").read_text())["dataset"] for run in runs] == ["./facades"] * 2
    gb.score(runs)
    out, _ = gb.score_samples(Blank(), "./facades/", name="blank", out=tmp_path / "blank")
    df = gb.report([*runs, out])
    assert list(df["dataset"]) == ["./facades"] * 3
    assert list(df["protocol.reference_split"]) == ["test"] * 3  # runs and samples scored alike
    images = json.loads((runs[0] / "env.json").read_text())["dataset_sha256"]["images"]
    assert list(df["spec.data.images_sha256"]) == [images[:12]] * 3  # one table: the same images


def test_a_suite_names_a_folder_in_any_spelling(tmp_path, monkeypatch):
    pix2pix_folder(tmp_path / "facades")
    monkeypatch.chdir(tmp_path)
    suite = tmp_path / "folders.toml"
    suite.write_text(
        'name = "folders"\ndataset = ["edges2digits", "facades/"]\nrecipes = ["pix2pix", "pix2pix-l1"]\nseeds = [0]\n'
        '[only]\n"pix2pix-l1" = ["./facades/"]\n'
        '[thresholds.smoke.pix2pix."./facades"]\nl1_4_test = { max = 0.5 }\n'
    )
    loaded = load_suite(suite)
    assert loaded.datasets == ["edges2digits", "./facades"] and loaded.only == {"pix2pix-l1": ["./facades"]}
    assert loaded.thresholds_per_dataset["smoke"]["pix2pix"]["./facades"]["l1_4_test"].max == 0.5


def test_a_bare_folder_name_given_to_score_is_pointed_at(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from gan_bench.cli import app

    pix2pix_folder(tmp_path / "facades")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["score", "--input", "g.pt", "--dataset", "facades", "--out", "scored"])
    assert result.exit_code == 2
    assert "a folder 'facades' is here: write ./facades to score on it" in " ".join(result.output.split())
    assert not (tmp_path / "scored").exists()
