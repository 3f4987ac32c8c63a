"""CPython's `unittest.mock` rules, as data.  No mypy imports: this module is the oracle's twin.

Every rule here was run on CPython 3.10-3.13 (see `shared/mock-runtime-facts.md` and
`tests/test_model_runtime.py`, which checks this module against the real `unittest.mock`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Final


class Kind(enum.Enum):
    """The class of a mock object at run time."""

    MOCK = "Mock"
    MAGIC_MOCK = "MagicMock"
    ASYNC_MOCK = "AsyncMock"
    NON_CALLABLE_MOCK = "NonCallableMock"
    NON_CALLABLE_MAGIC_MOCK = "NonCallableMagicMock"
    PROPERTY_MOCK = "PropertyMock"

    @property
    def callable(self) -> bool:
        return self not in (Kind.NON_CALLABLE_MOCK, Kind.NON_CALLABLE_MAGIC_MOCK)

    @property
    def magic(self) -> bool:
        """Whether the kind configures magic methods (`with`, `async with`, `len`, ...)."""
        return self in (Kind.MAGIC_MOCK, Kind.ASYNC_MOCK, Kind.NON_CALLABLE_MAGIC_MOCK)


class SpecMode(enum.Enum):
    """How a mock was specced; the value is the literal shown in `MagicMockOf[T, Literal[...]]`."""

    NONE = "none"  # no spec: any attribute is a child mock
    SPEC = "spec"  # spec=<class>: attribute names checked against dir(class)
    SPEC_SET = "spec_set"  # spec_set=<class>: reads and writes checked
    INSTANCE_SPEC = "instance_spec"  # spec=<instance>: dir(instance), so __init__ attributes too
    INSTANCE_SPEC_SET = "instance_spec_set"
    AUTOSPEC = "autospec"  # create_autospec / autospec=True: signatures checked, children specced
    AUTOSPEC_SET = "autospec_set"
    CHILD = "child"  # an unspecced child of a specced mock, typed from the spec's member
    NAMES = "names"  # spec=["get", "close"]: attribute names checked, no member is async
    NAMES_SET = "names_set"  # spec_set=[...]: reads and writes checked

    @property
    def checks_attributes(self) -> bool:
        return self not in (SpecMode.NONE, SpecMode.CHILD)

    @property
    def is_names(self) -> bool:
        return self in (SpecMode.NAMES, SpecMode.NAMES_SET)

    @property
    def is_autospec(self) -> bool:
        return self in (SpecMode.AUTOSPEC, SpecMode.AUTOSPEC_SET)


class Target(enum.Enum):
    """What the spec describes, and so what the mock stands in for."""

    NOTHING = "nothing"  # unspecced
    INSTANCE = "instance"  # stands for an instance (spec=C, spec=c, create_autospec(C, instance=True))
    CLASS = "class"  # stands for the class itself (create_autospec(C), patch("mod.C", autospec=True))
    FUNCTION = "function"  # stands for a function or method
    NAMES = "names"  # an object with the listed attribute names (a list spec)


class Member(enum.Enum):
    """What an attribute of the spec is, as far as `unittest.mock` cares."""

    ASYNC_FUNCTION = "async function"  # inspect.iscoroutinefunction() is true
    SYNC_FUNCTION = "sync function"
    ASYNC_GENERATOR = "async generator function"  # not a coroutine function: gets a sync mock
    DATA = "data"  # a plain class attribute
    PROPERTY = "property"  # a property (autospec makes it a MagicMock, a value non-callable)
    MISSING = "missing"  # not in the spec: AttributeError on a specced mock
    LISTED = "listed"  # named by a list spec: present, and never async (nothing to inspect)
    UNKNOWN = "unknown"  # the plugin cannot tell (decorated, dynamic, ...)


@dataclass(frozen=True)
class MockState:
    kind: Kind
    mode: SpecMode
    target: Target

    @property
    def specced(self) -> bool:
        return self.mode.checks_attributes


def child_kind(parent: MockState, member: Member) -> Kind | None:
    """The class of `parent.<name>` when nothing replaced it; None when it cannot be known.

    CPython (`NonCallableMock._get_child_mock`): a specced parent turns the spec's coroutine
    functions into AsyncMock children and its other members into MagicMock (or Mock, under a
    Mock or NonCallableMock parent) children, even under an AsyncMock parent (a list spec's
    names are never coroutine functions: `_spec_asyncs` stays empty); an unspecced
    AsyncMock makes AsyncMock children; non-callable parents make callable children;
    PropertyMock makes MagicMock children even from a spec; autospec makes a plain value
    attribute a NonCallableMagicMock.  `member` matters only for specced parents.
    """
    if parent.kind is Kind.PROPERTY_MOCK:
        return Kind.MAGIC_MOCK
    if parent.specced:
        if member in (Member.UNKNOWN, Member.MISSING):
            return None  # unknown, or an AttributeError at run time: no child at all
        if member is Member.ASYNC_FUNCTION:
            return Kind.ASYNC_MOCK
        if member is Member.DATA and parent.mode.is_autospec:
            return Kind.NON_CALLABLE_MAGIC_MOCK
        if parent.kind is Kind.ASYNC_MOCK:
            return Kind.MAGIC_MOCK
    elif parent.kind is Kind.ASYNC_MOCK:
        return Kind.ASYNC_MOCK
    if parent.kind in (Kind.MAGIC_MOCK, Kind.NON_CALLABLE_MAGIC_MOCK):
        return Kind.MAGIC_MOCK
    return Kind.MOCK


def child_state(parent: MockState, member: Member) -> MockState | None:
    """The child mock at `parent.<name>`; its spec mode follows the parent's."""
    kind = child_kind(parent, member)
    if kind is None:
        return None
    if not parent.specced:
        return MockState(kind, SpecMode.NONE, Target.NOTHING)
    if member is Member.LISTED:
        return MockState(kind, SpecMode.CHILD, Target.NOTHING)  # a list spec specs no child
    if member is Member.PROPERTY and parent.mode.is_autospec:
        return MockState(kind, SpecMode.NONE, Target.NOTHING)  # autospec does not follow properties
    target = Target.INSTANCE if member in (Member.DATA, Member.PROPERTY) else Target.FUNCTION
    if parent.mode.is_autospec:
        return MockState(kind, parent.mode, target)
    # A plain spec does not spec its children: they accept any attribute and any call.
    return MockState(kind, SpecMode.CHILD, target)


class CallOutcome(enum.Enum):
    """What calling a mock gives when its return value was never configured."""

    COROUTINE = "coroutine"  # AsyncMock: a coroutine whose await gives `return_value`
    RETURN_VALUE = "return_value"  # a sync mock returns its `return_value` child
    INSTANCE = "instance"  # an autospecced class returns an autospecced instance
    NOT_CALLABLE = "not callable"  # TypeError
    UNKNOWN = "unknown"


def call_outcome(state: MockState) -> CallOutcome:
    if not state.kind.callable:
        return CallOutcome.NOT_CALLABLE
    if state.kind is Kind.ASYNC_MOCK:
        return CallOutcome.COROUTINE
    if state.specced and state.target is Target.CLASS:
        # create_autospec(C), patch(..., autospec=True) and patch(..., spec=True) on a class:
        # the call returns a mock of an instance, specced from the class.
        return CallOutcome.INSTANCE
    return CallOutcome.RETURN_VALUE


def return_value_state(state: MockState) -> MockState:
    """The default `return_value` child (for an AsyncMock: what awaiting its call gives).

    It is never specced, except an autospecced class's instance (handled by `CallOutcome.INSTANCE`).
    An AsyncMock's `return_value` is an AsyncMock; a PropertyMock's is a MagicMock.
    """
    if state.kind is Kind.ASYNC_MOCK:
        kind = Kind.ASYNC_MOCK
    elif state.kind in (Kind.MAGIC_MOCK, Kind.PROPERTY_MOCK):
        kind = Kind.MAGIC_MOCK
    else:
        kind = Kind.MOCK
    return MockState(kind, SpecMode.NONE, Target.NOTHING)


def instance_state(state: MockState, callable_instances: bool = False) -> MockState:
    """What calling a specced class mock returns: a mock of an instance, specced like the class
    mock (autospec, spec or spec_set), non-callable unless the class has `__call__`
    (`_instance_callable`: a `__call__` anywhere in the class's MRO makes it a MagicMock)."""
    kind = Kind.MAGIC_MOCK if callable_instances else Kind.NON_CALLABLE_MAGIC_MOCK
    return replace(state, kind=kind, target=Target.INSTANCE)


def is_awaitable(state: MockState) -> bool:
    """No mock object is awaitable: `await` needs `__await__`, which no mock class supports.

    Only calling an AsyncMock (or a mock specced from a coroutine function) gives something
    awaitable, and that is a coroutine, not a mock.
    """
    return False


def kind_for_function_spec(requested: Kind, spec_is_coroutine_function: bool) -> Kind:
    """`MagicMock(spec=async_fn)()` returns a coroutine: `NonCallableMock.__new__` mixes
    AsyncMock's behaviour into callable mocks specced from a coroutine function."""
    if spec_is_coroutine_function and requested.callable:
        return Kind.ASYNC_MOCK
    return requested


class Protocol(enum.Enum):
    """The statement protocols a mock may or may not support, with the methods each needs."""

    WITH = ("with", ("__enter__", "__exit__"))
    ASYNC_WITH = ("async with", ("__aenter__", "__aexit__"))
    FOR = ("for", ("__iter__",))
    ASYNC_FOR = ("async for", ("__aiter__",))

    @property
    def statement(self) -> str:
        statement: str = self.value[0]
        return statement

    @property
    def methods(self) -> tuple[str, ...]:
        methods: tuple[str, ...] = self.value[1]
        return methods

    @property
    def counterpart(self) -> Protocol:
        """The sync/async twin: what to suggest when only the other one is supported."""
        return _COUNTERPARTS[self]


_COUNTERPARTS: Final = {
    Protocol.WITH: Protocol.ASYNC_WITH,
    Protocol.ASYNC_WITH: Protocol.WITH,
    Protocol.FOR: Protocol.ASYNC_FOR,
    Protocol.ASYNC_FOR: Protocol.FOR,
}


def supports_protocol(state: MockState, protocol: Protocol, spec_has: frozenset[str] | None) -> bool | None:
    """Whether `with`/`async with`/`for`/`async for` works on the mock; None if unknown.

    CPython: Mock, NonCallableMock and PropertyMock configure no magic methods, even with a
    spec.  A specced MagicMock/AsyncMock/NonCallableMagicMock keeps only the magic methods its
    spec has (`spec_has`: the spec's names among them, None if unknown).  Unspecced, MagicMock
    and AsyncMock support all four; NonCallableMagicMock lacks `__aenter__`/`__aexit__`.
    """
    if not state.kind.magic:
        return False
    if state.specced:
        if spec_has is None:
            return None
        if protocol is Protocol.FOR and "__getitem__" in spec_has:
            return True  # iter() falls back to the __getitem__ protocol
        return all(method in spec_has for method in protocol.methods)
    return not (state.kind is Kind.NON_CALLABLE_MAGIC_MOCK and protocol is Protocol.ASYNC_WITH)


class Operation(enum.Enum):
    """Operations that need one of a mock's magic methods (the first is the one they try)."""

    LEN = ("len()", ("__len__",))
    GET_ITEM = ("subscript", ("__getitem__",))
    SET_ITEM = ("item assignment", ("__setitem__",))
    DEL_ITEM = ("item deletion", ("__delitem__",))
    CONTAINS = ("in", ("__contains__", "__iter__", "__getitem__"))  # the fallbacks of `in`

    @property
    def text(self) -> str:
        text: str = self.value[0]
        return text

    @property
    def methods(self) -> tuple[str, ...]:
        methods: tuple[str, ...] = self.value[1]
        return methods


def supports_operation(state: MockState, operation: Operation, spec_has: frozenset[str] | None) -> bool | None:
    """Whether `len(m)`, `m[k]`, `m[k] = v`, `del m[k]` or `k in m` works; None if unknown.

    CPython: Mock, NonCallableMock and PropertyMock configure no magic methods, so all of these
    raise TypeError; MagicMock, AsyncMock and NonCallableMagicMock configure them all, keeping
    only the spec's when specced (`spec_has`: the spec's names among them, None if unknown).
    """
    if not state.kind.magic:
        return False
    if state.specced:
        if spec_has is None:
            return None
        return any(method in spec_has for method in operation.methods)
    return True


def entered_state(parent: MockState, is_async: bool, spec_method: Member | None) -> MockState | None:
    """What `with m as x` binds (`m.__enter__()`), or `async with m as x` (the await of
    `m.__aenter__()`), when neither was configured; None when unknown, or when the statement
    fails (see `supports_protocol`).

    CPython (`_get_child_mock`): a magic method that is a coroutine function of the spec
    (`_spec_asyncs`) is an AsyncMock; otherwise a MagicMock's `__aenter__` is an AsyncMock, an
    unspecced AsyncMock's too, and the sync magic methods are MagicMocks.  The value is the magic
    method's unspecced `return_value`.  `spec_method` is the spec's own `__enter__`/`__aenter__`
    (`Member.LISTED` for a list spec; None when unspecced or unknown).
    """
    if not parent.kind.magic or (parent.specced and spec_method in (None, Member.UNKNOWN, Member.MISSING)):
        return None
    spec_async = spec_method is Member.ASYNC_FUNCTION
    if is_async:
        if not (spec_async or parent.kind is Kind.MAGIC_MOCK or (parent.kind is Kind.ASYNC_MOCK and not parent.specced)):
            return None  # a sync `__aenter__`: awaiting its result fails
        kind = Kind.ASYNC_MOCK
    else:
        if spec_async:
            return None  # `__enter__` would return a coroutine
        kind = Kind.MAGIC_MOCK
    return return_value_state(MockState(kind, SpecMode.NONE, Target.NOTHING))
