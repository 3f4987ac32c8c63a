"""A stand-in for pytest-asyncio, for the run-time oracle (tests/oracle_runner.py) only.

Copied into a case's directory as `pytest_asyncio.py` when the interpreter cannot import
pytest-asyncio: `pytest_asyncio.fixture` is `pytest.fixture` (the real one, or the oracle's
stand-in) marking the function as an asyncio fixture, as pytest-asyncio does.  The oracle runs
async fixtures and tests in the test's event loop either way.  Standard library only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

ORACLE_SHIM = True


def fixture(fixture_function: Callable[..., Any] | None = None, loop_scope: str | None = None, **kwargs: Any) -> Any:
    if fixture_function is not None:
        function: Any = getattr(fixture_function, "__func__", fixture_function)
        function._force_asyncio_fixture = True
        function._loop_scope = loop_scope
        return pytest.fixture(fixture_function, **kwargs)

    @functools.wraps(fixture)
    def inner(fixture_function: Callable[..., Any]) -> Any:
        return fixture(fixture_function, loop_scope=loop_scope, **kwargs)

    return inner
