"""Names that stand for other mock paths, for the judge: a patched attribute read through its
owner (patched_refs.py), and the variable of a loop over a display of mocks.

`for m in [a, b]: await m.fetch()`: `m` is `a`, then `b`.  Where every item is a mock the plugin
knows, all of one kind and spec, `m` is typed as that mock inside the loop's body, and a query
through `m` is certain only if it is for every item (each judged as the same path under the
item) and nothing is done to `m` itself (no store, no configuration, not handed out).  The items
stay in a container, so they keep plain mypy's type (the widening rule); only the loop variable,
used in place, gets the precise one.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import (
    AwaitExpr,
    CallExpr,
    Expression,
    ForStmt,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    TupleExpr,
    Var,
)
from mypy.plugin import CheckerPluginInterface
from mypy.subtypes import is_same_type

from mypy_async_strict.knowledge.certainty import UNCERTAIN, Verdict, judge, unsafe_root
from mypy_async_strict.knowledge.lifecycle import LIFECYCLES
from mypy_async_strict.knowledge.patched_refs import rebase
from mypy_async_strict.knowledge.provenance import ScanCache, path_of, scopes_of
from mypy_async_strict.knowledge.values import known_mock
from mypy_async_strict.model.mocktypes import MockType

MAX_ITEMS: Final = 16


def verdict(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Verdict:
    """`judge`, also through patched attributes and display-loop variables."""
    path = path_of(expr)
    if path is None:
        rebased = rebase(api, expr)
        return judge(api, cache, rebased) if rebased is not None else judge(api, cache, expr)
    if isinstance(path.root, Var):
        loop = _display_loop(api, cache, path.root, expr.line)
        if loop is not None:
            verdicts = [judge(api, cache, _substitute(expr, path.root, item)) for item in _items(loop)]
            if all(v.certain and v.replacement is None for v in verdicts):
                return Verdict(certain=True)
            return UNCERTAIN
    return judge(api, cache, expr)


def unsafe(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> bool:
    """`certainty.unsafe_root`, also through display-loop variables (every item must be safe)."""
    path = path_of(expr)
    if path is not None and isinstance(path.root, Var):
        loop = _display_loop(api, cache, path.root, expr.line)
        if loop is not None:
            return any(unsafe_root(api, cache, _substitute(expr, path.root, item)) for item in _items(loop))
    return unsafe_root(api, cache, expr)


def loop_mock(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> MockType | None:
    """The mock every item of the display is, for the loop variable `expr` inside the loop."""
    if not isinstance(expr, NameExpr) or not isinstance(expr.node, Var):
        return None
    loop = _display_loop(api, cache, expr.node, expr.line)
    if loop is None:
        return None
    mocks = [known_mock(api, cache, item) for item in _items(loop)]
    first = mocks[0] if mocks else None
    if first is None:
        return None
    for mock in mocks[1:]:
        if mock is None or mock.state != first.state or not is_same_type(mock.stands_for, first.stands_for):
            return None
    return first


def _display_loop(api: CheckerPluginInterface, cache: ScanCache, var: Var, line: int) -> ForStmt | None:
    """The one `for var in [...]` of the current function whose body holds `line`, when `var`
    is bound by nothing else and nothing is done to it."""
    scopes = scopes_of(api)
    if not scopes or isinstance(scopes[0], MypyFile):
        return None
    loops = LIFECYCLES.facts(scopes[0]).display_loops.get(var)
    if loops is None or len(loops) != 1:
        return None
    loop = loops[0]
    body = loop.body
    end = body.end_line if body.end_line is not None else loop.line
    if body.body:
        last = body.body[-1]
        end = max(end, last.end_line if last.end_line is not None else last.line)
    items = _items(loop)
    if not loop.line < line <= end or not 0 < len(items) <= MAX_ITEMS:
        return None
    facts = cache.facts(scopes[0])
    if facts.definitions.get(var) != [None]:
        return None  # bound elsewhere too
    if any(event.path.root is var for event in facts.events):
        return None  # `m.x = ...`, `configure(m)`: done to every item, unfollowed
    if any(path_of(item) is None for item in items):
        return None
    return loop


def _items(loop: ForStmt) -> list[Expression]:
    return list(loop.expr.items) if isinstance(loop.expr, (ListExpr, TupleExpr)) else []


def _substitute(expr: Expression, var: Var, item: Expression) -> Expression:
    """`expr` with the loop variable replaced by the item (synthetic nodes, same lines)."""
    if isinstance(expr, NameExpr) and expr.node is var:
        return item
    if isinstance(expr, MemberExpr):
        member = MemberExpr(_substitute(expr.expr, var, item), expr.name)
        member.set_line(expr)
        return member
    if isinstance(expr, CallExpr):
        call = CallExpr(_substitute(expr.callee, var, item), [], [], [])
        call.set_line(expr)
        return call
    if isinstance(expr, AwaitExpr):
        awaited = AwaitExpr(_substitute(expr.expr, var, item))
        awaited.set_line(expr)
        return awaited
    return expr
