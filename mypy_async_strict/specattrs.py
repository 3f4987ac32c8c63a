"""`mock-spec`: reading an attribute the spec does not have raises AttributeError."""

from __future__ import annotations

import difflib

from mypy.nodes import MemberExpr, TypeInfo, Var
from mypy.plugin import AttributeContext

from mypy_async_strict import errorcodes
from mypy_async_strict.render import render


def report_missing(ctx: AttributeContext, info: TypeInfo, expr: MemberExpr) -> None:
    name = expr.name
    message = (
        f'"{render(expr)}" raises AttributeError at run time: the mock is specced from '
        f'{info.name}, which has no attribute "{name}"'
    )
    error = ctx.api.fail(message, expr, code=errorcodes.MOCK_SPEC)
    ctx.api.msg.note(_hint(info, expr), expr, code=errorcodes.MOCK_SPEC, parent_error=error)


def _hint(info: TypeInfo, expr: MemberExpr) -> str:
    name = expr.name
    symbol = info.get(name)
    base = render(expr.expr)
    if symbol is not None and isinstance(symbol.node, Var):
        where = "set in __init__" if not symbol.node.is_initialized_in_class else "only annotated"
        return (
            f'"{name}" is {where}, so a class spec lacks it: set it first '
            f'("{base}.{name} = ..."), or spec from an instance'
        )
    names = [n for klass in info.mro for n in klass.names if not n.startswith("_")]
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f'Did you mean "{close[0]}"?'
    return f'Set it first ("{base}.{name} = ...") if the test needs it'
