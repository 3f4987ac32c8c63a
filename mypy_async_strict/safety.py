"""Hooks degrade to mypy's default type on any internal surprise instead of crashing mypy."""

from __future__ import annotations

import functools
import os
from typing import Callable, Protocol, TypeVar

from mypy.plugin import CheckerPluginInterface
from mypy.types import Type


class _HookContext(Protocol):
    @property
    def api(self) -> CheckerPluginInterface: ...


_Ctx = TypeVar("_Ctx", bound=_HookContext)


def degrade_to(default: Callable[[_Ctx], Type]) -> Callable[[Callable[[_Ctx], Type]], Callable[[_Ctx], Type]]:
    """Return `default(ctx)` when the hook raises.

    The test suite sets MYPY_ASYNC_STRICT_RAISE=1 so that a surprise fails a test instead.
    """

    def decorate(hook: Callable[[_Ctx], Type]) -> Callable[[_Ctx], Type]:
        @functools.wraps(hook)
        def guarded(ctx: _Ctx) -> Type:
            try:
                return hook(ctx)
            except Exception:
                if os.environ.get("MYPY_ASYNC_STRICT_RAISE") == "1":
                    raise
                return default(ctx)

        return guarded

    return decorate


def followed_by(
    hook: Callable[[_Ctx], Type], *checks: Callable[[_Ctx, Type], None]
) -> Callable[[_Ctx], Type]:
    """The hook, then checks that report on what it typed (each skipped on a surprise)."""

    def run(ctx: _Ctx) -> Type:
        result = hook(ctx)
        for check in checks:
            quietly(lambda: check(ctx, result))
        return result

    return run


def quietly(check: Callable[[], None]) -> None:
    """Run an extra check of a hook whose type is already decided; a surprise skips it."""
    try:
        check()
    except Exception:
        if os.environ.get("MYPY_ASYNC_STRICT_RAISE") == "1":
            raise
