"""`patch.object(target, "attr", ...)` and `patch("pkg.mod.attr", ...)`: the mock they install,
typed from the patched attribute (the dotted target is resolved statically, see targets.py).

CPython's `_patch.__enter__`: without `new`, it makes `new_callable(**kwargs)` if given, else an
`AsyncMock` when the original attribute is an async function and a `MagicMock` otherwise;
`autospec=True` autospecs the original, `spec=True` specs a mock from it.  The mock is what
`with patch.object(...) as m` binds and what `.start()` returns; pytest-mock's `mocker.patch`
and `mocker.patch.object` start the patch and return it.  A class is replaced by an unspecced
MagicMock (checked on CPython 3.10-3.13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    CallExpr,
    Expression,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    StrExpr,
    TypeInfo,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import (
    CallableType,
    Instance,
    ProperType,
    Type,
    TypeType,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from mypy_async_strict import fullnames
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.rules import Kind, Member, MockState, SpecMode, Target
from mypy_async_strict.specs.members import function_nature, lookup_member
from mypy_async_strict.specs.targets import Owner, build_modules, resolve

FUNCTIONS: Final = frozenset({Member.ASYNC_FUNCTION, Member.SYNC_FUNCTION, Member.ASYNC_GENERATOR})
# Attributes that make `inspect`/`asyncio.iscoroutinefunction` look past a class (3.10-3.13).
COROUTINE_MARKERS: Final = frozenset({"__func__", "_is_coroutine", "_is_coroutine_marker"})
# Classes create_autospec treats as spec values, never as classes (as constructors.py does).
NOT_SPEC_CLASSES: Final = frozenset({"builtins.str", "builtins.list", "builtins.tuple", "builtins.dict"})


@dataclass(frozen=True)
class PatchCall:
    owner: Owner  # the module or class whose attribute is patched
    attribute: str
    keywords: dict[str, Expression]

    @property
    def target_name(self) -> str:
        """`Service.fetch`, `pkg.mod.fetch`: the patched attribute, for messages."""
        owner = self.owner.name if isinstance(self.owner, TypeInfo) else self.owner.fullname
        return f"{owner}.{self.attribute}"


def read_patch_call(api: CheckerPluginInterface, call: object) -> PatchCall | None:
    """`patch.object(target, "name", ...)` or `patch("pkg.mod.name", ...)` (also mocker's)."""
    if isinstance(call, CallExpr) and isinstance(call.callee, MemberExpr) and call.callee.name == "object":
        return read_patch_object(call)
    return read_dotted(api, call)


def installed_mock_type(api: CheckerPluginInterface, call: PatchCall | None) -> Type | None:
    """The mock a patch installs (what `with ... as m`, `.start()` and a decorated test's
    extra argument get), or None when it is not known."""
    if call is None or "new" in call.keywords:
        return None  # `new=`: typeshed already types the patch by its value
    patched_class = _module_class(call)
    if patched_class is not None:
        return _class_mock(api, call, patched_class)
    member = patched_member(call)
    if member is None:
        return None
    nature, member_type = member
    return _installed_mock(api, call, nature, member_type)


def _arguments(context: object, new_at: int) -> tuple[list[Expression], dict[str, Expression]] | None:
    """Positional and keyword arguments; the positional one at `new_at` is `new`."""
    if not isinstance(context, CallExpr):
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
    if len(positional) > new_at:
        keywords["new"] = positional[new_at]
    return positional, keywords


def read_patch_object(context: object) -> PatchCall | None:
    """`patch.object(target, "attribute", new, ...)`, the target a module or class by name."""
    arguments = _arguments(context, new_at=2)
    if arguments is None:
        return None
    positional, keywords = arguments
    if len(positional) < 2 or not isinstance(positional[1], StrExpr):
        return None
    target = positional[0]
    if not isinstance(target, RefExpr) or not isinstance(target.node, (MypyFile, TypeInfo)):
        return None
    return PatchCall(target.node, positional[1].value, keywords)


def read_dotted(api: CheckerPluginInterface, context: object) -> PatchCall | None:
    """`patch("pkg.mod.name", new, ...)`: only a string literal names its target for sure."""
    arguments = _arguments(context, new_at=1)
    if arguments is None:
        return None
    positional, keywords = arguments
    if not positional or not isinstance(positional[0], StrExpr):
        return None
    target = resolve(build_modules(api), positional[0].value)
    if target is None:
        return None
    return PatchCall(target.owner, target.attribute, keywords)


def patched_member(call: PatchCall) -> tuple[Member, ProperType] | None:
    """What `owner.attribute` is: a class member, a module-level function, ..."""
    owner = call.owner
    if isinstance(owner, MypyFile):
        symbol = owner.names.get(call.attribute)
        if symbol is None or symbol.type is None:
            return None
        nature = function_nature(symbol.node)
        return (nature, get_proper_type(symbol.type)) if nature in FUNCTIONS else None
    instance = fill_typevars_with_any(owner)
    if not isinstance(instance, Instance):
        return None
    state = MockState(Kind.MAGIC_MOCK, SpecMode.SPEC, Target.INSTANCE)
    member = lookup_member(state, instance, call.attribute)
    # Values and unknowns: CPython picks AsyncMock for awaitable or partial-of-async values.
    return (member.nature, member.typ) if member.nature in FUNCTIONS else None


def _module_class(call: PatchCall) -> TypeInfo | None:
    """A class patched in its module (`patch("pkg.mod.Client")`)."""
    if not isinstance(call.owner, MypyFile):
        return None  # a nested class: not modelled
    symbol = call.owner.names.get(call.attribute)
    return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None


def _class_mock(api: CheckerPluginInterface, call: PatchCall, info: TypeInfo) -> Type | None:
    """CPython replaces a class with an unspecced `MagicMock()` (or `new_callable()`), with
    `create_autospec(cls)` under `autospec=True`, and with `MagicMock(spec=cls)` whose return
    value is specced from the class too under `spec=True` (`spec_set=True` likewise)."""
    keywords = call.keywords
    if not _plain_class(api, info):
        return None
    if _is_true(keywords.get("autospec")):
        instance = fill_typevars_with_any(info)
        if not isinstance(instance, Instance) or info.fullname in NOT_SPEC_CLASSES:
            return None
        state = MockState(Kind.MAGIC_MOCK, SpecMode.AUTOSPEC, Target.CLASS)
        return mocktypes.encode(api, state, TypeType.make_normalized(instance))
    specced = _class_spec_mode(keywords)
    if specced is not None:
        if "new_callable" in keywords or info.fullname in NOT_SPEC_CLASSES:
            return None  # new_callable(spec=C): its class decides (and its instances' class)
        instance = fill_typevars_with_any(info)
        if not isinstance(instance, Instance):
            return None
        state = MockState(Kind.MAGIC_MOCK, specced, Target.CLASS)
        return mocktypes.encode(api, state, TypeType.make_normalized(instance))
    if any(name in keywords for name in ("autospec", "spec", "spec_set")):
        return None
    new_callable = keywords.get("new_callable")
    kind = Kind.MAGIC_MOCK if new_callable is None else _kind(new_callable, Member.DATA)
    if kind is None:
        return None
    return mocktypes.encode(api, MockState(kind, SpecMode.NONE, Target.NOTHING), None)


def _class_spec_mode(keywords: dict[str, Expression]) -> SpecMode | None:
    """`spec=True` or `spec_set=True` (and no other spec): CPython makes `MagicMock(spec=C)`
    (or `spec_set=C`) for the class, and `return_value` a mock specced the same way from the
    class, non-callable unless instances are (`_patch.__enter__`, `inherit`)."""
    spec, spec_set = keywords.get("spec"), keywords.get("spec_set")
    if "autospec" in keywords or (spec is None) == (spec_set is None):
        return None
    if spec is not None:
        return SpecMode.SPEC if _is_true(spec) else None
    return SpecMode.SPEC_SET if _is_true(spec_set) else None


def _plain_class(api: CheckerPluginInterface, info: TypeInfo) -> bool:
    """A class CPython certainly does not take for an async object (`_is_async_obj`): defined in
    source code (a stub may call a factory function a class), with an ordinary metaclass (an
    `__await__` there makes the class awaitable) and no coroutine marker or `__func__`."""
    module = build_modules(api).get(info.module_name)
    if module is None or module.is_stub:
        return False
    for klass in info.mro[:-1]:
        metaclass = klass.declared_metaclass
        if metaclass is not None and metaclass.type.fullname not in ("builtins.type", "abc.ABCMeta"):
            return False
        if any(name in klass.names for name in COROUTINE_MARKERS):
            return False
    return True


def _installed_mock(
    api: CheckerPluginInterface, call: PatchCall, nature: Member, member_type: ProperType
) -> Type | None:
    keywords = call.keywords
    if _is_true(keywords.get("autospec")):
        if not isinstance(member_type, CallableType) or isinstance(call.owner, TypeInfo):
            # A class attribute's autospec keeps `self` in its signature when called directly,
            # unlike the bound type the plugin has: not modelled yet.
            return None
        autospec_kind = Kind.ASYNC_MOCK if nature is Member.ASYNC_FUNCTION else Kind.MAGIC_MOCK
        state = MockState(autospec_kind, SpecMode.AUTOSPEC, Target.FUNCTION)
        return mocktypes.encode(api, state, member_type)
    if "autospec" in keywords or "spec_set" in keywords:
        return None  # autospec=<object>, spec_set: not modelled yet
    kind = _kind(keywords.get("new_callable"), nature)
    if kind is None:
        return None
    if _is_true(keywords.get("spec")):
        state = MockState(kind, SpecMode.SPEC, Target.FUNCTION)
        return mocktypes.encode(api, state, member_type)
    if "spec" in keywords:
        return None
    return mocktypes.encode(api, MockState(kind, SpecMode.CHILD, Target.FUNCTION), member_type)


def _kind(new_callable: Expression | None, nature: Member) -> Kind | None:
    if new_callable is None:
        return Kind.ASYNC_MOCK if nature is Member.ASYNC_FUNCTION else Kind.MAGIC_MOCK
    return new_callable_kind(new_callable)


def new_callable_kind(new_callable: Expression) -> Kind | None:
    """`new_callable=MagicMock`: the class of the mock it makes."""
    if isinstance(new_callable, RefExpr):
        return fullnames.MOCK_CONSTRUCTORS.get(new_callable.fullname)
    return None


def _is_true(expr: Expression | None) -> bool:
    return isinstance(expr, NameExpr) and expr.fullname == "builtins.True"

