"""Mocks in `with`, `async with`, `for`, `async for`: supported only where CPython configures
the magic methods (see model.supports_protocol).  Reported once, from `__enter__`/`__aenter__`/
`__iter__`/`__aiter__` of the annotation classes; `__exit__`/`__aexit__` stay silent."""

from __future__ import annotations

from typing import Callable, Final

from mypy.errorcodes import ErrorCode
from mypy.nodes import Expression
from mypy.plugin import MethodContext
from mypy.types import Type

from mypy_async_strict import errorcodes, fullnames, mocktypes
from mypy_async_strict.certainty import protocol_configured
from mypy_async_strict.members import spec_class
from mypy_async_strict.mocktypes import MockType
from mypy_async_strict.model import Protocol, supports_protocol
from mypy_async_strict.provenance import ScanCache
from mypy_async_strict.render import render
from mypy_async_strict.safety import degrade_to

PROTOCOL_BY_METHOD: Final = {
    "__enter__": Protocol.WITH,
    "__aenter__": Protocol.ASYNC_WITH,
    "__iter__": Protocol.FOR,
    "__aiter__": Protocol.ASYNC_FOR,
}
MAGIC_NAMES: Final = frozenset(name for p in Protocol for name in p.methods)


def _default(ctx: MethodContext) -> Type:
    return ctx.default_return_type


class ProtocolHooks:
    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache
        # "mypy_async_strict.mocks.MagicMockOf.__enter__" -> its hook, for every annotation class
        self.hooks = {
            f"{annotation}.{method}": degrade_to(_default)(self._hook_for(protocol))
            for annotation in fullnames.KIND_BY_ANNOTATION
            for method, protocol in PROTOCOL_BY_METHOD.items()
        }

    def _hook_for(self, protocol: Protocol) -> Callable[[MethodContext], Type]:
        def hook(ctx: MethodContext) -> Type:
            self._check(ctx, protocol)
            return ctx.default_return_type

        return hook

    def _check(self, ctx: MethodContext, protocol: Protocol) -> None:
        mock = mocktypes.decode(ctx.type)
        expr = ctx.context
        if mock is None or not isinstance(expr, Expression):
            return
        if supports_protocol(mock.state, protocol, _spec_magic(mock)) is not False:
            return
        if protocol_configured(ctx.api, self.cache, expr, protocol.methods):
            return  # `m.__enter__ = ...` configures the magic method on this mock
        twin = protocol.counterpart
        twin_works = supports_protocol(mock.state, twin, _spec_magic(mock)) is True
        code = _code(protocol, twin_works)
        error = ctx.api.fail(_message(expr, mock, protocol), expr, code=code)
        ctx.api.msg.note(_hint(expr, mock, protocol, twin_works), expr, code=code, parent_error=error)


def _spec_magic(mock: MockType) -> frozenset[str] | None:
    info = spec_class(mock.state, mock.stands_for)
    if info is None:
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
        f'"{protocol.statement}" fails at run time: "{render(expr)}" is {_article(kind)} {kind} '
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


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"
