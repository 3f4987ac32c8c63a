"""Async APIs handed something they cannot run: a mock, or a mock's configured value.

`asyncio.create_task`, `ensure_future`, `gather`, `wait_for`, `shield`, `run`,
`run_coroutine_threadsafe`, `loop.run_until_complete`, `loop.create_task`,
`TaskGroup.create_task` and `Runner.run` need a coroutine or an awaitable;
`AsyncExitStack.enter_async_context` an asynchronous context manager; `contextlib.aclosing` an
object whose `aclose()` is awaitable.  typeshed's mock classes derive from `Any`, and a mock's
call is `Any` to plain mypy, so these calls accept anything; CPython raises (TypeError, or
ValueError for `run`).

The argument's nature comes from what the plugin knows, never from a guess: the mock a local or
an expression certainly holds (knowledge/values.py), and values the plugin typed exactly (a mock
call's configured `return_value`).  An unspecced mock, or one specced from a class that has no
`__await__` (and is no future), is never awaitable: CPython's checks (`iscoroutine`,
`isfuture`, `isawaitable`) look at the object's class, which a spec replaces.  An argument whose
type plain mypy knows is left to mypy's own `arg-type`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable, Final, Union

from mypy.errorcodes import ErrorCode
from mypy.messages import format_type_bare
from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR,
    CallExpr,
    Expression,
    ListComprehension,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    StrExpr,
    TupleExpr,
)
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext
from mypy.types import AnyType, Instance, NoneType, Type, TypeOfAny, get_proper_type

from mypy_async_strict import errorcodes, fullnames
from mypy_async_strict.checks.misuse import Shape, shape_of, usage_of
from mypy_async_strict.knowledge.certainty import failure_expected, protocol_configured
from mypy_async_strict.knowledge.configured import awaitable
from mypy_async_strict.knowledge.syntax import walk
from mypy_async_strict.knowledge.provenance import ScanCache, Usage, is_mock_constructor, scopes_of
from mypy_async_strict.knowledge.values import definition, known_mock
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import (
    CallOutcome,
    Kind,
    Member,
    Protocol,
    SpecMode,
    Target,
    call_outcome,
    child_state,
    supports_protocol,
)
from mypy_async_strict.render import article, render
from mypy_async_strict.safety import degrade_to, quietly
from mypy_async_strict.specs.members import INSTANCE_MODES, spec_class

Ctx = Union[FunctionContext, MethodContext]
Hook = Callable[[Ctx], Type]
MAX_ALIAS_DEPTH: Final = 8
# Names a class has when CPython's asyncio may take its instances for awaitables or futures.
AWAITABLE_MARKERS: Final = ("__await__", "_asyncio_future_blocking", "send")


class Need(enum.Enum):
    COROUTINE = "a coroutine"
    AWAITABLE = "awaitable"
    ASYNC_CONTEXT_MANAGER = "an asynchronous context manager"
    ACLOSE = "an object with an awaitable aclose()"


@dataclass(frozen=True)
class Api:
    parameter: str  # the parameter that needs it (by keyword), first positional otherwise
    need: Need
    raises: str  # what CPython raises
    every_positional: bool = False  # gather(*aws)


_TYPE_ERROR: Final = "TypeError"
APIS: Final[dict[str, Api]] = {
    fullnames.CREATE_TASK: Api("coro", Need.COROUTINE, _TYPE_ERROR),
    fullnames.ENSURE_FUTURE: Api("coro_or_future", Need.AWAITABLE, _TYPE_ERROR),
    fullnames.GATHER: Api("", Need.AWAITABLE, _TYPE_ERROR, every_positional=True),
    fullnames.WAIT_FOR: Api("fut", Need.AWAITABLE, _TYPE_ERROR),
    fullnames.SHIELD: Api("arg", Need.AWAITABLE, _TYPE_ERROR),
    fullnames.ASYNCIO_RUN: Api("main", Need.COROUTINE, "ValueError"),
    fullnames.RUN_COROUTINE_THREADSAFE: Api("coro", Need.COROUTINE, _TYPE_ERROR),
    fullnames.RUNNER_RUN: Api("coro", Need.COROUTINE, "ValueError"),
    fullnames.TASK_GROUP_CREATE_TASK: Api("coro", Need.COROUTINE, _TYPE_ERROR),
    fullnames.LOOP_CREATE_TASK: Api("coro", Need.COROUTINE, _TYPE_ERROR),
    fullnames.BASE_LOOP_CREATE_TASK: Api("coro", Need.COROUTINE, _TYPE_ERROR),
    fullnames.LOOP_RUN_UNTIL_COMPLETE: Api("future", Need.AWAITABLE, _TYPE_ERROR),
    fullnames.BASE_LOOP_RUN_UNTIL_COMPLETE: Api("future", Need.AWAITABLE, _TYPE_ERROR),
    fullnames.ENTER_ASYNC_CONTEXT: Api(
        "cm", Need.ASYNC_CONTEXT_MANAGER, "TypeError (AttributeError before Python 3.11)"
    ),
    fullnames.ACLOSING: Api("thing", Need.ACLOSE, _TYPE_ERROR),
}


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    hint: str


class AsyncApiHooks:
    """Hooks on the calls above; each runs the hook mypy would run otherwise afterwards."""

    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache

    def hook(self, fullname: str, inner: Callable[..., Type] | None) -> Callable[..., Type]:
        api = APIS[fullname]

        def run(ctx: Ctx) -> Type:
            if not getattr(ctx.api, "can_skip_diagnostics", False):  # errors shown in this module
                reported: list[bool] = []
                quietly(lambda: reported.append(self._check(ctx, api)))
                if any(reported):
                    # Reported: what the call gives is moot (mypy 1.x would otherwise infer
                    # `Task[Never]` from the mock and ask for an annotation).
                    return AnyType(TypeOfAny.from_error)
            return inner(ctx) if inner is not None else ctx.default_return_type

        return degrade_to(_default)(run)

    def _check(self, ctx: Ctx, api: Api) -> bool:
        """Report the call's first argument that fails there; whether one was reported."""
        call = ctx.context
        if not isinstance(call, CallExpr) or failure_expected(ctx.api, self.cache, call.line):
            return False
        if api.need is Need.ACLOSE and usage_of(ctx.api, self.cache, call) is not Usage.ASYNC_WITH:
            return False  # `aclose()` is awaited on leaving `async with`; not entered, nothing fails
        for argument in _arguments(call, api):
            problem = self._problem(ctx.api, call, argument, api)
            if problem is not None:
                error = ctx.api.fail(problem.message, call, code=problem.code)
                ctx.api.msg.note(problem.hint, call, code=problem.code, parent_error=error)
                return True
        return False

    def _problem(
        self, checker: CheckerPluginInterface, call: CallExpr, argument: Expression, api: Api
    ) -> Problem | None:
        if not _unknown_to_mypy(checker, argument):
            return None  # mypy checks it (`arg-type`)
        mock = known_mock(checker, self.cache, argument)
        if mock is not None:
            return self._mock_problem(checker, call, argument, mock, api)
        value = self._value_type(checker, argument)
        if value is None:
            return None
        return _value_problem(checker, call, argument, value, api)

    def _mock_problem(
        self, checker: CheckerPluginInterface, call: CallExpr, argument: Expression, mock: MockType, api: Api
    ) -> Problem | None:
        text = render(argument)
        kind = mock.state.kind.value
        what = f'"{text}" {_verb(argument)} {article(kind)} {kind}'
        if api.need in (Need.COROUTINE, Need.AWAITABLE):
            if not _never_awaitable(mock):
                return None
            message = f'"{render(call)}" raises {api.raises} at run time: {what}, which is not {_needed(api)}'
            return Problem(errorcodes.MOCK_AWAIT, message, _mock_hint(checker, self.cache, argument, mock))
        if api.need is Need.ASYNC_CONTEXT_MANAGER:
            if mock.state.specced or supports_protocol(mock.state, Protocol.ASYNC_WITH, None) is not False:
                return None
            if protocol_configured(checker, self.cache, argument, Protocol.ASYNC_WITH.methods):
                return None
            message = (
                f'"{render(call)}" raises {api.raises} at run time: {what} without __aenter__ or '
                "__aexit__"
            )
            hint = "Mock and NonCallableMock configure no magic methods; use MagicMock (or AsyncMock)"
            if mock.state.kind is Kind.NON_CALLABLE_MAGIC_MOCK:
                hint = "NonCallableMagicMock has no __aenter__; use MagicMock"
            return Problem(errorcodes.MOCK_PROTOCOL, message, hint)
        return self._aclose_problem(checker, call, argument, mock, api, what)

    def _aclose_problem(
        self, checker: CheckerPluginInterface, call: CallExpr, argument: Expression, mock: MockType, api: Api, what: str
    ) -> Problem | None:
        """`aclosing(m)` awaits `m.aclose()` on exit: an unspecced sync mock's is a sync mock."""
        if mock.state.mode is not SpecMode.NONE or mock.state.kind is Kind.ASYNC_MOCK:
            return None
        child = child_state(mock.state, Member.DATA)
        if child is None or call_outcome(child) is not CallOutcome.RETURN_VALUE:
            return None
        if not self._untouched(checker, argument):
            return None
        text = render(argument)
        child_kind = child.kind.value
        message = (
            f'"async with {render(call)}" raises {api.raises} at run time: on exit it awaits '
            f'"{text}.aclose()", which returns {article(child_kind)} {child_kind} ({what} without a spec)'
        )
        if is_mock_constructor(argument):
            hint = "Use AsyncMock(), whose aclose() is awaitable"
        else:
            hint = f'Use an AsyncMock, whose aclose() is awaitable, or set "{text}.aclose = AsyncMock()"'
        return Problem(errorcodes.MOCK_AWAIT, message, hint)

    def _untouched(self, checker: CheckerPluginInterface, argument: Expression) -> bool:
        """Nothing may have configured `argument.aclose`: not replaced, no escape or subtree
        configuration of the mock (what `protocol_configured` answers), and the function never
        names `aclose` (`m.aclose.return_value = ...`, `configure_mock(**{"aclose...": ...})`)."""
        if protocol_configured(checker, self.cache, argument, ("aclose",)):
            return False
        scopes = scopes_of(checker)
        if not scopes:
            return False
        for node in walk(scopes[0], {}):
            if isinstance(node, MemberExpr) and node.name == "aclose":
                return False
            if isinstance(node, StrExpr) and "aclose" in node.value:
                return False
        return True

    def _value_type(self, checker: CheckerPluginInterface, expr: Expression) -> Type | None:
        """The type the plugin gave the value (a configured return value), following locals
        bound once; None where the plugin typed nothing."""
        scopes = scopes_of(checker)
        module = scopes[-1] if scopes else None
        if not isinstance(module, MypyFile):
            return None
        for _ in range(MAX_ALIAS_DEPTH):
            recorded = self.cache.recall(module, expr)
            if recorded is not None:
                return recorded
            following = definition(checker, self.cache, expr)
            if following is None:
                return None
            expr = following
        return None


def _default(ctx: Ctx) -> Type:
    return ctx.default_return_type


def _arguments(call: CallExpr, api: Api) -> list[Expression]:
    """The arguments that must be of the needed kind: the parameter's (by position or keyword),
    or every positional one (and the items of a display or comprehension unpacked with `*`)."""
    if api.every_positional:
        found: list[Expression] = []
        for kind, arg in zip(call.arg_kinds, call.args):
            if kind == ARG_POS:
                found.append(arg)
            elif kind == ARG_STAR and isinstance(arg, (ListExpr, TupleExpr)):
                found.extend(arg.items)
            elif kind == ARG_STAR and isinstance(arg, ListComprehension):
                found.append(arg.generator.left_expr)
        return found
    for index, (kind, name, arg) in enumerate(zip(call.arg_kinds, call.arg_names, call.args)):
        if (kind == ARG_POS and index == 0) or (kind == ARG_NAMED and name == api.parameter):
            return [arg]
    return []


def _unknown_to_mypy(checker: CheckerPluginInterface, expr: Expression) -> bool:
    """Whether plain mypy accepts anything here: the argument is `Any`, or a mock (whose
    classes derive from `Any` in typeshed)."""
    lookup = getattr(checker, "lookup_type_or_none", None)
    typ = lookup(expr) if lookup is not None else None
    proper = get_proper_type(typ) if isinstance(typ, Type) else None
    if isinstance(proper, AnyType):
        return True
    return isinstance(proper, Instance) and proper.type.fallback_to_any


def _never_awaitable(mock: MockType) -> bool:
    """Whether asyncio certainly takes the mock for no coroutine, future or awaitable: its class
    (the mock's own, or the spec's it pretends to be) has nothing that makes it one."""
    state = mock.state
    if state.mode in (SpecMode.NONE, SpecMode.CHILD) or state.target is Target.FUNCTION:
        return True
    if state.mode in INSTANCE_MODES:
        return False  # the spec object may be of a subclass that is awaitable
    info = spec_class(state, mock.stands_for)
    if info is None or info.fallback_to_any:
        return False
    return not any(info.get(name) is not None for name in AWAITABLE_MARKERS)


def _value_problem(
    checker: CheckerPluginInterface, call: CallExpr, argument: Expression, value: Type, api: Api
) -> Problem | None:
    text = render(argument)
    proper = get_proper_type(value)
    if api.need is Need.ASYNC_CONTEXT_MANAGER:
        if shape_of(proper) is not Shape.COROUTINE:
            return None
        message = (
            f'"{render(call)}" raises {api.raises} at run time: "{text}" {_verb(argument)} a coroutine, '
            "not an asynchronous context manager"
        )
        return Problem(errorcodes.ASYNC_WITH, message, f'Await it first: "{render(call.callee)}(await {text})"')
    if api.need not in (Need.COROUTINE, Need.AWAITABLE) or awaitable(proper) is not False:
        return None
    shown = "None" if isinstance(proper, NoneType) else _quoted(format_type_bare(value, checker.options))
    message = (
        f'"{render(call)}" raises {api.raises} at run time: "{text}" {_verb(argument)} {shown} '
        f"(configured), which is not {_needed(api)}"
    )
    callee = argument.callee if isinstance(argument, CallExpr) else None
    if callee is not None:
        name = render(callee)
        hint = f'"{name}" is a sync mock: make it an AsyncMock with that return value ("{name} = AsyncMock(return_value=...)")'
    else:
        hint = "Pass the call of an AsyncMock configured with that return value"
    return Problem(errorcodes.MOCK_AWAIT, message, hint)


def _needed(api: Api) -> str:
    return "a coroutine" if api.need is Need.COROUTINE else "awaitable"


def _verb(expr: Expression) -> str:
    return "returns" if isinstance(expr, CallExpr) and not is_mock_constructor(expr) else "is"


def _mock_hint(checker: CheckerPluginInterface, cache: ScanCache, argument: Expression, mock: MockType) -> str:
    if isinstance(argument, CallExpr) and not is_mock_constructor(argument):
        name = render(argument.callee)
        return f'Use an AsyncMock for "{name}" (or spec its mock from the real class) so that its calls return coroutines'
    if mock.state.kind is Kind.ASYNC_MOCK:
        return f'An AsyncMock is awaitable only through a call: pass "{render(argument)}()"'
    if isinstance(argument, NameExpr):
        bound = definition(checker, cache, argument)
        if isinstance(bound, CallExpr) and not is_mock_constructor(bound):
            name = render(bound.callee)
            return f'Use an AsyncMock for "{name}" (or spec its mock from the real class) so that its calls return coroutines'
    return 'A mock object is never awaitable: pass the call of an AsyncMock, e.g. "AsyncMock(return_value=...)()"'


def _quoted(type_name: str) -> str:
    """`an "int"`, `a "list[int]"`."""
    return f'{"an" if type_name[:1].lower() in "aeiou" else "a"} "{type_name}"'
