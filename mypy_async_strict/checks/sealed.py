"""`mock-spec`: after `seal(m)`, reading an attribute of `m` (or of a child mock it made) that
was not made before the seal, or calling a sync mock whose return value was never made, raises
AttributeError (see knowledge/lifecycle.py for when that is certain)."""

from __future__ import annotations

from mypy.nodes import CallExpr, MemberExpr
from typing import Union

from mypy.plugin import AttributeContext, FunctionContext, MethodContext

from mypy_async_strict import errorcodes
from mypy_async_strict.knowledge.certainty import failure_expected
from mypy_async_strict.knowledge.lifecycle import sealed_at
from mypy_async_strict.knowledge.provenance import ScanCache
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Kind
from mypy_async_strict.render import render


def check_read(ctx: AttributeContext, cache: ScanCache, expr: MemberExpr) -> bool:
    """Whether reading `expr` raises because of a seal (reported unless a failure is expected)."""
    seal = sealed_at(ctx.api, cache, expr)
    if seal is None:
        return False
    if not failure_expected(ctx.api, cache, expr.line):
        base = render(expr.expr)
        message = (
            f'"{render(expr)}" raises AttributeError at run time: "{render(seal.call.args[0])}" is '
            f'sealed (line {seal.line}), and "{expr.name}" was not set on "{base}" before'
        )
        error = ctx.api.fail(message, expr, code=errorcodes.MOCK_SPEC)
        hint = f'Set "{base}.{expr.name}" (or read it) before seal(...), or fix the name'
        ctx.api.msg.note(hint, expr, code=errorcodes.MOCK_SPEC, parent_error=error)
    return True


def check_call(ctx: Union[MethodContext, FunctionContext], cache: ScanCache, mock: MockType, call: CallExpr, report: bool) -> bool:
    """Whether calling a sealed sync mock raises (its return value was never made).  An
    AsyncMock's call makes a coroutine first: the await raises, not the call."""
    if mock.state.kind is Kind.ASYNC_MOCK or not mock.state.kind.callable:
        return False
    seal = sealed_at(ctx.api, cache, call)
    if seal is None:
        return False
    if report:
        callee = render(call.callee)
        message = (
            f'"{render(call)}" raises AttributeError at run time: "{render(seal.call.args[0])}" is '
            f'sealed (line {seal.line}), and "{callee}" had no return value before'
        )
        error = ctx.api.fail(message, call, code=errorcodes.MOCK_SPEC)
        hint = f'Set "{callee}.return_value" (or side_effect) before seal(...)'
        ctx.api.msg.note(hint, call, code=errorcodes.MOCK_SPEC, parent_error=error)
    return True
