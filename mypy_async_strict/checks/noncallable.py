"""`mock-call`: calling a `NonCallableMock` or `NonCallableMagicMock` raises TypeError.

CPython: the non-callable classes have no `__call__` (a type slot: setting `m.__call__` on the
instance does not help), so `NonCallableMock()()` raises `TypeError: 'NonCallableMock' object is
not callable`.  The plugin meets them as `NonCallableMock(...)`/`NonCallableMagicMock(...)`, as
`create_autospec(C, instance=True)`, as an autospecced plain value attribute
(`create_autospec(C).retries`), and as the instance an autospecced (or `patch(..., spec=True)`)
class returns.
"""

from __future__ import annotations

from mypy.nodes import CallExpr, MemberExpr
from typing import Union

from mypy.plugin import FunctionContext, MethodContext
from mypy.types import Instance, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Target
from mypy_async_strict.render import article, render


def check_call(ctx: Union[MethodContext, FunctionContext], mock: MockType, call: CallExpr, report: bool = True) -> bool:
    """Whether calling the mock raises TypeError (reported unless `report` is false)."""
    kind = mock.state.kind
    if kind.callable:
        return False
    if not report:
        return True
    text = render(call)
    message = (
        f'"{text}" raises TypeError at run time: {article(kind.value)} {kind.value} is not callable'
    )
    error = ctx.api.fail(message, call, code=errorcodes.MOCK_CALL)
    ctx.api.msg.note(_hint(mock, call), call, code=errorcodes.MOCK_CALL, parent_error=error)
    return True


def _hint(mock: MockType, call: CallExpr) -> str:
    callee = render(call.callee)
    if mock.state.specced and mock.state.target is Target.INSTANCE:
        if isinstance(call.callee, MemberExpr) and mock.state.mode.is_autospec:
            return (
                f'"{callee}" is a value in the spec, not a method: autospec makes it a '
                "non-callable mock; set it to a callable mock if the code under test calls it"
            )
        return (
            f'"{callee}" stands for an instance of {_class_name(mock)}, which has no __call__: '
            "call the class mock, or use a callable mock"
        )
    return f'Use MagicMock() (or Mock()) for "{callee}" if the code under test calls it'


def _class_name(mock: MockType) -> str:
    stands_for = get_proper_type(mock.stands_for)
    return stands_for.type.name if isinstance(stands_for, Instance) else "the spec"
