"""mypy-async-strict: mocks and async code type-checked the way they behave at run time.

Enable with `plugins = ["mypy_async_strict"]`.  Importing this package at run time (for the
annotations) does not import mypy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy_async_strict.mocks import (
    AsyncMockOf,
    MagicMockOf,
    MockOf,
    NonCallableMagicMockOf,
    NonCallableMockOf,
    PropertyMockOf,
)

if TYPE_CHECKING:
    from mypy.plugin import Plugin

__version__ = "0.1.0"

__all__ = [
    "AsyncMockOf",
    "MagicMockOf",
    "MockOf",
    "NonCallableMagicMockOf",
    "NonCallableMockOf",
    "PropertyMockOf",
    "__version__",
    "plugin",
]


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class, imported only when mypy asks for it."""
    from mypy_async_strict.dispatch import AsyncStrictPlugin

    return AsyncStrictPlugin
