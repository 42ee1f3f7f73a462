"""Runs of one recipe made with different settings (another step count, say) are never pooled into
one mean: ``report`` gives each suite run its own table where that parts them and refuses runs
gathered into one folder, naming the settings that differ; ``check`` and ``baseline`` refuse."""

import pandas as pd
import pytest

from gan_bench.errors import RunDirError
from gan_bench.reporting import repeats


def runs(steps: list[int], sources: list[str], seeds: list[int]) -> pd.DataFrame:
    n = len(steps)
    return pd.DataFrame(
        {
            "run": [f"{src}/tf-mlp/seed-{s}" for src, s in zip(sources, seeds)],
            "source": sources,
            "suite": ["smoke"] * n,
            "dataset": ["mnist"] * n,
            "profile": ["smoke"] * n,
            "device": ["cpu"] * n,
            "recipe": ["tf-mlp"] * n,
            "seed": seeds,
            "spec.seed": seeds,
            "spec.spec_hash": [f"h{i}" for i in range(n)],
            "spec.recipe.source": ["the book"] * n,
            "spec.recipe.lr": [0.0002] * n,
            "spec.schedule.log_every": [1] * n,
            "spec.schedule.steps": steps,
        }
    )


def test_seeds_of_one_setting_pool_into_one_table():
    df = runs([30, 30], ["a", "a"], [0, 1])
    assert repeats.table_columns(df) == repeats.GROUP
    repeats.refuse(df, "check")  # nothing to refuse


def test_settings_from_two_suite_runs_get_a_table_each():
    df = runs([30, 5], ["a", "b"], [0, 1])
    assert repeats.table_columns(df) == [*repeats.GROUP, "source"]
    with pytest.raises(RunDirError) as refused:
        repeats.refuse(df, "check")
    assert str(refused.value) == (
        "tf-mlp (smoke, profile smoke, cpu) has runs made with different settings (schedule.steps: 30, 5): "
        "a/tf-mlp/seed-0, b/tf-mlp/seed-1; check pools the runs of a recipe, so they must share one setting: "
        "give the runs of one"
    )


def test_settings_mixed_in_one_folder_are_refused_naming_the_chosen_fields_first():
    df = runs([30, 5], ["a", "a"], [0, 1]).assign(
        **{"spec.recipe.lr": [0.0002, 0.001], "spec.schedule.log_every": [1, 5]}
    )
    with pytest.raises(RunDirError) as refused:
        repeats.table_columns(df)
    assert str(refused.value) == (
        "tf-mlp (smoke, profile smoke, cpu) has runs made with different settings (schedule.steps: 30, 5; "
        "recipe.lr: 0.0002, 0.001; schedule.log_every: 1, 5): a/tf-mlp/seed-0, a/tf-mlp/seed-1; report them apart"
    )


def test_provenance_text_and_the_hash_are_no_setting():
    df = runs([30, 30], ["a", "a"], [0, 1]).assign(**{"spec.recipe.source": ["the book", "the book, 2nd ed."]})
    assert repeats.table_columns(df) == repeats.GROUP


def test_a_folder_of_runs_trained_for_different_steps_is_not_reported_as_one_mean(tmp_path):
    from typer.testing import CliRunner

    import gan_bench as gb
    from gan_bench.cli import app

    for seed, steps in ((0, 2), (1, 3)):
        gb.train("tf-mlp", seed=seed, profile="smoke", steps=steps, out=tmp_path / "runs" / f"seed-{seed}")
    result = CliRunner().invoke(app, ["report", str(tmp_path / "runs"), "--out", str(tmp_path / "r.md")])
    assert result.exit_code == 2
    assert "tf-mlp (no suite, profile smoke, cpu) has runs made with different settings (schedule.steps: 2, 3;" in (
        " ".join(result.output.split())
    )
    assert not (tmp_path / "r.md").exists()


def translation_runs(recipes: list[str], directions: list[str], l1: list[float]) -> pd.DataFrame:
    n = len(recipes)
    return pd.DataFrame(
        {
            "run": [f"a/{r}/seed-0-{d}" for r, d in zip(recipes, directions)],
            "source": ["a"] * n,
            "suite": [""] * n,
            "dataset": ["edges2digits"] * n,
            "direction": directions,
            "profile": ["smoke"] * n,
            "device": ["cpu"] * n,
            "recipe": recipes,
            "seed": [0] * n,
            "verdict": ["converged"] * n,
            "l1_200_test": l1,
            "spec.seed": [0] * n,
            "spec.spec_hash": [f"h{i}" for i in range(n)],
            "spec.dataset": ["edges2digits"] * n,
            "spec.direction": directions,
        }
    )


def test_a_translation_tasks_two_directions_are_two_tables_never_compared():
    from gan_bench.reporting import render

    df = translation_runs(["pix2pix", "pix2pix-l1"], ["AtoB", "BtoA"], [0.46, 0.45])
    tables = dict(render.rich_tables(df))
    assert list(tables) == [
        "suite (none) · edges2digits · profile smoke · cpu",
        "suite (none) · edges2digits (BtoA) · profile smoke · cpu",
    ]
    assert [list(t["recipe"]) for t in tables.values()] == [["pix2pix"], ["pix2pix-l1"]]
    assert [list(t["l1_200_test"]) for t in tables.values()] == [["0.460"], ["0.450"]]  # one row: no best


def test_one_seed_in_both_directions_is_reported_apart_and_refused_by_check():
    df = translation_runs(["pix2pix", "pix2pix"], ["AtoB", "BtoA"], [0.46, 0.45])
    assert repeats.table_columns(df) == repeats.TABLE
    with pytest.raises(RunDirError) as refused:
        repeats.refuse(df, "check")
    assert "pix2pix seed 0 (no suite, profile smoke, cpu) is in 2 runs" in str(refused.value)


def test_a_hand_made_frame_without_directions_is_tabled_by_its_group():
    df = translation_runs(["pix2pix", "pix2pix-l1"], ["AtoB", "AtoB"], [0.46, 0.45]).drop(columns="direction")
    assert repeats.table_columns(df) == repeats.GROUP


def test_a_runs_direction_is_its_translation_tasks_and_blank_elsewhere():
    from gan_bench.reporting.collect import direction_of

    assert direction_of({"dataset": "mnist"}) == ""
    assert direction_of({"dataset": "edges2digits"}) == "AtoB"  # a translator scored with --input
    assert direction_of({"dataset": "digits2bold", "direction": "BtoA"}) == "BtoA"
    assert direction_of({"dataset": "./facades", "direction": "BtoA"}) == "BtoA"


def test_check_refuses_runs_of_the_direction_the_suite_does_not_gate(tmp_path):
    from gan_bench.errors import GateError
    from gan_bench.gates import check as gate
    from gan_bench.suite.suite_file import load_suite

    path = tmp_path / "gate.toml"
    path.write_text(
        'name = "gate"\ndataset = "edges2digits"\nrecipes = ["pix2pix"]\nseeds = [0]\n'
        '[thresholds.smoke."pix2pix"]\nl1_200_test = { max = 0.5 }\n'
    )
    df = translation_runs(["pix2pix"], ["BtoA"], [0.46])
    with pytest.raises(GateError) as refused:
        gate.gated_of(df, load_suite(path))
    assert str(refused.value) == (
        "a/pix2pix/seed-0-BtoA translates edges2digits BtoA, and suite 'gate' gates it AtoB; check runs of that "
        'direction, or give a suite with direction = "BtoA" (a suite run made with --direction is checked in its '
        "direction when no --suite is given)"
    )
    assert gate.gated_of(translation_runs(["pix2pix"], ["AtoB"], [0.46]), load_suite(path)) == ("smoke", ["pix2pix"])
    path.write_text(path.read_text().replace("seeds = [0]\n", 'seeds = [0]\ndirection = "BtoA"\n'))
    assert gate.gated_of(df, load_suite(path)) == ("smoke", ["pix2pix"])


@pytest.mark.slow  # a pix2pix suite run trained and scored
def test_a_suite_run_made_with_a_direction_is_checked_in_it(tmp_path):
    from typer.testing import CliRunner

    from gan_bench.cli import app

    suite = tmp_path / "gate.toml"
    suite.write_text(
        'name = "gate"\ndataset = "edges2digits"\nrecipes = ["pix2pix"]\nseeds = [0]\n'
        '[thresholds.smoke."pix2pix"]\nl1_200_test = { max = 0.9 }\n'
    )
    out = tmp_path / "runs"
    ran = CliRunner().invoke(
        app,
        [
            "run",
            "--suite",
            str(suite),
            "--direction",
            "BtoA",
            "--profile",
            "smoke",
            "--samples",
            "200",
            "--out",
            str(out),
            "-q",
        ],
    )
    assert ran.exit_code == 0, ran.output
    checked = CliRunner().invoke(app, ["check", str(out)])
    assert checked.exit_code == 0 and "1 passed, 0 failed" in checked.output, checked.output
    given = CliRunner().invoke(app, ["check", str(out), "--suite", str(suite)])  # the file's own direction, AtoB
    assert given.exit_code == 2 and "translates edges2digits BtoA, and suite 'gate' gates it AtoB" in given.output
