"""A run directory refused for holding a different run names the fields that differ, the ones a
user chooses first (identity.differences)."""

from gan_bench.rundir.identity import differences

RECORDED = {
    "recipe": {"name": "tf-mlp", "lr": 0.0002, "source": "the book", "betas": [0.9, 0.999]},
    "dataset": "mnist",
    "seed": 0,
    "profile": "smoke",
    "schedule": {"steps": 30, "log_every": 5},
    "device": "cpu",
    "spec_hash": "abc",
}


def changed(**fields) -> dict:
    now = {k: (dict(v) if isinstance(v, dict) else v) for k, v in RECORDED.items() if k != "spec_hash"}
    for dotted, value in fields.items():
        *parents, key = dotted.split("__")
        place = now
        for parent in parents:
            place = place[parent]
        place[key] = value
    return now


def test_the_same_spec_has_no_differences_and_provenance_text_is_not_one():
    assert differences(RECORDED, changed()) == ""
    assert differences(RECORDED, changed(recipe__source="another book")) == ""


def test_chosen_fields_come_first_then_the_rest_by_name():
    now = changed(schedule__log_every=2, schedule__steps=7, recipe__lr=0.001, seed=3)
    assert differences(RECORDED, now) == (
        "seed: 0 there, 3 now; schedule.steps: 30 there, 7 now; recipe.lr: 0.0002 there, 0.001 now; and 1 more"
    )
    assert differences(RECORDED, now, shown=4).endswith("schedule.log_every: 5 there, 2 now")


def test_tuples_compare_as_their_json_lists_and_a_field_on_one_side_only_is_named():
    assert differences(RECORDED, changed(recipe__betas=(0.9, 0.999))) == ""
    now = changed(cuda_graph=True)
    assert differences(RECORDED, now) == "cuda_graph: (none) there, true now"
    assert differences(RECORDED, changed(device="cuda")) == 'device: "cpu" there, "cuda" now'


def test_scoring_a_run_whose_recipe_changed_since_names_the_changed_facts(tmp_path, monkeypatch):
    import pytest

    import gan_bench as gb
    from gan_bench.errors import RunDirError
    from gan_bench.scoring import score_run

    gb.train("tf-mlp", seed=0, profile="smoke", steps=2, out=tmp_path / "run")
    changed_recipe = gb.get_recipe("tf-mlp").model_copy(update={"lr": 0.001})
    monkeypatch.setattr(score_run, "get_recipe", lambda ref: changed_recipe)
    with pytest.raises(RunDirError) as refused:
        gb.score([tmp_path / "run"])
    assert f"{tmp_path / 'run' / 'spec.json'}: recipe tf-mlp has changed since this run was trained " in str(
        refused.value
    )
    assert "(recipe.lr: 0.0002 there, 0.001 now); score it with the ganbench version that trained it" in str(
        refused.value
    )
    assert not (tmp_path / "run" / "metrics.json").exists()
