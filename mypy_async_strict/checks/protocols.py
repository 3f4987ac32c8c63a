"""Mocks in `with`, `async with`, `for`, `async for`: supported only where CPython configures
the magic methods (see model.supports_protocol).

In mocks.pyi a mock's `__enter__` is an attribute of type `MagicMethodOf[<the mock>, "__enter__"]`
(so tests can still write `m.__enter__.return_value = x`); `with m` calls it, and the hook on
`MagicMethodOf.__call__` checks that call.  Reported once, from `__enter__`/`__aenter__`/
`__iter__`/`__aiter__`; `__exit__`/`__aexit__` stay silent.
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode
from mypy.nodes import CallExpr, Expression, MemberExpr, TypeInfo
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import AnyType, Instance, LiteralType, Type, TypeOfAny, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.checks import operations, with_targets
from mypy_async_strict.checks.async_protocols import check_replaced_magic, entered_type
from mypy_async_strict.knowledge.certainty import protocol_configured
from mypy_async_strict.knowledge.provenance import ScanCache
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Operation, Protocol, supports_protocol
from mypy_async_strict.render import article, render
from mypy_async_strict.safety import degrade_to, quietly
from mypy_async_strict.specs.members import INSTANCE_MODES, spec_class

PROTOCOL_BY_METHOD: Final = {
    "__enter__": Protocol.WITH,
    "__aenter__": Protocol.ASYNC_WITH,
    "__iter__": Protocol.FOR,
    "__aiter__": Protocol.ASYNC_FOR,
}
MAGIC_NAMES: Final = frozenset(name for p in Protocol for name in p.methods) | frozenset(
    name for operation in Operation for name in operation.methods
)


def _default(ctx: MethodContext) -> Type:
    return ctx.default_return_type


def _default_function(ctx: FunctionContext) -> Type:
    return ctx.default_return_type


AWAITED_BY_STATEMENT: Final = frozenset({"__aenter__", "__aexit__"})
# Magic methods a test may replace with a sync mock (checks/async_protocols.py).
REPLACEABLE: Final = frozenset({"__aenter__", "__aexit__", "__aiter__"})


class ProtocolHooks:
    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache
        self.call = degrade_to(_default)(self._call)
        self.len = degrade_to(_default_function)(self._len)

    def _len(self, ctx: FunctionContext) -> Type:
        """`len(m)` (a function hook on `builtins.len`)."""
        if len(ctx.arg_types) == 1 and len(ctx.arg_types[0]) == 1:
            mock = mocktypes.decode(ctx.arg_types[0][0])
            if mock is not None:
                operations.check(ctx.api, self.cache, ctx.context, Operation.LEN, ctx.arg_types[0][0], spec_magic(mock))
        return ctx.default_return_type

    def _call(self, ctx: MethodContext) -> Type:
        """`MagicMethodOf[parent, name].__call__`, i.e. a statement calling a mock's dunder."""
        magic = get_proper_type(ctx.type)
        if not isinstance(magic, Instance) or len(magic.args) != 2:
            return ctx.default_return_type
        name = get_proper_type(magic.args[1])
        if not isinstance(name, LiteralType) or not isinstance(name.value, str):
            return ctx.default_return_type
        operation = operations.operation_of(ctx.context, name.value)
        if operation is not None:
            parent = mocktypes.decode(magic.args[0])
            if parent is not None:
                operations.check(ctx.api, self.cache, ctx.context, operation, magic.args[0], spec_magic(parent))
            return AnyType(TypeOfAny.special_form)
        if _is_explicit_call(ctx.context, name.value):
            return ctx.default_return_type  # `m.__enter__()` written out: not a statement
        protocol = PROTOCOL_BY_METHOD.get(name.value)
        if protocol is not None:
            self._check(ctx, protocol, magic.args[0])
        if name.value in REPLACEABLE:
            method = name.value
            quietly(lambda: check_replaced_magic(ctx, self.cache, method, magic.args[0]))
        any_type = AnyType(TypeOfAny.special_form)
        value = self._entered(ctx, name.value, magic.args[0])
        if name.value in AWAITED_BY_STATEMENT:
            if value is None and name.value == "__aenter__":
                value = entered_type(ctx, self.cache, magic.args[0])
            return ctx.api.named_generic_type("typing.Coroutine", [any_type, any_type, value or any_type])
        return value or any_type

    def _entered(self, ctx: MethodContext, name: str, parent: Type) -> Type | None:
        """`with m as x`: the mock `x` is (see with_targets.py)."""
        mock = mocktypes.decode(parent)
        item = ctx.context
        if name not in ("__enter__", "__aenter__") or mock is None or not isinstance(item, Expression):
            return None
        protocol = Protocol.ASYNC_WITH if name == "__aenter__" else Protocol.WITH
        if supports_protocol(mock.state, protocol, spec_magic(mock)) is not True:
            return None
        return with_targets.target_type(ctx.api, self.cache, item, mock, name == "__aenter__")

    def _check(self, ctx: MethodContext, protocol: Protocol, parent: Type) -> None:
        mock = mocktypes.decode(parent)
        expr = ctx.context
        if mock is None or not isinstance(expr, Expression):
            return
        if supports_protocol(mock.state, protocol, spec_magic(mock)) is not False:
            return
        if protocol_configured(ctx.api, self.cache, expr, protocol.methods):
            return  # `m.__enter__ = ...` configures the magic method on this mock
        # Suggest the sync/async twin only when the spec says the real object supports it.
        twin = protocol.counterpart
        twin_works = mock.state.specced and supports_protocol(mock.state, twin, spec_magic(mock)) is True
        code = _code(protocol, twin_works)
        error = ctx.api.fail(_message(expr, mock, protocol), expr, code=code)
        ctx.api.msg.note(_hint(expr, mock, protocol, twin_works), expr, code=code, parent_error=error)


def _metaclass_dir(info: TypeInfo) -> bool:
    """A metaclass may add names to dir(cls) (EnumType lists __iter__ from 3.11)."""
    metaclass = info.metaclass_type
    return metaclass is not None and metaclass.type.fullname not in ("builtins.type", "abc.ABCMeta")


def _is_explicit_call(context: object, name: str) -> bool:
    return (
        isinstance(context, CallExpr)
        and isinstance(context.callee, MemberExpr)
        and context.callee.name == name
    )


def spec_magic(mock: MockType) -> frozenset[str] | None:
    if mock.state.mode.is_names:
        names = mocktypes.listed_names(mock.stands_for)
        return None if names is None else names & MAGIC_NAMES
    info = spec_class(mock.state, mock.stands_for)
    if info is None or info.fallback_to_any or mock.state.mode in INSTANCE_MODES or _metaclass_dir(info):
        # Unknown spec, a base mypy cannot see, or an instance that may be of a subclass.
        return None
    return frozenset(name for name in MAGIC_NAMES if info.get(name) is not None)


def _code(protocol: Protocol, twin_works: bool) -> ErrorCode:
    if not twin_works:
        return errorcodes.MOCK_PROTOCOL
    if protocol in (Protocol.WITH, Protocol.ASYNC_WITH):
        return errorcodes.ASYNC_WITH
    return errorcodes.ASYNC_FOR


def _message(expr: Expression, mock: MockType, protocol: Protocol) -> str:
    kind = mock.state.kind.value
    missing = " or ".join(protocol.methods)
    return (
        f'"{protocol.statement}" fails at run time: "{render(expr)}" is {article(kind)} {kind} '
        f"without {missing}"
    )


def _hint(expr: Expression, mock: MockType, protocol: Protocol, twin_works: bool) -> str:
    if twin_works:
        return f'Its spec supports "{protocol.counterpart.statement}": use that instead'
    if not mock.state.kind.magic:
        return "Mock and NonCallableMock configure no magic methods; use MagicMock (or AsyncMock)"
    if mock.state.specced:
        return (
            "A specced mock keeps only the magic methods of its spec; the spec has "
            f"no {protocol.methods[0]}"
        )
    return f'NonCallableMagicMock has no {protocol.methods[0]}; use MagicMock'
