"""Each public API function's arguments, checked against its annotations when it is called.

A wrong type (``seed=1.5``, ``report("runs/x")`` for a list of run folders, a list of pixels for
``score_samples``) raises :class:`InvalidOption` naming the function, the parameter, what is valid
and what was given, instead of a TypeError from deep inside or a folder named "r". pydantic does
the checking in its lax mode, so ``seed="1"`` or a ``numpy.int64`` still reads as an int, and the
function gets the converted values; a bool is refused where a number goes (``seed=True`` is no
seed 1), and an empty path (it would read as the working directory). Iterables are taken whole (a
generator of paths becomes a list), since pydantic checks a declared ``Iterable`` only lazily. Annotations are resolved on the
first call, one parameter at a time, so naming ``torch.Tensor`` loads torch only for the function
that takes a tensor.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gan_bench.errors import InvalidOption, shortened

PathLike = str | Path  # a path argument: a str or a Path (annotations show it as "str | Path")

# collections.abc containers checked as lists: whole, and never a str standing for its characters
AS_LIST = {"Iterable": list, "Sequence": list}
PATH_LISTS = tuple(f"{name}[str" for name in AS_LIST)  # a str given for a list of paths or names
ITEM = re.compile(rf"^(?:{'|'.join(AS_LIST)}|list)\[(.*)\](?: \| None)?$")  # a list's item type, as written


def checked_arguments(fn: Callable) -> Callable:
    """``fn`` with its arguments checked (and converted, as pydantic's lax mode does) before it runs."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.arguments.update(checked(fn.__name__, fn, bound.arguments))
        return fn(*bound.args, **bound.kwargs)

    return call


def checked(function: str, like: Callable, arguments: dict[str, Any]) -> dict[str, Any]:
    """``arguments`` checked against the annotations of ``like`` (the function that takes them)."""
    like = inspect.unwrap(like)
    if like not in _ADAPTERS:
        _ADAPTERS[like] = _adapters(like, inspect.signature(like))
    adapters = _ADAPTERS[like]
    return {k: _checked(function, k, adapters[k], v) if k in adapters else v for k, v in arguments.items()}


_ADAPTERS: dict[Callable, dict] = {}  # resolved on a function's first call


def _adapters(fn: Callable, signature: inspect.Signature) -> dict[str, tuple[Any, str]]:
    """Per annotated parameter: a pydantic TypeAdapter and the annotation as a user reads it."""
    from pydantic import BaseModel, ConfigDict, InstanceOf, TypeAdapter

    config = ConfigDict(arbitrary_types_allowed=True)
    numbers = {"int": _not_bool(int), "float": _not_bool(float)}  # read in place of the builtins below
    out = {}
    for name, parameter in signature.parameters.items():
        text = parameter.annotation
        if text is inspect.Parameter.empty or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = (
            eval(text, {**fn.__globals__, **_modules_named(text), **AS_LIST, **numbers})
            if isinstance(text, str)
            else text
        )
        if isinstance(annotation, type) and (dataclasses.is_dataclass(annotation) or issubclass(annotation, BaseModel)):
            adapter = TypeAdapter(InstanceOf[annotation])  # the object given, not a copy rebuilt from its fields
        else:
            adapter = TypeAdapter(annotation, config=config)
        shown = text if isinstance(text, str) else getattr(text, "__name__", str(text))
        out[name] = adapter, shown.replace("PathLike", "str | Path")
    return out


def _not_bool(kind: type):
    """``kind`` as pydantic's lax mode reads it, except that True and False are refused."""
    from typing import Annotated

    from pydantic import BeforeValidator
    from pydantic_core import PydanticCustomError

    def refuse_bool(value):
        if isinstance(value, bool):
            what = "an integer" if kind is int else "a number"
            raise PydanticCustomError("bool_for_number", f"input should be {what}, not a bool")
        return value

    return Annotated[kind, BeforeValidator(refuse_bool)]


def _modules_named(text: str) -> dict[str, Any]:
    """The modules an annotation names that its module imports only for type checkers."""
    modules = {}
    if "np." in text:
        import numpy

        modules["np"] = numpy
    if "torch." in text:
        import torch

        modules["torch"] = torch
    return modules


def _checked(function: str, name: str, adapter: tuple[Any, str], value):
    from pydantic import ValidationError

    validator, expected = adapter
    try:
        converted = validator.validate_python(value)
    except ValidationError as e:
        errors = e.errors()
        where = "".join(f"[{p}]" for p in errors[0]["loc"] if isinstance(p, int))  # the item of a list at fault
        detail = f" ({errors[0]['msg'][0].lower()}{errors[0]['msg'][1:]})" if len(errors) == 1 else ""
        one = isinstance(value, (str, os.PathLike)) and expected.startswith(PATH_LISTS)
        hint = f"; for one, write [{value!r}]" if one else ""
        item = ITEM.match(expected) if where.count("[") == 1 else None
        if item:  # name the item at fault and what an item may be, not the whole list
            expected, value = item.group(1), errors[0]["input"]
        raise InvalidOption(
            f"{function}(): {name}{where}: expected {expected}, got {type(value).__name__} {_short(value)}{detail}{hint}"
        ) from None
    items = converted if isinstance(converted, list) else [converted]
    if "str | Path" in expected and any(isinstance(item, str) and not item for item in items):
        raise InvalidOption(f"{function}(): {name}: an empty path, which would mean the working directory; give a path")
    return converted


def _short(value) -> str:
    return shortened(repr(value))
