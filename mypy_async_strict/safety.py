"""Hooks degrade to mypy's default type on any internal surprise instead of crashing mypy, and
the plugin says so once per run (a note naming its version, mypy's, and how to report it).

MYPY_ASYNC_STRICT_RAISE=1 lets the exception through instead, with its traceback (the test
suite sets it, so that a surprise fails a test).
"""

from __future__ import annotations

import functools
from typing import Callable, Protocol, TypeVar

from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext
from mypy.types import Type

from mypy_async_strict.notices import internal_error, raise_internal_errors


class _HookContext(Protocol):
    @property
    def api(self) -> CheckerPluginInterface: ...


_Ctx = TypeVar("_Ctx", bound=_HookContext)
_AnyCtx = TypeVar("_AnyCtx")


def default_function_type(ctx: FunctionContext) -> Type:
    """mypy's own type of a function call: what a hook degrades to."""
    return ctx.default_return_type


def default_method_type(ctx: MethodContext) -> Type:
    """mypy's own type of a method call: what a hook degrades to."""
    return ctx.default_return_type


def degrade_to(default: Callable[[_Ctx], Type]) -> Callable[[Callable[[_Ctx], Type]], Callable[[_Ctx], Type]]:
    """Return `default(ctx)` when the hook raises."""

    def decorate(hook: Callable[[_Ctx], Type]) -> Callable[[_Ctx], Type]:
        @functools.wraps(hook)
        def guarded(ctx: _Ctx) -> Type:
            try:
                return hook(ctx)
            except Exception:
                _failed(ctx)
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
            quietly(lambda: check(ctx, result), ctx)
        return result

    return run


def guarded(hook: Callable[[_AnyCtx], None]) -> Callable[[_AnyCtx], None]:
    """A hook that returns nothing (a class hook), skipped on a surprise."""

    @functools.wraps(hook)
    def run(ctx: _AnyCtx) -> None:
        quietly(lambda: hook(ctx), ctx)

    return run


def quietly(check: Callable[[], None], ctx: object = None) -> None:
    """Run an extra check of a hook whose type is already decided; a surprise skips it (and is
    reported once per run when the hook's context is given)."""
    try:
        check()
    except Exception:
        if ctx is None:
            if raise_internal_errors():
                raise
            return
        _failed(ctx)


def _failed(ctx: object) -> None:
    """Called in an `except` block: re-raise, or note the failure once per run."""
    if raise_internal_errors():
        raise  # noqa: PLE0704 - re-raises the exception being handled
    try:
        internal_error(ctx)
    except Exception:
        pass  # saying so must never be what breaks mypy
