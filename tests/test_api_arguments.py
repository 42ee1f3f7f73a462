"""Every public API function checks its arguments against its signature: a wrong type raises
InvalidOption naming the function, the parameter, what is valid and what was given, and writes
nothing; values that stand for the right type (a numpy int, a generator of paths) are taken."""

from pathlib import PurePosixPath

import numpy as np
import pytest
import torch

import gan_bench as gb
from gan_bench.api.arguments import checked_arguments


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda out: gb.train("tf-mlp", seed=1.5, profile="smoke", out=out),
            "train(): seed: expected int | None, got float 1.5 (input should be a valid integer, got a number with a "
            "fractional part)",
        ),
        (
            lambda out: gb.train("tf-mlp", seed=True, profile="smoke", out=out),
            "train(): seed: expected int | None, got bool True (input should be an integer, not a bool)",
        ),
        (
            lambda out: gb.run_suite("smoke", seeds=[0, True], out=out),
            "run_suite(): seeds[1]: expected int, got bool True (input should be an integer, not a bool)",
        ),
        (
            lambda out: gb.run_suite("smoke", out=""),
            "run_suite(): out: an empty path, which would mean the working directory; give a path",
        ),
        (
            lambda out: gb.report([out, ""]),
            "report(): runs: an empty path, which would mean the working directory; give a path",
        ),
        (
            lambda out: gb.run_suite("smoke", recipes="tf-mlp", out=out),
            "run_suite(): recipes: expected Sequence[str] | None, got str 'tf-mlp' (input should be a valid list); "
            "for one, write ['tf-mlp']",
        ),
        (
            lambda out: gb.plan("smoke", seeds="0-2", out=out),
            "plan(): seeds: expected Sequence[int] | None, got str '0-2' (input should be a valid list)",
        ),
        (
            lambda out: gb.report("runs/x"),
            "report(): runs: expected Iterable[str | Path] | None, got str 'runs/x' (input should be a valid "
            "list); for one, write ['runs/x']",
        ),
        (
            lambda out: gb.check(PurePosixPath("runs/x")),
            "check(): runs: expected Iterable[str | Path] | None, got PurePosixPath PurePosixPath('runs/x') (input "
            "should be a valid list); for one, write [PurePosixPath('runs/x')]",
        ),
        (lambda out: gb.check([out, 7]), "check(): runs[1]: expected str | Path, got int 7"),
        (
            lambda out: gb.score_samples([1, 2, 3], "mnist", out=out),
            "score_samples(): input: expected str | Path | np.ndarray | torch.Tensor | torch.nn.Module, got list [1, 2, 3]",
        ),
        (
            lambda out: gb.score_samples(np.zeros((10, 28, 28), np.uint8), 3, out=out),
            "score_samples(): dataset: expected str, got int 3",
        ),
    ],
)
def test_a_wrong_type_names_the_parameter_and_writes_nothing(tmp_path, call, message):
    out = tmp_path / "out"
    with pytest.raises(gb.InvalidOption) as raised:
        call(out)
    assert message.format(out=out) in str(raised.value)
    assert not out.exists()


def test_values_that_stand_for_the_type_are_taken_as_it():
    plan = gb.plan("smoke", seeds=np.arange(2), recipes=("tf-mlp",), out="unused", device=torch.device("cpu"))
    assert sorted({spec.seed for spec in plan.specs}) == [0, 1]
    assert plan.device == torch.device("cpu") and {spec.device for spec in plan.specs} == {"cpu"}
    assert all(type(spec.seed) is int for spec in plan.specs)


def test_a_generator_of_paths_is_read_whole(tmp_path):
    # each item is one path, not a character of one: the message names the whole folder
    with pytest.raises(gb.RunDirError, match=f"{tmp_path / 'missing'}: no such folder"):
        gb.report(p for p in [tmp_path / "missing"])
    with pytest.raises(gb.RunDirError, match=f"{tmp_path / 'missing'}: no such folder"):
        gb.check((tmp_path / "missing",))


@pytest.mark.parametrize(
    "call",
    [gb.report, gb.check, gb.score, lambda runs: gb.export_tensorboard(runs, "tb"), gb.write_baseline],
    ids=["report", "check", "score", "export_tensorboard", "write_baseline"],
)
def test_an_empty_list_of_runs_is_refused_not_an_empty_result(tmp_path, monkeypatch, call):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(gb.RunDirError, match="^no run directories given; name at least one, or a folder holding them$"):
        call([])
    assert list(tmp_path.iterdir()) == []


def test_an_object_argument_is_passed_as_given_not_rebuilt():
    from dataclasses import dataclass

    @dataclass
    class Thing:
        n: int

    seen = []

    @checked_arguments
    def take(thing: Thing, count: int = 0):
        seen.append(thing)

    given = Thing(1)
    take(given, count="2")
    assert seen[0] is given
    with pytest.raises(gb.InvalidOption, match=r"take\(\): thing: expected Thing, got int 1"):
        take(1)


def test_every_public_function_checks_its_arguments():
    import inspect

    functions = [  # those with annotated parameters (register_recipe takes any object, and says what it is)
        name
        for name in gb.__all__
        if inspect.isfunction(f := getattr(gb, name))
        and any(p.annotation is not p.empty for p in inspect.signature(f).parameters.values())
    ]
    assert len(functions) >= 15 and {"get_recipe", "load_suite", "train", "report"} <= set(functions)
    assert [name for name in functions if not hasattr(getattr(gb, name), "__wrapped__")] == []
    with pytest.raises(gb.InvalidOption, match=r"get_recipe\(\): ref: expected str, got NoneType None"):
        gb.get_recipe(None)
    with pytest.raises(gb.InvalidOption, match=r"load_suite\(\): name_or_path: expected str \| Path, got int 3"):
        gb.load_suite(3)
