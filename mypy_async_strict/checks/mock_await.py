"""`mock-await`: an `await` whose operand is a mock object, which CPython never awaits."""

from __future__ import annotations

from typing import Callable, Optional

from mypy.messages import format_type_bare
from mypy.nodes import AwaitExpr, CallExpr, Expression, MemberExpr, MypyFile
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import CallableType, Type, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.checks.misuse import Shape, shape_of
from mypy_async_strict.knowledge.aliases import verdict
from mypy_async_strict.knowledge.certainty import failure_expected
from mypy_async_strict.knowledge.configured import Configured
from mypy_async_strict.knowledge.lifecycle import added_spec
from mypy_async_strict.knowledge.patched_refs import active_patch
from mypy_async_strict.knowledge.patches import installed_mock_type
from mypy_async_strict.knowledge.patch_decorators import order_hint
from mypy_async_strict.knowledge.provenance import (
    ScanCache,
    is_mock_constructor,
    path_of,
)
from mypy_async_strict.knowledge.values import known_mock
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Kind, SpecMode, Target, is_awaitable
from mypy_async_strict.render import article, render
from mypy_async_strict.safety import degrade_to


def _default(ctx: MethodContext) -> Type:
    return ctx.default_return_type


class AwaitHooks:
    """The `__await__` hook of the annotation classes; one per plugin instance."""

    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache
        self.await_ = degrade_to(_default)(self._await)

    def _await(self, ctx: MethodContext) -> Type:
        """Called for `__await__` of an annotation class, i.e. for `await <mock>`."""
        await_expr = ctx.context
        if not isinstance(await_expr, AwaitExpr):
            return ctx.default_return_type
        mocks = _operand_mocks(ctx, await_expr)
        if not mocks or mocks[0] != mocktypes.decode(ctx.type):
            return ctx.default_return_type
        if any(is_awaitable(mock.state) for mock in mocks):
            return ctx.default_return_type
        # mypy narrows `m.x` after `m.x = ...` even where a helper may have replaced it since.
        if path_of(await_expr.expr) is not None and not (
            verdict(ctx.api, self.cache, await_expr.expr).certain
            or added_spec(ctx.api, self.cache, await_expr.expr) is not None
        ):
            return ctx.default_return_type
        if not failure_expected(ctx.api, self.cache, await_expr.line):
            _report(ctx, await_expr, mocks, lambda expr: known_mock(ctx.api, self.cache, expr))
        return ctx.default_return_type


Known = Callable[[Expression], Optional[MockType]]


def _report(ctx: MethodContext, await_expr: AwaitExpr, mocks: list[MockType], known: Known) -> None:
    operand = await_expr.expr
    error = ctx.api.fail(_message(operand, mocks), await_expr, code=errorcodes.MOCK_AWAIT)
    ctx.api.msg.note(
        _hint(ctx, operand, mocks[0], known), await_expr, code=errorcodes.MOCK_AWAIT, parent_error=error
    )


def _operand_mocks(ctx: MethodContext, await_expr: AwaitExpr) -> list[MockType] | None:
    """Every type the operand may have, when each one is a mock; else None.

    mypy calls `__await__` once per union item (the caller reports for the first only);
    `await x` with `x: MagicMockOf[...] | Coroutine[...]` may well work.
    """
    lookup = getattr(ctx.api, "lookup_type_or_none", None)
    operand_type = lookup(await_expr.expr) if lookup is not None else None
    return mocktypes.decode_all(operand_type) if operand_type is not None else None


def _message(operand: Expression, mocks: list[MockType]) -> str:
    text = render(operand)
    names = list(dict.fromkeys(mock.state.kind.value for mock in mocks))
    kind = " or ".join(names)
    if isinstance(operand, CallExpr) and not is_mock_constructor(operand):
        what = f'"{text}" returns {article(kind)} {kind}'
    else:
        what = f'"{text}" is {article(kind)} {kind}'
    return f'"await" raises TypeError at run time: {what}, which is not awaitable'


def _hint(ctx: MethodContext, operand: Expression, mock: MockType, known: Known) -> str:
    if isinstance(operand, CallExpr) and not is_mock_constructor(operand):
        return _call_hint(ctx, operand, known)
    if mock.state.kind is Kind.ASYNC_MOCK:
        return f'An AsyncMock is awaitable only through a call: "await {render(operand)}()"'
    return (
        "A mock object is never awaitable; await the call of an AsyncMock instead, "
        'e.g. "await AsyncMock(return_value=...)()"'
    )


def _call_hint(ctx: MethodContext, operand: CallExpr, known: Known) -> str:
    """Why the callee's call returns a sync mock, and the fix that fits that reason."""
    callee = operand.callee
    callee_mock = known(callee)
    name = render(callee)
    if callee_mock is None:
        hint = order_hint(ctx.api, callee, "MagicMock")
        return hint or f'Use an AsyncMock for "{name}" so that its calls return awaitables'
    state = callee_mock.state
    if _stands_for_async_function(callee_mock):
        return (
            f'"{name}" stands for an "async def", but this mock is {article(state.kind.value)} '
            f"{state.kind.value}: use AsyncMock (for patch.object, drop new_callable or pass "
            "new_callable=AsyncMock)"
        )
    patched_class = _patched_class(ctx, callee)
    if patched_class is not None:
        return (
            f'{patched_class} replaces the class with a MagicMock whose instances are unspecced: '
            "pass autospec=True (or spec=True) so that async methods become AsyncMock"
        )
    if isinstance(callee, MemberExpr) and _is_names(known(callee.expr)):
        return (
            f'"{render(callee.expr)}" is specced from a list of names, which makes every attribute '
            f'a sync mock: spec it from the real class, or set "{name} = AsyncMock(...)"'
        )
    if state.mode is SpecMode.CHILD or (state.mode.is_autospec and state.target is Target.FUNCTION):
        return (
            f'"{name}" is not "async def" in the spec, so the mock made it {article(state.kind.value)} '
            f"{state.kind.value}; if the real one returns an awaitable, "
            f'set "{name} = AsyncMock(...)"'
        )
    if state.target is Target.INSTANCE and state.specced:
        return (
            "Calling a mock specced with a class returns an unspecced MagicMock; "
            f'configure "{name}.return_value" or use create_autospec() for instances'
        )
    if isinstance(callee, MemberExpr) and _is_unspecced(known(callee.expr)):
        base = render(callee.expr)
        return (
            f'"{base}" has no spec, so "{name}" is {article(state.kind.value)} {state.kind.value}: '
            f'use MagicMock(spec=<real class>) or AsyncMock(spec=<real class>) for "{base}" '
            "so that async methods become AsyncMock"
        )
    return f'Use AsyncMock() for "{name}": calls of an AsyncMock return awaitables'


def _stands_for_async_function(mock: MockType) -> bool:
    stands_for = get_proper_type(mock.stands_for)
    return (
        mock.state.kind is not Kind.ASYNC_MOCK
        and isinstance(stands_for, CallableType)
        and shape_of(stands_for.ret_type) is Shape.COROUTINE
    )


def _patched_class(ctx: MethodContext, callee: Expression) -> str | None:
    """`patch("pkg.mod.Client")` for `pkg.mod.Client().fetch` in the patch's body, when the
    patch made an unspecced class mock."""
    if not isinstance(callee, MemberExpr) or not isinstance(callee.expr, CallExpr):
        return None
    active = active_patch(ctx.api, callee.expr.callee)
    if active is None or not isinstance(active.patch.owner, MypyFile):
        return None
    installed = installed_mock_type(ctx.api, active.patch)
    mock = mocktypes.decode(installed) if installed is not None else None
    if mock is None or mock.state.mode is not SpecMode.NONE:
        return None
    return f'patch("{active.patch.target_name}")'


def _is_names(base: MockType | None) -> bool:
    return base is not None and base.state.mode.is_names


def _is_unspecced(base: MockType | None) -> bool:
    return base is not None and base.state.mode is SpecMode.NONE


def report_configured_await(ctx: MethodContext | FunctionContext, await_expr: AwaitExpr, call: CallExpr, configured: Configured) -> None:
    """`await m.get()` where the sync mock `m.get` returns its configured value, which no
    `await` accepts."""
    value = configured.value
    source = render(configured.source) if configured.source is not None else "its configured value"
    kind = format_type_bare(value, ctx.api.options) if value is not None else "a value"
    message = (
        f'"await" raises TypeError at run time: "{render(call)}" returns {source} '
        f'(configured), a "{kind}", which is not awaitable'
    )
    error = ctx.api.fail(message, await_expr, code=errorcodes.MOCK_AWAIT)
    callee = render(call.callee)
    hint = (
        f'"{callee}" is a sync mock: make it an AsyncMock with that return value '
        f'("{callee} = AsyncMock(return_value=...)"), or do not await its calls'
    )
    ctx.api.msg.note(hint, await_expr, code=errorcodes.MOCK_AWAIT, parent_error=error)
