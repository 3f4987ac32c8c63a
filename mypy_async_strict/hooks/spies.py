"""pytest-mock's `mocker.spy`, `mocker.stub` and `mocker.async_stub`, typed as what they build.

From pytest-mock's source (3.12+), checked on CPython 3.10-3.13:
- `stub(name)` is `MagicMock(spec=lambda *args, **kwargs: None, name=name)` and `async_stub`
  the same with AsyncMock: a lambda spec has nothing but dunders, so any other name (an
  `assert_awaited_*` on a stub) raises AttributeError; calls of the sync stub are not awaitable.
- `spy(obj, name)` is `patch.object(obj, name, side_effect=<wrapper>, autospec=True)` when
  `getattr(obj, name)` is a function or method: an autospecced function (with the await API
  when the original is `async def`) whose calls run the real code.  On a class its signature
  keeps `self`; on a module it is the function's.  Instances are left alone: the object may be
  of a subclass that overrides the method.
"""

from __future__ import annotations

from typing import Mapping

from mypy.erasetype import erase_typevars
from mypy.nodes import (
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    LAMBDA_NAME,
    CallExpr,
    FuncDef,
    MypyFile,
    RefExpr,
    StrExpr,
    TypeInfo,
)
from mypy.plugin import MethodContext
from mypy.types import AnyType, CallableType, NoneType, Type, TypeOfAny, get_proper_type

from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.rules import Kind, Member, MockState, SpecMode, Target
from mypy_async_strict.safety import degrade_to
from mypy_async_strict.specs.members import function_nature
from mypy_async_strict.specs.targets import build_modules


def _default(ctx: MethodContext) -> Type:
    return ctx.default_return_type


@degrade_to(_default)
def stub_hook(ctx: MethodContext) -> Type:
    return _stub(ctx, Kind.MAGIC_MOCK)


@degrade_to(_default)
def async_stub_hook(ctx: MethodContext) -> Type:
    return _stub(ctx, Kind.ASYNC_MOCK)


def _stub(ctx: MethodContext, kind: Kind) -> Type:
    any_type = AnyType(TypeOfAny.special_form)
    signature = CallableType(
        [any_type, any_type],
        [ARG_STAR, ARG_STAR2],
        ["args", "kwargs"],
        NoneType(),
        ctx.api.named_generic_type("builtins.function", []),
        # The spec is a lambda (named as mypy names lambdas): members.py knows that a lambda
        # made inside pytest-mock has no attributes.
        name=LAMBDA_NAME,
    )
    encoded = mocktypes.encode(ctx.api, MockState(kind, SpecMode.SPEC, Target.FUNCTION), signature)
    return encoded if encoded is not None else ctx.default_return_type


@degrade_to(_default)
def spy_hook(ctx: MethodContext) -> Type:
    spied = _spied_function(ctx.context)
    if spied is None or not _in_source(build_modules(ctx.api), spied.fullname):
        return ctx.default_return_type
    nature = function_nature(spied)
    signature = get_proper_type(spied.type)
    if nature not in (Member.ASYNC_FUNCTION, Member.SYNC_FUNCTION, Member.ASYNC_GENERATOR):
        return ctx.default_return_type
    if not isinstance(signature, CallableType):
        return ctx.default_return_type  # an unannotated def: mypy has no signature for it
    kind = Kind.ASYNC_MOCK if nature is Member.ASYNC_FUNCTION else Kind.MAGIC_MOCK
    state = MockState(kind, SpecMode.AUTOSPEC, Target.FUNCTION)
    encoded = mocktypes.encode(ctx.api, state, erase_typevars(signature))
    return encoded if encoded is not None else ctx.default_return_type


def _spied_function(context: object) -> FuncDef | None:
    """The plain `def` that `mocker.spy(module_or_class, "name")` wraps."""
    if not isinstance(context, CallExpr) or len(context.args) < 2:
        return None
    if context.arg_kinds[:2] != [ARG_POS, ARG_POS]:
        return None
    owner, name = context.args[:2]
    if not isinstance(owner, RefExpr) or not isinstance(name, StrExpr):
        return None
    node = owner.node
    if isinstance(node, MypyFile):
        symbol = node.names.get(name.value)
    elif isinstance(node, TypeInfo):
        symbol = node.get(name.value)  # getattr on the class: the MRO
    else:
        return None
    spied = symbol.node if symbol is not None else None
    # Decorated functions (staticmethod and classmethod too) are not plain functions to autospec.
    return spied if isinstance(spied, FuncDef) and not spied.is_decorated else None


def _in_source(modules: Mapping[str, MypyFile], fullname: str) -> bool:
    """Whether a definition comes from Python source: a stub's "function" may be a builtin,
    which `spy` does not autospec."""
    name = fullname
    while "." in name:
        name = name.rpartition(".")[0]
        module = modules.get(name)
        if module is not None:
            return not module.is_stub
    return False
