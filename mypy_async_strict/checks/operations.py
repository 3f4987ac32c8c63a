"""`mock-protocol`: `len(m)`, `m[k]`, `m[k] = v`, `del m[k]` and `k in m` on a mock without the
magic method they need raise TypeError (`Mock` configures none, a specced MagicMock keeps only
its spec's).  mocks.pyi declares these dunders as `MagicMethodOf[<mock>, "__len__"]` properties,
so the operation calls a `MagicMethodOf`, whose hook (protocols.py) passes it here, as does the
function hook on `len()`."""

from __future__ import annotations

from typing import Final

from mypy.nodes import CallExpr, ComparisonExpr, Context, Expression, IndexExpr, MemberExpr
from mypy.plugin import CheckerPluginInterface
from mypy.types import Type

from mypy_async_strict import errorcodes
from mypy_async_strict.knowledge.certainty import failure_expected, judge, protocol_configured
from mypy_async_strict.knowledge.provenance import ScanCache, path_of
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Operation, supports_operation
from mypy_async_strict.render import article, render

OPERATION_BY_METHOD: Final = {
    "__len__": Operation.LEN,
    "__getitem__": Operation.GET_ITEM,
    "__setitem__": Operation.SET_ITEM,
    "__delitem__": Operation.DEL_ITEM,
    "__contains__": Operation.CONTAINS,
}


def operation_of(context: Context, method: str) -> Operation | None:
    """The operation whose check calls the mock's `method`: mypy checks `k in m` through
    `__iter__` (with the comparison as context), and `del m[k]` as a call `m.__delitem__(k)`."""
    if method == "__iter__":
        return Operation.CONTAINS if isinstance(context, ComparisonExpr) else None
    if method == "__delitem__":
        return Operation.DEL_ITEM if _calls(context, method) else None
    operation = OPERATION_BY_METHOD.get(method)
    return None if operation is None or _calls(context, method) else operation


def _calls(context: Context, method: str) -> bool:
    return isinstance(context, CallExpr) and isinstance(context.callee, MemberExpr) and context.callee.name == method


def operand(context: Context, operation: Operation) -> Expression | None:
    """The mock the operation works on, from the expression mypy checks."""
    if operation is Operation.DEL_ITEM:
        callee = context.callee if isinstance(context, CallExpr) else None
        return callee.expr if isinstance(callee, MemberExpr) else None
    if operation in (Operation.GET_ITEM, Operation.SET_ITEM):
        return context.base if isinstance(context, IndexExpr) else None
    if operation is Operation.CONTAINS:
        if isinstance(context, ComparisonExpr) and len(context.operands) == 2 and context.operators[0] in ("in", "not in"):
            return context.operands[1]
        return None
    if isinstance(context, CallExpr) and len(context.args) == 1:
        return context.args[0]
    return None


def check(
    api: CheckerPluginInterface,
    cache: ScanCache,
    context: Context,
    operation: Operation,
    mock_type: Type,
    spec_magic: frozenset[str] | None,
) -> None:
    mock = mocktypes.decode(mock_type)
    expr = operand(context, operation)
    if mock is None or expr is None:
        return
    if supports_operation(mock.state, operation, spec_magic) is not False:
        return
    if path_of(expr) is not None and not judge(api, cache, expr).certain:
        return  # mypy's type of a stored mock may be its first value only
    if protocol_configured(api, cache, expr, operation.methods):
        return  # `m.__len__ = ...` configures it on this mock
    if failure_expected(api, cache, context.line):
        return
    error = api.fail(_message(expr, mock, operation), context, code=errorcodes.MOCK_PROTOCOL)
    api.msg.note(_hint(mock), context, code=errorcodes.MOCK_PROTOCOL, parent_error=error)


def _message(expr: Expression, mock: MockType, operation: Operation) -> str:
    kind = mock.state.kind.value
    missing = " or ".join(operation.methods)
    text = render(expr)
    written = {
        Operation.LEN: f"len({text})",
        Operation.GET_ITEM: f"{text}[...]",
        Operation.SET_ITEM: f"{text}[...] = ...",
        Operation.DEL_ITEM: f"del {text}[...]",
        Operation.CONTAINS: f"... in {text}",
    }[operation]
    return f'"{written}" fails at run time: "{text}" is {article(kind)} {kind} without {missing}'


def _hint(mock: MockType) -> str:
    if not mock.state.kind.magic:
        return "Mock, NonCallableMock and PropertyMock configure no magic methods: use MagicMock, or set the method first"
    return "A specced mock keeps only the magic methods of its spec"
