"""`mock-assert`: await statistics read from a sync mock.

`await_count`, `await_args` and `await_args_list` exist only on AsyncMock (and mocks specced
from a coroutine function).  On an unspecced sync mock (`MagicMock().x`) they are child mocks:
reading one never fails, but a child mock equals no number, is not None, is not `[]`, and cannot
be ordered, so `assert m.x.await_count == 1`, `self.assertEqual(m.x.await_count, 1)`,
`assert m.x.await_args is None`, `assert m.x.await_args_list == []` always raise
AssertionError, and `m.x.await_count > 0` raises TypeError.  Those are reported; a use that
silently passes (`assert m.x.await_count`) is not a failure, and is not.  On a specced mock the
names are missing (`mock-spec`).
"""

from __future__ import annotations

from mypy.nodes import MemberExpr
from mypy.plugin import AttributeContext

from mypy_async_strict import errorcodes
from mypy_async_strict.knowledge.certainty import failure_expected
from mypy_async_strict.knowledge.lifecycle import AWAIT_STATISTICS, LIFECYCLES
from mypy_async_strict.knowledge.provenance import ScanCache, scopes_of
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Kind
from mypy_async_strict.render import article, render


def check(ctx: AttributeContext, cache: ScanCache, parent: MockType, expr: MemberExpr) -> bool:
    """Whether `expr` reads an await statistic of `parent` (an unspecced sync mock) in a
    statement that certainly fails (reported unless a failure is expected there)."""
    if expr.name not in AWAIT_STATISTICS or parent.state.kind is Kind.ASYNC_MOCK:
        return False
    scopes = scopes_of(ctx.api)
    if not scopes:
        return False
    failure = LIFECYCLES.facts(scopes[0]).stat_uses.get(id(expr))
    if failure is None:
        return False
    if failure_expected(ctx.api, cache, expr.line):
        return True
    kind = parent.state.kind.value
    base = render(expr.expr)
    what = "can never hold" if failure == "AssertionError" else "cannot be ordered"
    message = (
        f'"{render(expr)}" is not an await statistic: {article(kind)} {kind} has no "{expr.name}", '
        f"so this reads a child mock, which {what} ({failure} at run time)"
    )
    error = ctx.api.fail(message, expr, code=errorcodes.MOCK_ASSERT)
    hint = (
        f'Await statistics exist only on AsyncMock: make "{base}" an AsyncMock (or spec it from an '
        'async def), or check "call_count"/"call_args"'
    )
    ctx.api.msg.note(hint, expr, code=errorcodes.MOCK_ASSERT, parent_error=error)
    return True
