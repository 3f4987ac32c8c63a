"""One ErrorCode per diagnostic, all under the `mock-`/`async-` prefixes."""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode

MOCK_AWAIT: Final = ErrorCode(
    "mock-await",
    "An await on a mock object (or a mock's call result) that is not awaitable at run time",
    "mypy-async-strict",
)
