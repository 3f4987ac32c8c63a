"""`mock-assert`: assertion methods a mock does not have.

CPython raises AttributeError for any attribute starting with `assert`, `assret`, `asert`,
`aseert` or `assrt` that the mock does not define (unless the mock was made with `unsafe=True`
or its spec has that name).  `called_once_with` and the other old aliases raise from Python
3.12; before, they return a child mock, so the "assertion" checks nothing.  The attribute hook
only sees names the mock class does not define, so any such name here is wrong for this kind.
"""

from __future__ import annotations

import difflib
from typing import Final

from mypy.nodes import MemberExpr
from mypy.plugin import AttributeContext

from mypy_async_strict import errorcodes, fullnames
from mypy_async_strict.knowledge.patch_decorators import order_hint
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Kind
from mypy_async_strict.render import article, render

ASSERT_PREFIXES: Final = fullnames.ASSERTION_PREFIXES
OLD_ALIASES: Final = {
    "called_once": "assert_called_once",
    "called_once_with": "assert_called_once_with",
    "called_with": "assert_called_with",
    "has_calls": "assert_has_calls",
    "not_called": "assert_not_called",
    "any_call": "assert_any_call",
}
CALL_ASSERTIONS: Final = (
    "assert_called",
    "assert_called_once",
    "assert_called_with",
    "assert_called_once_with",
    "assert_any_call",
    "assert_has_calls",
    "assert_not_called",
)
AWAIT_ASSERTIONS: Final = (
    "assert_awaited",
    "assert_awaited_once",
    "assert_awaited_with",
    "assert_awaited_once_with",
    "assert_any_await",
    "assert_has_awaits",
    "assert_not_awaited",
)


def is_assertion_name(name: str) -> bool:
    return name.startswith(ASSERT_PREFIXES) or name in OLD_ALIASES


def report(ctx: AttributeContext, mock: MockType, expr: MemberExpr) -> None:
    """Report `expr` (an attribute the mock class lacks, named like an assertion)."""
    name = expr.name
    text = render(expr)
    kind = mock.state.kind.value
    if name in OLD_ALIASES:
        fix = OLD_ALIASES[name]
        if ctx.api.options.python_version >= (3, 12):
            message = f'"{text}" raises AttributeError at run time (Python 3.12+): not an assertion'
        else:
            message = f'"{text}" is not an assertion: it returns a child mock and checks nothing'
        hint = f'Use "{render(expr.expr)}.{fix}"'
    else:
        message = f'"{text}" raises AttributeError at run time: {article(kind)} {kind} has no "{name}"'
        hint = order_hint(ctx.api, expr.expr, kind) or _hint(name, mock.state.kind, render(expr.expr))
    error = ctx.api.fail(message, expr, code=errorcodes.MOCK_ASSERT)
    ctx.api.msg.note(hint, expr, code=errorcodes.MOCK_ASSERT, parent_error=error)


def _hint(name: str, kind: Kind, base: str) -> str:
    if name in AWAIT_ASSERTIONS and kind is not Kind.ASYNC_MOCK:
        return (
            f'"{name}" exists only on AsyncMock: make "{base}" an AsyncMock (or spec it from an '
            'async def), or assert on calls: "assert_called..."'
        )
    valid = CALL_ASSERTIONS + (AWAIT_ASSERTIONS if kind is Kind.ASYNC_MOCK else ())
    close = difflib.get_close_matches(name, valid, n=1)
    if close:
        return f'Did you mean "{close[0]}"?'
    return f"Mock assertions are: {', '.join(valid)}"
