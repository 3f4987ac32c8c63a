"""`patch.object(target, "attr", ...)`: the mock it installs, typed from the patched attribute.

CPython's `_patch.__enter__`: without `new`, it makes `new_callable(**kwargs)` if given, else an
`AsyncMock` when the original attribute is an async function and a `MagicMock` otherwise;
`autospec=True` autospecs the original, `spec=True` specs a mock from it.  The mock is what
`with patch.object(...) as m` binds and what `.start()` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    CallExpr,
    Expression,
    MypyFile,
    NameExpr,
    RefExpr,
    StrExpr,
    TypeInfo,
)
from mypy.plugin import MethodContext
from mypy.types import CallableType, Instance, ProperType, Type, get_proper_type
from mypy.typevars import fill_typevars_with_any

from mypy_async_strict import fullnames, mocktypes
from mypy_async_strict.members import function_nature, lookup_member
from mypy_async_strict.model import Kind, Member, MockState, SpecMode, Target
from mypy_async_strict.safety import degrade_to


FUNCTIONS: Final = frozenset({Member.ASYNC_FUNCTION, Member.SYNC_FUNCTION, Member.ASYNC_GENERATOR})


@dataclass(frozen=True)
class PatchCall:
    target: Expression
    attribute: str
    keywords: dict[str, Expression]


def _default(ctx: MethodContext) -> Type:
    return ctx.default_return_type


@degrade_to(_default)
def patch_object_hook(ctx: MethodContext) -> Type:
    """`patch.object(...)`: a patcher whose `__enter__`/`start()` give the mock."""
    mock = _patched_mock(ctx)
    if mock is None:
        return ctx.default_return_type
    patch_class = mocktypes.class_info(ctx.api, fullnames.PATCH_PASS_ARG)
    return Instance(patch_class, [mock]) if patch_class is not None else ctx.default_return_type


@degrade_to(_default)
def mocker_patch_object_hook(ctx: MethodContext) -> Type:
    """pytest-mock's `mocker.patch.object(...)`: starts the patch and returns the mock."""
    mock = _patched_mock(ctx)
    return mock if mock is not None else ctx.default_return_type


def _patched_mock(ctx: MethodContext) -> Type | None:
    call = read_patch_call(ctx.context)
    if call is None or "new" in call.keywords:
        return None  # `new=`: typeshed already types the patch by its value
    member = patched_member(call)
    if member is None:
        return None
    nature, member_type = member
    return _installed_mock(ctx, call, nature, member_type)


def read_patch_call(context: object) -> PatchCall | None:
    if not isinstance(context, CallExpr) or len(context.args) < 2:
        return None
    keywords: dict[str, Expression] = {}
    positional: list[Expression] = []
    for kind, name, arg in zip(context.arg_kinds, context.arg_names, context.args):
        if kind == ARG_POS:
            positional.append(arg)
        elif kind == ARG_NAMED and name is not None:
            keywords[name] = arg
        else:
            return None  # *args / **kwargs: what is patched and how is not visible
    if len(positional) > 2:
        keywords["new"] = positional[2]
    if len(positional) < 2 or not isinstance(positional[1], StrExpr):
        return None
    return PatchCall(positional[0], positional[1].value, keywords)


def patched_member(call: PatchCall) -> tuple[Member, ProperType] | None:
    """What `target.attribute` is: a class member, a module-level function, ..."""
    target = call.target
    if isinstance(target, RefExpr) and isinstance(target.node, MypyFile):
        symbol = target.node.names.get(call.attribute)
        if symbol is None or symbol.type is None:
            return None
        nature = function_nature(symbol.node)
        return (nature, get_proper_type(symbol.type)) if nature in FUNCTIONS else None
    if isinstance(target, RefExpr) and isinstance(target.node, TypeInfo):
        info = target.node
        instance = fill_typevars_with_any(info)
        if not isinstance(instance, Instance):
            return None
        state = MockState(Kind.MAGIC_MOCK, SpecMode.SPEC, Target.INSTANCE)
        member = lookup_member(state, instance, call.attribute)
        # Values and unknowns: CPython picks AsyncMock for awaitable or partial-of-async values.
        return (member.nature, member.typ) if member.nature in FUNCTIONS else None
    return None


def _installed_mock(
    ctx: MethodContext, call: PatchCall, nature: Member, member_type: ProperType
) -> Type | None:
    keywords = call.keywords
    if _is_true(keywords.get("autospec")):
        if not isinstance(member_type, CallableType) or _is_class(call.target):
            # A class attribute's autospec keeps `self` in its signature when called directly,
            # unlike the bound type the plugin has: not modelled yet.
            return None
        autospec_kind = Kind.ASYNC_MOCK if nature is Member.ASYNC_FUNCTION else Kind.MAGIC_MOCK
        state = MockState(autospec_kind, SpecMode.AUTOSPEC, Target.FUNCTION)
        return mocktypes.encode(ctx.api, state, member_type)
    if "autospec" in keywords or "spec_set" in keywords:
        return None  # autospec=<object>, spec_set: not modelled yet
    kind = _kind(keywords.get("new_callable"), nature)
    if kind is None:
        return None
    if _is_true(keywords.get("spec")):
        state = MockState(kind, SpecMode.SPEC, Target.FUNCTION)
        return mocktypes.encode(ctx.api, state, member_type)
    if "spec" in keywords:
        return None
    return mocktypes.encode(ctx.api, MockState(kind, SpecMode.CHILD, Target.FUNCTION), member_type)


def _kind(new_callable: Expression | None, nature: Member) -> Kind | None:
    if new_callable is None:
        return Kind.ASYNC_MOCK if nature is Member.ASYNC_FUNCTION else Kind.MAGIC_MOCK
    return new_callable_kind(new_callable)


def new_callable_kind(new_callable: Expression) -> Kind | None:
    """`new_callable=MagicMock` (or `mocker.MagicMock`): the class of the mock it makes."""
    if isinstance(new_callable, RefExpr):
        return fullnames.MOCK_CONSTRUCTORS.get(new_callable.fullname)
    return None


def _is_class(expr: Expression) -> bool:
    return isinstance(expr, RefExpr) and isinstance(expr.node, TypeInfo)


def _is_true(expr: Expression | None) -> bool:
    return isinstance(expr, NameExpr) and expr.fullname == "builtins.True"

