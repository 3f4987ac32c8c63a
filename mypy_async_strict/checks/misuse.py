"""`async-with`, `async-for`, `async-truthy`: an awaitable or async object used the sync way, or
a sync object used the async way, by the statement or operator around a call.

mypy itself, given a coroutine in `with`, reports two generic `attr-defined` errors (no
`__enter__`, no `__exit__`).  The plugin sees the call first (its function/method hook runs
while the `with` item is checked), reports one precise error with its fix, and gives the item
type `Any` so that mypy's generic errors do not follow.
"""

from __future__ import annotations

import enum
from typing import Callable, Final

from mypy.errorcodes import ErrorCode
from mypy.nodes import CallExpr, Context, Expression
from mypy.plugin import CheckerPluginInterface
from mypy.types import AnyType, Instance, ProperType, Type, TypeOfAny, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.checks.coroutines import check_unawaited
from mypy_async_strict.knowledge.provenance import ScanCache, Usage, scopes_of
from mypy_async_strict.render import render


class Shape(enum.Enum):
    """What a value is, for the statements that consume it."""

    COROUTINE = "a coroutine"
    ASYNC_CONTEXT_MANAGER = "an asynchronous context manager"
    SYNC_CONTEXT_MANAGER = "a context manager"
    ASYNC_ITERABLE = "an asynchronous iterable"
    SYNC_ITERABLE = "an iterable"


COROUTINE_CLASSES: Final = frozenset({"typing.Coroutine", "types.CoroutineType"})


def shape_of(typ: Type) -> Shape | None:
    """The shape of an instance type, when it is one-sided (only sync, or only async)."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance):
        return None
    info = proper.type
    if info.fullname in COROUTINE_CLASSES:
        return Shape.COROUTINE
    if info.has_base("typing.Coroutine"):
        # aiohttp's `_RequestContextManager` is a coroutine and an async context manager.
        protocols = ("__aenter__", "__enter__", "__aiter__", "__iter__")
        return None if any(info.get(name) is not None for name in protocols) else Shape.COROUTINE
    if info.fallback_to_any:
        return None  # a base mypy cannot see (or a mock) may provide the other protocol
    has = {name: info.get(name) is not None for name in ("__enter__", "__aenter__", "__iter__", "__aiter__")}
    if has["__aenter__"] and not has["__enter__"]:
        return Shape.ASYNC_CONTEXT_MANAGER
    if has["__enter__"] and not has["__aenter__"]:
        return Shape.SYNC_CONTEXT_MANAGER
    if has["__aiter__"] and not has["__iter__"]:
        return Shape.ASYNC_ITERABLE
    return None


def check_use(
    api: CheckerPluginInterface,
    cache: ScanCache,
    expr: Context,
    result: Type,
    declared: Type | None = None,
    unless: Callable[[], bool] | None = None,
) -> Type:
    """Report `expr` (a call whose value is `result`) if its use fails at run time.

    `declared` is what the real callee returns, when `result` comes from a mock of it: the
    fix hint follows the real code.  Returns the type the expression should have from now on:
    `Any` after a reported `with` or `for` misuse (so mypy does not add generic errors).
    Implicit calls made by statements (`__aenter__` of an `async with` item) are not checked.
    """
    shape = shape_of(result)
    if shape is None or not isinstance(expr, CallExpr):
        return result
    usage = usage_of(api, cache, expr)
    if usage is None:
        if shape is Shape.COROUTINE:
            check_unawaited(api, cache, expr, unless)  # where its value goes, if not used here
        return result
    problem = _problem(shape, usage)
    if problem is None:
        return result
    if unless is not None and unless():
        return result  # asked last: the condition may need a scan of the whole module
    code, message, hint = problem
    text = render(expr)
    error = api.fail(message.format(expr=text), expr, code=code)
    hint_source = declared if declared is not None and shape_of(declared) is shape else result
    api.msg.note(_hint_text(hint, text, hint_source, usage), expr, code=code, parent_error=error)
    if usage in (Usage.BOOL, Usage.COMPARE):
        return result
    return AnyType(TypeOfAny.from_error)


def usage_of(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Usage | None:
    scopes = scopes_of(api)
    if not scopes:
        return None
    return cache.facts(scopes[0]).usage.get(id(expr))


# (shape, usage) -> (code, message, hint); a hint of None is computed from the awaited value.
_PROBLEMS: Final[dict[tuple[Shape, Usage], tuple[ErrorCode, str, str | None]]] = {
    (Shape.COROUTINE, Usage.WITH): (
        errorcodes.ASYNC_WITH,
        '"with" fails at run time: "{expr}" returns a coroutine, not a context manager',
        None,
    ),
    (Shape.COROUTINE, Usage.ASYNC_WITH): (
        errorcodes.ASYNC_WITH,
        '"async with" fails at run time: "{expr}" returns a coroutine, not an asynchronous '
        "context manager",
        None,
    ),
    (Shape.COROUTINE, Usage.FOR): (
        errorcodes.ASYNC_FOR,
        '"for" fails at run time: "{expr}" returns a coroutine, not an iterable',
        None,
    ),
    (Shape.COROUTINE, Usage.ASYNC_FOR): (
        errorcodes.ASYNC_FOR,
        '"async for" fails at run time: "{expr}" returns a coroutine, not an asynchronous iterable',
        None,
    ),
    (Shape.COROUTINE, Usage.BOOL): (
        errorcodes.ASYNC_TRUTHY,
        '"{expr}" is a coroutine: always true in a boolean context, and never awaited',
        'Await it: "await {expr}"',
    ),
    (Shape.COROUTINE, Usage.COMPARE): (
        errorcodes.ASYNC_COMPARE,
        '"{expr}" is a coroutine: the comparison is about the coroutine object, not its result, '
        "and it is never awaited",
        'Await it: "await {expr}"',
    ),
    (Shape.ASYNC_CONTEXT_MANAGER, Usage.WITH): (
        errorcodes.ASYNC_WITH,
        '"with" fails at run time: "{expr}" is an asynchronous context manager '
        "(it has __aenter__, not __enter__)",
        'Use "async with {expr}"',
    ),
    (Shape.SYNC_CONTEXT_MANAGER, Usage.ASYNC_WITH): (
        errorcodes.ASYNC_WITH,
        '"async with" fails at run time: "{expr}" is not an asynchronous context manager '
        "(it has __enter__, not __aenter__)",
        'Use "with {expr}"',
    ),
    (Shape.ASYNC_ITERABLE, Usage.FOR): (
        errorcodes.ASYNC_FOR,
        '"for" fails at run time: "{expr}" is an asynchronous iterable (it has __aiter__, '
        "not __iter__)",
        'Use "async for ... in {expr}"',
    ),
}


def _problem(shape: Shape, usage: Usage) -> tuple[ErrorCode, str, str | None] | None:
    return _PROBLEMS.get((shape, usage))


def _hint_text(hint: str | None, text: str, result: Type, usage: Usage) -> str:
    if hint is not None:
        return hint.format(expr=text)
    awaited = _awaited(result)
    awaited_shape = shape_of(awaited) if awaited is not None else None
    if usage in (Usage.WITH, Usage.ASYNC_WITH):
        if awaited_shape is Shape.ASYNC_CONTEXT_MANAGER:
            return f'Await it, then enter the result: "async with await {text}"'
        if awaited_shape is Shape.SYNC_CONTEXT_MANAGER:
            return f'Await it, then enter the result: "with await {text}"'
    if usage in (Usage.FOR, Usage.ASYNC_FOR):
        if awaited_shape is Shape.ASYNC_ITERABLE:
            return f'Await it, then iterate: "async for ... in await {text}"'
        if _is_iterable(awaited):
            return f'Await it, then iterate: "for ... in await {text}"'
    return f'Await it: "await {text}"'


def _is_iterable(typ: ProperType | None) -> bool:
    return isinstance(typ, Instance) and typ.type.get("__iter__") is not None


def _awaited(result: Type) -> ProperType | None:
    proper = get_proper_type(result)
    if isinstance(proper, Instance) and proper.args and shape_of(proper) is Shape.COROUTINE:
        return get_proper_type(proper.args[-1])
    return None
