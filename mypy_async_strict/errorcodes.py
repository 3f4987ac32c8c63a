"""One ErrorCode per diagnostic, all under the `mock-`/`async-` prefixes."""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode

MOCK_AWAIT: Final = ErrorCode(
    "mock-await",
    "An await on a mock object (or a mock's call result) that is not awaitable at run time, or "
    "such a value handed to an async API that awaits or schedules it (create_task, gather, ...)",
    "mypy-async-strict",
)

ASYNC_WITH: Final = ErrorCode(
    "async-with",
    "A with statement of the wrong kind: 'with' on a coroutine or an asynchronous context "
    "manager, 'async with' on a synchronous one",
    "mypy-async-strict",
)
ASYNC_FOR: Final = ErrorCode(
    "async-for",
    "A for loop of the wrong kind: 'for' over a coroutine or an asynchronous iterable, "
    "'async for' over a coroutine or a synchronous iterable",
    "mypy-async-strict",
)
ASYNC_TRUTHY: Final = ErrorCode(
    "async-truthy",
    "A coroutine in a boolean context: always true, and never awaited",
    "mypy-async-strict",
)
ASYNC_COMPARE: Final = ErrorCode(
    "async-compare",
    "A coroutine compared with a value (==, !=, is, in, <, ...): the comparison is about the "
    "coroutine object, and the coroutine is never awaited",
    "mypy-async-strict",
)
ASYNC_UNAWAITED: Final = ErrorCode(
    "async-unawaited",
    "A coroutine that is made and never awaited: within its function it only reaches code that "
    "formats, logs, serializes, counts or drops it",
    "mypy-async-strict",
)
MOCK_PROTOCOL: Final = ErrorCode(
    "mock-protocol",
    "A mock in 'with'/'async with'/'for'/'async for' that supports neither form, or in len(), a "
    "subscript or 'in' without the magic method (Mock has no magic methods; a specced MagicMock "
    "keeps only its spec's)",
    "mypy-async-strict",
)

MOCK_SPEC: Final = ErrorCode(
    "mock-spec",
    "Reading an attribute that the mock's spec does not have, or that was not made before "
    "seal(), configuring or patching one (AttributeError at run time)",
    "mypy-async-strict",
)
MOCK_ASSERT: Final = ErrorCode(
    "mock-assert",
    "A mock assertion method that does not exist: it raises AttributeError, or (before "
    "Python 3.12, for the old aliases) silently checks nothing; an assertion about a sync "
    "mock's await statistics, which can never hold",
    "mypy-async-strict",
)

MOCK_CALL: Final = ErrorCode(
    "mock-call",
    "A call of a non-callable mock, or of an autospecced mock (or an assertion about one) whose "
    "arguments do not fit the spec's signature (TypeError, or an assertion that can never pass)",
    "mypy-async-strict",
)

MOCK_ASYNC_MISMATCH: Final = ErrorCode(
    "mock-async-mismatch",
    "A sync mock put in place of an 'async def' of the spec (awaiting its calls raises "
    "TypeError), or an AsyncMock in place of a plain function (its calls return coroutines)",
    "mypy-async-strict",
)

MOCK_RETURN: Final = ErrorCode(
    "mock-return",
    "A coroutine object given as an AsyncMock's return value: awaiting the mock's call gives the "
    "coroutine itself, which is never awaited",
    "mypy-async-strict",
)

# Opt-in checks: off unless named in enable_error_code (mypy's, or the plugin's own section).
MOCK_UNSPECCED: Final = ErrorCode(
    "mock-unspecced",
    "A mock without a spec passed where a class with async methods is expected: its attributes "
    "do not follow the class, so awaiting their calls fails at run time unless each is set up by hand",
    "mypy-async-strict",
    default_enabled=False,
)

# The plugin itself: mypy cannot import its stubs from the checked environment, or its
# configuration is invalid.  Reported once per run.
MOCK_SETUP: Final = ErrorCode(
    "mock-setup",
    "mypy-async-strict cannot check mocks as set up: its stubs are not importable from the "
    "environment mypy checks, or its configuration is invalid",
    "mypy-async-strict",
)

ALL: Final = (
    MOCK_AWAIT,
    ASYNC_WITH,
    ASYNC_FOR,
    ASYNC_TRUTHY,
    ASYNC_COMPARE,
    MOCK_PROTOCOL,
    MOCK_SPEC,
    MOCK_ASSERT,
    MOCK_CALL,
    MOCK_ASYNC_MISMATCH,
    MOCK_RETURN,
    MOCK_UNSPECCED,
    MOCK_SETUP,
)
