"""Encode the mock model in mypy types and read it back.

A mock is an Instance of one of the annotation classes in `mocks.pyi`:
`MagicMockOf[T, Literal["spec"]]`, where T is what the mock stands for (an instance type, `type[C]`
for a class, a callable for a function, `Any` when unspecced, the union of the names' literal
types for a list spec) and the literal is its SpecMode.
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy.nodes import MypyFile, TypeInfo
from mypy.plugin import CheckerPluginInterface
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    LiteralType,
    Overloaded,
    ProperType,
    Type,
    TypeOfAny,
    TypeType,
    UninhabitedType,
    UnionType,
    get_proper_type,
)
from mypy.typeops import make_simplified_union

from mypy_async_strict import fullnames
from mypy_async_strict.model.rules import Kind, MockState, SpecMode, Target


@dataclass(frozen=True)
class MockType:
    """A mock's model state together with the type it stands for."""

    state: MockState
    stands_for: ProperType


def class_info(api: CheckerPluginInterface, fullname: str) -> TypeInfo | None:
    """A class by its module's entry in the build (`named_generic_type` would need every parent
    package loaded: `unittest` for `unittest.mock`)."""
    module_name, _, name = fullname.rpartition(".")
    modules = getattr(api, "modules", None)
    module = modules.get(module_name) if isinstance(modules, dict) else None
    if not isinstance(module, MypyFile):
        return None
    symbol = module.names.get(name)
    return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None


def _annotation_class(api: CheckerPluginInterface, kind: Kind) -> TypeInfo | None:
    """The class from mocks.pyi; the module is in builds that import `unittest.mock`."""
    return class_info(api, fullnames.ANNOTATION_BY_KIND[kind])


def declares(api: CheckerPluginInterface, kind: Kind, name: str) -> bool:
    """Whether the mock class of `kind` declares `name` (`assert_awaited_once` on AsyncMock)."""
    info = _annotation_class(api, kind)
    symbol = info.get(name) if info is not None else None
    return symbol is not None and (symbol.node is None or symbol.node.fullname != f"{fullnames.SPEC_AWARE}.{name}")


def encode(api: CheckerPluginInterface, state: MockState, stands_for: Type | None) -> Type | None:
    """The Instance for a mock, or None when the annotation module is not in the build."""
    info = _annotation_class(api, state.kind)
    if info is None:
        return None
    target_type: Type = stands_for if stands_for is not None else AnyType(TypeOfAny.special_form)
    mode = LiteralType(state.mode.value, api.named_generic_type("builtins.str", []))
    return Instance(info, [target_type, mode])


def encode_names(names: tuple[str, ...], api: CheckerPluginInterface) -> ProperType:
    """What a mock specced from a list of names stands for: `Literal["get", "close"]`."""
    str_type = api.named_generic_type("builtins.str", [])
    items = [LiteralType(name, str_type) for name in dict.fromkeys(names)]
    return get_proper_type(make_simplified_union(items)) if items else UninhabitedType()


def listed_names(stands_for: Type) -> frozenset[str] | None:
    """The names a list-spec mock's `stands_for` lists (see `encode_names`)."""
    proper = get_proper_type(stands_for)
    if isinstance(proper, UninhabitedType):
        return frozenset()
    items = proper.relevant_items() if isinstance(proper, UnionType) else [proper]
    names: set[str] = set()
    for item in items:
        literal = get_proper_type(item)
        if not isinstance(literal, LiteralType) or not isinstance(literal.value, str):
            return None
        names.add(literal.value)
    return frozenset(names)


def decode(typ: Type) -> MockType | None:
    """The mock a type describes, or None when it is not one of ours (plain `MagicMock` too)."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance):
        return None
    kind = fullnames.KIND_BY_ANNOTATION.get(proper.type.fullname)
    if kind is None or len(proper.args) != 2:
        return None
    stands_for = get_proper_type(proper.args[0])
    mode = _mode_of(proper.args[1])
    if mode is None:
        return None
    return MockType(MockState(kind, mode, _target_of(stands_for, mode)), stands_for)


def decode_all(typ: Type) -> list[MockType] | None:
    """Every item of a union as a mock, or None if any item is not certainly a mock."""
    proper = get_proper_type(typ)
    items = proper.relevant_items() if isinstance(proper, UnionType) else [proper]
    decoded = [decode(item) for item in items]
    if not decoded or any(item is None for item in decoded):
        return None
    return [item for item in decoded if item is not None]


def _mode_of(arg: Type) -> SpecMode | None:
    literal = get_proper_type(arg)
    if isinstance(literal, LiteralType) and isinstance(literal.value, str):
        try:
            return SpecMode(literal.value)
        except ValueError:
            return None
    return None


def _target_of(stands_for: ProperType, mode: SpecMode) -> Target:
    if mode.is_names:
        return Target.NAMES
    if mode is SpecMode.NONE or isinstance(stands_for, AnyType):
        return Target.NOTHING
    if isinstance(stands_for, TypeType):
        return Target.CLASS
    if isinstance(stands_for, (CallableType, Overloaded)):
        return Target.CLASS if stands_for.is_type_obj() else Target.FUNCTION  # an overloaded method too
    return Target.INSTANCE
