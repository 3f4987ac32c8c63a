"""Short source-like text for an expression, for messages (`session.execute()`)."""

from __future__ import annotations

from typing import Final

from mypy.nodes import (
    AwaitExpr,
    CallExpr,
    DictExpr,
    Expression,
    FloatExpr,
    IndexExpr,
    IntExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    StrExpr,
    TupleExpr,
)

MAX_LENGTH: Final = 60


def render(expr: Expression) -> str:
    text = _render(expr, depth=0)
    return text if len(text) <= MAX_LENGTH else "..." + text[-MAX_LENGTH:]


def _render(expr: Expression, depth: int) -> str:
    if depth > 12:
        return "..."
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, MemberExpr):
        return f"{_render(expr.expr, depth + 1)}.{expr.name}"
    if isinstance(expr, CallExpr):
        return f"{_render(expr.callee, depth + 1)}({'...' if expr.args else ''})"
    if isinstance(expr, AwaitExpr):
        return f"(await {_render(expr.expr, depth + 1)})"
    if isinstance(expr, (IntExpr, FloatExpr)):
        return str(expr.value)
    if isinstance(expr, StrExpr):
        return repr(expr.value)
    if isinstance(expr, (ListExpr, TupleExpr)):
        items = ", ".join(_render(item, depth + 1) for item in expr.items)
        return f"[{items}]" if isinstance(expr, ListExpr) else f"({items})"
    if isinstance(expr, DictExpr):
        pairs = ", ".join(
            f"{_render(k, depth + 1) if k is not None else '**'}: {_render(v, depth + 1)}" for k, v in expr.items
        )
        return "{" + pairs + "}"
    if isinstance(expr, IndexExpr):
        index = f"'{expr.index.value}'" if isinstance(expr.index, StrExpr) else "..."
        return f"{_render(expr.base, depth + 1)}[{index}]"
    return "<expression>"


def dotted_name(expr: Expression) -> str | None:
    """`pytest.mark.asyncio` for a chain of names, else None (no calls, no indexing)."""
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, MemberExpr):
        base = dotted_name(expr.expr)
        return f"{base}.{expr.name}" if base is not None else None
    return None


def article(word: str) -> str:
    """"a MagicMock", "an AsyncMock"."""
    return "an" if word[:1] in "AEIOU" else "a"
