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
