"""Every fullname the plugin dispatches on, in one place."""

from __future__ import annotations

from typing import Final

from mypy_async_strict.model.rules import Kind

MOCK_MODULE: Final = "unittest.mock"
ANNOTATIONS_MODULE: Final = "mypy_async_strict.mocks"

MOCK: Final = "unittest.mock.Mock"
MAGIC_MOCK: Final = "unittest.mock.MagicMock"
ASYNC_MOCK: Final = "unittest.mock.AsyncMock"
NON_CALLABLE_MOCK: Final = "unittest.mock.NonCallableMock"
NON_CALLABLE_MAGIC_MOCK: Final = "unittest.mock.NonCallableMagicMock"
PROPERTY_MOCK: Final = "unittest.mock.PropertyMock"
CREATE_AUTOSPEC: Final = "unittest.mock.create_autospec"

# pytest-mock's `mocker` fixture: the same classes and functions, as attributes and methods.
MOCKER_MODULE: Final = "pytest_mock.plugin"
MOCKER: Final = f"{MOCKER_MODULE}.MockerFixture"
MOCKER_PREFIX: Final = f"{MOCKER}."
MOCKER_CONSTRUCTORS: Final[dict[str, Kind]] = {
    f"{MOCKER}.{kind.value}": kind for kind in Kind
}
MOCKER_CREATE_AUTOSPEC: Final = f"{MOCKER}.create_autospec"
MOCKER_PATCH_OBJECT: Final = f"{MOCKER}._Patcher.object"
MOCKER_PATCH_CALL: Final = f"{MOCKER}._Patcher.__call__"  # mocker.patch("pkg.mod.name")
MOCKER_SPY: Final = f"{MOCKER}.spy"
MOCKER_STUB: Final = f"{MOCKER}.stub"
MOCKER_ASYNC_STUB: Final = f"{MOCKER}.async_stub"
# Attribute names of `mocker` whose calls make fresh mocks (for provenance, which is syntactic).
MOCKER_FACTORIES: Final = frozenset(
    {kind.value for kind in Kind} | {"create_autospec", "spy", "stub", "async_stub"}
)

PATCH: Final = "unittest.mock.patch"
PATCH_OBJECT: Final = "unittest.mock._patcher.object"
PATCH_CALL: Final = "unittest.mock._patcher.__call__"  # patch("pkg.mod.name"): `patch` is an instance
PATCH_PASS_ARG: Final = "unittest.mock._patch_pass_arg"
DEFAULT_SENTINEL: Final = "unittest.mock.DEFAULT"

MOCK_CONSTRUCTORS: Final[dict[str, Kind]] = {
    MOCK: Kind.MOCK,
    MAGIC_MOCK: Kind.MAGIC_MOCK,
    ASYNC_MOCK: Kind.ASYNC_MOCK,
    NON_CALLABLE_MOCK: Kind.NON_CALLABLE_MOCK,
    NON_CALLABLE_MAGIC_MOCK: Kind.NON_CALLABLE_MAGIC_MOCK,
    PROPERTY_MOCK: Kind.PROPERTY_MOCK,
}

# The annotation classes of mypy_async_strict/mocks.pyi, one per kind.
ANNOTATION_BY_KIND: Final[dict[Kind, str]] = {
    Kind.MOCK: "mypy_async_strict.mocks.MockOf",
    Kind.MAGIC_MOCK: "mypy_async_strict.mocks.MagicMockOf",
    Kind.ASYNC_MOCK: "mypy_async_strict.mocks.AsyncMockOf",
    Kind.NON_CALLABLE_MOCK: "mypy_async_strict.mocks.NonCallableMockOf",
    Kind.NON_CALLABLE_MAGIC_MOCK: "mypy_async_strict.mocks.NonCallableMagicMockOf",
    Kind.PROPERTY_MOCK: "mypy_async_strict.mocks.PropertyMockOf",
}
KIND_BY_ANNOTATION: Final[dict[str, Kind]] = {
    name: kind for kind, name in ANNOTATION_BY_KIND.items()
}

# The base of the annotation classes, where `__getattr__` (the attribute hook's owner) lives.
SPEC_AWARE: Final = "mypy_async_strict.mocks._SpecAware"

# `m.return_value` (declared `Any` by typeshed): read, it is what calling `m` gives.
RETURN_VALUE: Final = "unittest.mock.NonCallableMock.return_value"

# Calls of plain (typeshed) mocks: a parameter annotated `MagicMock` that a patch decorator fills.
# (mypy names a call's hook after the receiver's class, not the class defining `__call__`.)
PLAIN_MOCK_CALLS: Final = frozenset(f"{name}.__call__" for name in (MOCK, MAGIC_MOCK, ASYNC_MOCK))

# A mock's magic method as an attribute: `MagicMethodOf[<mock type>, Literal["__enter__"]]`.
MAGIC_METHOD_CALL: Final = "mypy_async_strict.mocks.MagicMethodOf.__call__"

# Methods of the annotation classes the plugin refines.
CALL_HOOKS: Final = frozenset(f"{name}.__call__" for name in KIND_BY_ANNOTATION)
AWAIT_HOOKS: Final = frozenset(f"{name}.__await__" for name in KIND_BY_ANNOTATION)
CALL_ASSERTION_HOOKS: Final = frozenset(
    f"{name}.{method}"
    for name in KIND_BY_ANNOTATION
    for method in (
        "assert_called_with",
        "assert_called_once_with",
        "assert_any_call",
        "assert_awaited_with",
        "assert_awaited_once_with",
        "assert_any_await",
    )
)

# Names that configure a mock's children when called on it.
CONFIGURING_METHODS: Final = frozenset(
    {"configure_mock", "attach_mock", "mock_add_spec", "reset_mock", "__setattr__"}
)

# Attribute names that are (or misspell) assertion methods: `unittest.mock` raises AttributeError
# for any of them the mock does not have.
ASSERTION_PREFIXES: Final = ("assert", "assret", "asert", "aseert", "assrt")

# `map(async_fn, items)`: a lazy source of coroutines (checks/coroutines.py follows it).
BUILTIN_MAP: Final = "builtins.map"

# Async APIs that need a coroutine, an awaitable, an asynchronous context manager or an object with
# an awaitable `aclose()` (hooks/async_apis.py): typeshed's mocks derive from Any, so these accept
# anything to plain mypy.
CREATE_TASK: Final = "asyncio.tasks.create_task"
ENSURE_FUTURE: Final = "asyncio.tasks.ensure_future"
GATHER: Final = "asyncio.tasks.gather"
WAIT_FOR: Final = "asyncio.tasks.wait_for"
SHIELD: Final = "asyncio.tasks.shield"
RUN_COROUTINE_THREADSAFE: Final = "asyncio.tasks.run_coroutine_threadsafe"
ASYNCIO_RUN: Final = "asyncio.runners.run"
ACLOSING: Final = "contextlib.aclosing"
RUNNER_RUN: Final = "asyncio.runners.Runner.run"
TASK_GROUP_CREATE_TASK: Final = "asyncio.taskgroups.TaskGroup.create_task"
LOOP_CREATE_TASK: Final = "asyncio.events.AbstractEventLoop.create_task"
BASE_LOOP_CREATE_TASK: Final = "asyncio.base_events.BaseEventLoop.create_task"
LOOP_RUN_UNTIL_COMPLETE: Final = "asyncio.events.AbstractEventLoop.run_until_complete"
BASE_LOOP_RUN_UNTIL_COMPLETE: Final = "asyncio.base_events.BaseEventLoop.run_until_complete"
ENTER_ASYNC_CONTEXT: Final = "contextlib.AsyncExitStack.enter_async_context"
ASYNC_API_FUNCTIONS: Final = frozenset(
    {CREATE_TASK, ENSURE_FUTURE, GATHER, WAIT_FOR, SHIELD, RUN_COROUTINE_THREADSAFE, ASYNCIO_RUN, ACLOSING}
)
ASYNC_API_METHODS: Final = frozenset(
    {
        RUNNER_RUN,
        TASK_GROUP_CREATE_TASK,
        LOOP_CREATE_TASK,
        BASE_LOOP_CREATE_TASK,
        LOOP_RUN_UNTIL_COMPLETE,
        BASE_LOOP_RUN_UNTIL_COMPLETE,
        ENTER_ASYNC_CONTEXT,
    }
)

# `<class>.__aenter__`, implicitly called by `async with`: an unannotated `return self` gives the
# instance (hooks/entered.py).
AENTER_SUFFIX: Final = ".__aenter__"
# `m.configure_mock(...)`: its keys are checked against the mock's spec (annotation classes, and
# plain mock classes for stored mocks the plugin knows).
CONFIGURE_MOCK_HOOKS: Final = frozenset(
    f"{name}.configure_mock" for name in (*KIND_BY_ANNOTATION, *MOCK_CONSTRUCTORS)
)

# Calls that only look at their arguments: passing a mock to them is not an escape.
INSPECTING_CALLS: Final = frozenset(
    {
        "builtins.print",
        "builtins.reveal_type",
        "builtins.reveal_locals",
        "typing.reveal_type",
        "typing_extensions.reveal_type",
        "builtins.len",
        "builtins.repr",
        "builtins.str",
        "builtins.isinstance",
        "builtins.issubclass",
        "builtins.id",
        "builtins.hash",
        "builtins.bool",
        "builtins.callable",
        "builtins.hasattr",
        # not `type` or `getattr`: `type(m).x = ...` and `getattr(m, name).side_effect = ...`
        # configure the mock
        "builtins.dir",
        "unittest.mock.call",
        "unittest.mock.seal",  # stops new children; replaces nothing (knowledge/lifecycle.py)
        "inspect.iscoroutinefunction",
        "asyncio.iscoroutinefunction",
        "asyncio.coroutines.iscoroutinefunction",
    }
)
# Calls whose result type does not depend on their arguments' types (knowledge/positions.py):
# those above, and the ones that read or set attributes by name or test for awaitables.
TYPE_INDEPENDENT_CALLS: Final = INSPECTING_CALLS | {
    "builtins.getattr",
    "builtins.setattr",
    "builtins.delattr",
    "builtins.vars",
    "inspect.iscoroutine",
    "inspect.isawaitable",
    "asyncio.iscoroutine",
    "asyncio.coroutines.iscoroutine",
}
