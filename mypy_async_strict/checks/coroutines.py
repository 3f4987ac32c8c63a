"""Coroutines that are made and never awaited, reported where they are made.

CPython's `RuntimeWarning: coroutine ... was never awaited` points at the line that made the
coroutine (with origin tracking), and that is where the fix goes (`await` it, or schedule it).
The creating call is a call of an `async def` (typed, or unannotated) or of an `AsyncMock`; its
hook asks knowledge/coroutine_flow.py where the value goes within the function.  A coroutine
used directly by a statement or operator (`if coro():`, `coro() == 1`, `with coro():`) is
reported by checks/misuse.py instead; one dropped by an expression statement is mypy's own
`unused-coroutine`.

Codes: a coroutine whose truth value is all that is taken is `async-truthy` (`bool(...)`,
`any(...)`, a local only tested), one that is only compared is `async-compare` (a local only
compared: the comparison made at the call itself is reported by misuse.py); anything else
(formatted, logged, serialized, counted, never read, or a mix) is `async-unawaited`.
"""

from __future__ import annotations

from typing import Callable

from mypy.errorcodes import ErrorCode
from mypy.nodes import CallExpr, Decorator, Expression, FuncDef, FuncItem, RefExpr
from mypy.plugin import CheckerPluginInterface, FunctionContext
from mypy.types import CallableType, Instance, Overloaded, Type, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.knowledge.certainty import failure_expected, patched_here
from mypy_async_strict.knowledge.coroutine_flow import Fate, Mode, Sink, fate_of, made_repeatedly
from mypy_async_strict.knowledge.provenance import ScanCache, scopes_of
from mypy_async_strict.render import render
from mypy_async_strict.safety import degrade_to, quietly

COROUTINE_CLASSES = frozenset({"typing.Coroutine", "types.CoroutineType"})


def check_unawaited(
    api: CheckerPluginInterface, cache: ScanCache, call: CallExpr, unless: Callable[[], bool] | None = None
) -> None:
    """Report the coroutine `call` makes when, within its function, nothing may await it."""
    quietly(lambda: _check(api, cache, call, call, Mode.VALUE, unless))


def _check(
    api: CheckerPluginInterface,
    cache: ScanCache,
    expr: Expression,
    call: CallExpr,
    mode: Mode,
    unless: Callable[[], bool] | None,
) -> None:
    scopes = scopes_of(api)
    if not scopes or not isinstance(scopes[0], FuncItem):
        return  # module level: its names are globals, read from anywhere
    fate = fate_of(api, scopes[0], expr, mode)
    if fate is None or failure_expected(api, cache, expr.line):
        return
    if unless is not None and unless():
        return  # asked last: the condition may need a scan of the whole module
    _report(api, call, fate, mode is Mode.LAZY or made_repeatedly(scopes[0], call))


def _report(api: CheckerPluginInterface, call: CallExpr, fate: Fate, several: bool) -> None:
    text = render(call)
    if isinstance(call.callee, RefExpr) and call.callee.fullname == "builtins.map" and call.args:
        text = f"map({render(call.args[0])}, ...)"
    code = _code(fate)
    made = "coroutines that are" if several else "a coroutine that is"
    message = f'"{text}" makes {made} never awaited: {fate.describe(several)}'
    error = api.fail(message, call, code=code)
    if several:
        hint = (
            'Await them ("await asyncio.gather(...)" over the coroutines), or schedule each with '
            '"asyncio.create_task(...)"'
        )
    else:
        hint = f'Await it ("await {text}"), or schedule it with "asyncio.create_task(...)" or "asyncio.gather(...)"'
    api.msg.note(hint, call, code=code, parent_error=error)


def _code(fate: Fate) -> ErrorCode:
    kinds = fate.kinds
    if kinds == {Sink.TRUTH}:
        return errorcodes.ASYNC_TRUTHY
    if kinds == {Sink.COMPARED}:
        return errorcodes.ASYNC_COMPARE
    return errorcodes.ASYNC_UNAWAITED


class MapHook:
    """`map(async_fn, items)`: each item makes a coroutine when the map object is consumed."""

    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache
        self.hook = degrade_to(_default)(self._map)

    def _map(self, ctx: FunctionContext) -> Type:
        if getattr(ctx.api, "can_skip_diagnostics", False):
            return ctx.default_return_type  # a module whose errors are not shown
        call = ctx.context
        if isinstance(call, CallExpr) and len(call.args) >= 2 and _is_coroutine_function(ctx.api, call.args[0]):
            function = call.args[0]

            def patched() -> bool:
                return patched_here(ctx.api, self.cache, CallExpr(function, [], [], []))

            quietly(lambda: _check(ctx.api, self.cache, call, call, Mode.LAZY, patched))
        return ctx.default_return_type


def _default(ctx: FunctionContext) -> Type:
    return ctx.default_return_type


def _is_coroutine_function(api: CheckerPluginInterface, expr: Expression) -> bool:
    """A function named directly whose calls are certainly coroutines."""
    if not isinstance(expr, RefExpr):
        return False
    node = expr.node
    if isinstance(node, FuncDef) and node.is_coroutine and not node.is_async_generator and node.type is None:
        return True  # an unannotated `async def`
    if isinstance(node, Decorator):
        return False  # a wrapper may return anything
    lookup = getattr(api, "lookup_type_or_none", None)
    typ = get_proper_type(lookup(expr)) if lookup is not None else None
    if isinstance(typ, CallableType):
        return _is_coroutine(typ.ret_type)
    if isinstance(typ, Overloaded):
        return all(_is_coroutine(item.ret_type) for item in typ.items)
    return False


def _is_coroutine(typ: Type) -> bool:
    proper = get_proper_type(typ)
    return isinstance(proper, Instance) and proper.type.fullname in COROUTINE_CLASSES
