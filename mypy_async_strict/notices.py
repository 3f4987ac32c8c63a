"""What the plugin says about itself, once per run, in mypy's own output.

mypy gives a plugin no place to report outside a module, so each notice goes to the first place
a hook of the plugin runs in a module the user sees (where a mock is made or used), once per
build: a setup problem (the stubs cannot be imported, the configuration is invalid) as an
error with code `mock-setup`, so that mypy exits with status 1; an untested mypy version and an
internal failure as notes, which leave the exit status alone.
"""

from __future__ import annotations

import os
import platform
from typing import Any, Callable, TypeVar

from mypy.nodes import Context
from mypy.version import __version__ as mypy_version

from mypy_async_strict import __version__, compat, errorcodes

RAISE_VARIABLE = "MYPY_ASYNC_STRICT_RAISE"
_Result = TypeVar("_Result")


def raise_internal_errors() -> bool:
    """MYPY_ASYNC_STRICT_RAISE=1: let the plugin's own exceptions through (with a traceback)."""
    return os.environ.get(RAISE_VARIABLE) == "1"


def internal_error_message() -> str:
    return (
        f"mypy-async-strict {__version__} failed inside one of its hooks here and used mypy's own "
        "types instead, so its findings in this run may be incomplete (mypy "
        f"{mypy_version}, Python {platform.python_version()}). Please report it to the "
        f'mypy-async-strict maintainers, with the traceback that "{RAISE_VARIABLE}=1 mypy '
        '--show-traceback ..." shows'
    )


def untested_mypy_message(version: str) -> str:
    return (
        f"mypy-async-strict {__version__} is tested with mypy {compat.tested_range()}, not "
        f"with mypy {version}: if a finding looks wrong, upgrade mypy-async-strict or report it"
    )


def internal_error(ctx: Any) -> None:
    """Say once per run that a hook failed (the hook then degrades to mypy's type)."""
    compat.report_once(ctx.api, _context_of(ctx), internal_error_message(), severity="note")


class Notices:
    """The setup errors and notes of this run, said at the first hook that can say them."""

    def __init__(self, errors: list[str], notes: list[str]) -> None:
        self.errors = errors
        self.notes = notes

    @property
    def pending(self) -> bool:
        return bool(self.errors or self.notes)

    def around(self, hook: Callable[[Any], _Result] | None) -> Callable[[Any], _Result] | None:
        """The hook, saying the notices first (while there are any, every hook does)."""
        if hook is None or not self.pending:
            return hook

        def said_first(ctx: Any) -> _Result:
            self.say(ctx)
            return hook(ctx)

        return said_first

    def say(self, ctx: Any) -> None:
        try:
            context = _context_of(ctx)
            for message in self.errors:
                compat.report_once(ctx.api, context, message, code=errorcodes.MOCK_SETUP)
            for message in self.notes:
                compat.report_once(ctx.api, context, message, severity="note")
        except Exception:
            if raise_internal_errors():
                raise


def _context_of(ctx: Any) -> Context | None:
    context = getattr(ctx, "context", None)
    if not isinstance(context, Context):
        context = getattr(ctx, "cls", None)  # a class hook: the class definition
    return context if isinstance(context, Context) else None
