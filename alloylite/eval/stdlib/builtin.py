"""Declaring builtins: a Function value around a plain Python function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alloylite.eval.values import Function


def builtin(
    name: str, fn: Callable[..., Any], nargs: int | None = None, min_args: int = 0
) -> Function:
    """A builtin taking exactly `nargs` arguments, or at least `min_args` when `nargs` is None.

    Alloy's "raw" builtins (coalesce, array.*) check their own arguments: min_args=0, nargs=None.
    """
    if nargs is None:
        return Function(name, fn, min_args, None)
    return Function(name, fn, nargs, nargs)
