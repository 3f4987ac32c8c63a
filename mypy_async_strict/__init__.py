"""mypy-async-strict: mocks and async code type-checked the way they behave at run time.

Enable with `plugins = ["mypy_async_strict"]`.  Importing this package at run time (for the
annotations) does not import mypy.
"""

from __future__ import annotations

from mypy_async_strict.mocks import (
    AsyncMockOf,
    MagicMockOf,
    MockOf,
    NonCallableMagicMockOf,
    NonCallableMockOf,
    PropertyMockOf,
)

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


def plugin(version: str) -> type:
    """mypy's entry point: the plugin class, imported only when mypy asks for it.

    Checked programs see `__init__.pyi`, so mypy never follows this import into the plugin.
    Under a mypy outside the tested range the plugin says so once per run (a note); under one
    whose internals it cannot import at all, it reports that instead of crashing mypy.
    """
    try:
        from mypy_async_strict.entry import ConfiguredPlugin
    except ImportError as error:
        from mypy_async_strict.unsupported import unsupported_plugin

        return unsupported_plugin(version, error)
    ConfiguredPlugin.mypy_version = version
    return ConfiguredPlugin
