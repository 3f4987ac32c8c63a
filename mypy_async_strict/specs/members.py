"""What a spec's attribute is: async function, sync function, data, missing or unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Final, Protocol

from mypy.nodes import (
    LAMBDA_NAME,
    NOT_ABSTRACT,
    Decorator,
    FuncDef,
    OverloadedFuncDef,
    RefExpr,
    TypeInfo,
    Var,
)
from mypy.subtypes import find_member, is_same_type
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    NoneType,
    Overloaded,
    ProperType,
    TypeOfAny,
    TypeType,
    UnionType,
    get_proper_type,
)

from mypy_async_strict.model.mocktypes import listed_names
from mypy_async_strict.model.rules import Member, MockState, SpecMode, Target

# Decorators that keep `inspect.iscoroutinefunction(getattr(cls, name))` equal to the function's.
TRANSPARENT_DECORATORS: Final = frozenset(
    {
        "builtins.staticmethod",
        "builtins.classmethod",
        "abc.abstractmethod",
        "typing.final",
        "typing_extensions.final",
        "typing.override",
        "typing_extensions.override",
    }
)
CALLABLE_WRAPPERS: Final = frozenset(
    {"builtins.staticmethod", "builtins.classmethod", "functools.partial", "functools.partialmethod"}
)
PROPERTY_DECORATORS: Final = frozenset(
    {"builtins.property", "functools.cached_property", "abc.abstractproperty"}
)


@dataclass(frozen=True)
class SpecMember:
    nature: Member
    typ: ProperType  # the member's type as seen on an instance (methods bound), or Any


UNKNOWN_MEMBER: Final = SpecMember(Member.UNKNOWN, AnyType(TypeOfAny.special_form))
MISSING_MEMBER: Final = SpecMember(Member.MISSING, AnyType(TypeOfAny.special_form))


class ClassSource(Protocol):
    """Where a spec class comes from: what `dir(cls)` may hold beyond its declarations."""

    def from_stub(self, info: TypeInfo) -> bool:
        """Stubs annotate class attributes that exist at run time without a value."""

    def stored_later(self, info: TypeInfo, name: str) -> bool:
        """`Cls.name = ...`, `cls.name = ...` or `setattr(Cls, ...)` in the class's module."""

    def dynamic(self, info: TypeInfo) -> bool:
        """A class body that runs code, or a decorator that may add attributes."""

    def set_on_instances(self, info: TypeInfo, name: str) -> bool:
        """`self.name = ...` in a method of the class or a base: an instance attribute."""

    def literal_slots(self, info: TypeInfo) -> frozenset[str] | None:
        """The slot names of a class whose body assigns `__slots__` a literal, else None."""


def lookup_member(
    state: MockState, stands_for: ProperType, name: str, source: ClassSource | None = None
) -> SpecMember:
    if state.target is Target.FUNCTION and not _is_dunder(name):
        if state.mode.is_autospec or _is_lambda(stands_for):
            # An autospecced function is a plain function carrying the mock's call and (when
            # async) await API; it copies none of the spec's attributes.  A lambda spec
            # (pytest-mock's stubs) was made fresh, so dir() has only its dunders.
            return MISSING_MEMBER
    if state.target is Target.NAMES:
        return _listed_member(stands_for, name)
    info = spec_class(state, stands_for)
    if info is None or _is_dunder(name):
        return UNKNOWN_MEMBER
    instance = stands_for.item if isinstance(stands_for, TypeType) else stands_for
    if not isinstance(instance, Instance):
        return UNKNOWN_MEMBER
    slots = source.literal_slots if source is not None else None
    nature = _nature(info, name, from_instance=state.mode in INSTANCE_MODES, slots=slots)
    if nature is Member.MISSING and (
        source is None
        or source.from_stub(info)
        or source.dynamic(info)
        or source.stored_later(info, name)
        or (_only_annotated(info, name) and not source.set_on_instances(info, name))
    ):
        nature = Member.UNKNOWN  # only source code read in full says what dir(cls) lacks
    if nature in (Member.MISSING, Member.UNKNOWN):
        return SpecMember(nature, AnyType(TypeOfAny.special_form))
    if nature is Member.SYNC_FUNCTION and state.mode in INSTANCE_MODES:
        # An instance spec may be a subclass instance that overrides this method with an
        # `async def`; only a return type no coroutine fits rules that out.
        if _could_be_overridden_async(info, name, instance):
            return UNKNOWN_MEMBER
    member_type = find_member(name, instance, instance)
    if member_type is None:
        return UNKNOWN_MEMBER
    return SpecMember(nature, get_proper_type(member_type))


INSTANCE_MODES: Final = frozenset({SpecMode.INSTANCE_SPEC, SpecMode.INSTANCE_SPEC_SET})
LISTED_MEMBER: Final = SpecMember(Member.LISTED, AnyType(TypeOfAny.special_form))


def _listed_member(stands_for: ProperType, name: str) -> SpecMember:
    """A list spec's `dir()` is the list itself (dunders included: `spec=["__len__"]`)."""
    names = listed_names(stands_for)
    if names is None:
        return UNKNOWN_MEMBER
    return LISTED_MEMBER if name in names else MISSING_MEMBER


def _is_lambda(stands_for: ProperType) -> bool:
    """A spec mypy would type as a lambda; only spies.py makes such mocks (spec analysis accepts
    no lambda, which might have been given attributes before it became a spec)."""
    return isinstance(stands_for, CallableType) and stands_for.name == LAMBDA_NAME


def spec_class(state: MockState, stands_for: ProperType) -> TypeInfo | None:
    if state.target is Target.INSTANCE and isinstance(stands_for, Instance):
        return stands_for.type
    if state.target is Target.CLASS and isinstance(stands_for, TypeType):
        item = stands_for.item
        return item.type if isinstance(item, Instance) else None
    return None


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


Slots = Callable[[TypeInfo], "frozenset[str] | None"]


# Private names that `abc.ABCMeta` and `typing.Protocol` set on every class they make.
MACHINERY_NAMES: Final = frozenset({"_abc_impl", "_is_protocol", "_is_runtime_protocol"})


def _dataclass_field(info: TypeInfo, name: str) -> bool:
    """A dataclass field mypy took out of the class (an `InitVar`: its default stays a class
    attribute at run time)."""
    for klass in info.mro:
        data = klass.metadata.get("dataclass")
        attributes = data.get("attributes") if isinstance(data, dict) else None
        if isinstance(attributes, list) and any(
            isinstance(attribute, dict) and attribute.get("name") == name for attribute in attributes
        ):
            return True
    return False


def _hidden_name(name: str) -> bool:
    """A name the class machinery sets, or a mangled private name (`_Clock__cache` is the
    class body's `__cache`, which mypy records unmangled)."""
    if name in MACHINERY_NAMES:
        return True
    head, separator, _ = name[1:].partition("__")
    return name.startswith("_") and not name.startswith("__") and bool(separator) and bool(head)


def _nature(info: TypeInfo, name: str, *, from_instance: bool, slots: Slots | None = None) -> Member:
    symbol = info.get(name)
    if symbol is None or symbol.node is None:
        if from_instance or info.fallback_to_any or _hidden_name(name) or _dataclass_field(info, name):
            return Member.UNKNOWN  # an instance may be of a subclass; a hidden base may have it
        slotted = _slot_names(info, slots)
        if slotted is None or name in slotted:
            return Member.UNKNOWN  # slot names mypy never saw assigned are descriptors too
        return Member.MISSING if not _is_dynamic(info) else Member.UNKNOWN
    node = symbol.node
    if isinstance(node, Var):
        return _variable_nature(info, name, node, from_instance=from_instance)
    return function_nature(node)  # nested classes, aliases: unknown (autospec treats them specially)


def _slot_names(info: TypeInfo, slots: Slots | None) -> frozenset[str] | None:
    """The slot descriptors of the class and its bases: none without `__slots__`; None
    (unknown) when some class assigns `__slots__` anything but a literal."""
    names: set[str] = set()
    for klass in info.mro:
        if "__slots__" not in klass.names:
            continue
        literal = slots(klass) if slots is not None else None
        if literal is None:
            return None
        names.update(literal)
    return frozenset(names)


def function_nature(node: object) -> Member:
    """What a module-level (or any) definition is, for patching it."""
    if isinstance(node, FuncDef):
        return _function_nature(node)
    if isinstance(node, Decorator):
        return _decorated_nature(node)
    if isinstance(node, OverloadedFuncDef):
        return _overloaded_nature(node)
    return Member.UNKNOWN


def _function_nature(func: FuncDef) -> Member:
    if func.is_property:
        return Member.PROPERTY
    if func.is_async_generator:
        return Member.ASYNC_GENERATOR
    return Member.ASYNC_FUNCTION if func.is_coroutine else Member.SYNC_FUNCTION


def _decorated_nature(decorator: Decorator) -> Member:
    if decorator.func.is_property:
        return Member.PROPERTY
    if not decorator.original_decorators:
        return _cached_decorated_nature(decorator)
    names = [_decorator_name(d) for d in decorator.original_decorators]
    if any(name in PROPERTY_DECORATORS for name in names):
        return Member.PROPERTY
    if all(name in TRANSPARENT_DECORATORS for name in names):
        return _function_nature(decorator.func)
    return Member.UNKNOWN  # a wrapper may be sync around async (or, on 3.13, unwrapped)


def _cached_decorated_nature(decorator: Decorator) -> Member:
    """A decorated function loaded from mypy's cache has no decorator expressions left: only
    the flags the transparent decorators set, and the decorated type, say what wrapped it."""
    func = decorator.func
    flagged = func.is_static or func.is_class or func.abstract_status != NOT_ABSTRACT
    same_type = (
        decorator.var.type is not None
        and func.type is not None
        and is_same_type(decorator.var.type, func.type)
    )
    if flagged and same_type:
        return _function_nature(func)
    return Member.UNKNOWN


def _overloaded_nature(node: OverloadedFuncDef) -> Member:
    """At run time the attribute is the implementation; a stub has only the overloads."""
    if node.is_property:
        return Member.PROPERTY
    if node.impl is not None:
        impl = node.impl
        return _function_nature(impl) if isinstance(impl, FuncDef) else _decorated_nature(impl)
    natures = {
        _function_nature(item.func) if isinstance(item, Decorator) else _function_nature(item)
        for item in node.items
        if isinstance(item, (Decorator, FuncDef))
    }
    return natures.pop() if len(natures) == 1 else Member.UNKNOWN






def _decorator_name(expr: object) -> str | None:
    return expr.fullname if isinstance(expr, RefExpr) else None


def _variable_nature(info: TypeInfo, name: str, var: Var, *, from_instance: bool) -> Member:
    if not _in_class_namespace(info, name):
        if from_instance or var.is_classvar or _is_dynamic(info):
            return Member.UNKNOWN  # set in __init__, or set on the class at run time
        # Annotation-only class attributes and attributes set in __init__ are not in dir(class).
        return Member.MISSING
    value_type = get_proper_type(var.type)
    if value_type is None or isinstance(value_type, (AnyType, CallableType, Overloaded, TypeType)):
        return Member.UNKNOWN  # a function stored on the class becomes a method
    if isinstance(value_type, Instance) and (
        value_type.type.get("__call__") is not None or value_type.type.fullname in CALLABLE_WRAPPERS
    ):
        return Member.UNKNOWN  # staticmethod(...), functools.partial(...): maybe a coroutine function
    return Member.DATA


def _only_annotated(info: TypeInfo, name: str) -> bool:
    """`objects: Manager` in a (non-dataclass) class body: declared so that code elsewhere, in
    any module, may set it on the class (`Order.objects = Manager()`)."""
    symbol = info.get(name)
    node = symbol.node if symbol is not None else None
    return isinstance(node, Var) and node.is_initialized_in_class and not _is_dataclass(info)


def _is_dataclass(info: TypeInfo) -> bool:
    return any("dataclass" in klass.metadata for klass in info.mro[:-1])


def _in_class_namespace(info: TypeInfo, name: str) -> bool:
    """Whether some class in the MRO really has `name` (a value, a method, a slot)."""
    for klass in info.mro:
        if name in (klass.slots or ()) or "__slots__" in klass.names:
            return True  # a slot descriptor (mypy drops `slots` when "__dict__" is among them)
        symbol = klass.names.get(name)
        if symbol is None or symbol.node is None:
            continue
        node = symbol.node
        if not isinstance(node, Var) or (node.is_initialized_in_class and node.has_explicit_value):
            return True
    return False


def _is_dynamic(info: TypeInfo) -> bool:
    """A class whose attributes may be set by `__init_subclass__` or a metaclass (its body and
    decorators are judged by `ClassSource.dynamic`, from facts recorded while analyzing it)."""
    for klass in info.mro[:-1]:  # not object
        if "__init_subclass__" in klass.names:
            return True
        metaclass = klass.declared_metaclass
        if metaclass is not None and metaclass.type.fullname not in ("builtins.type", "abc.ABCMeta"):
            return True
    return False


def _could_be_overridden_async(info: TypeInfo, name: str, instance: Instance) -> bool:
    return not returns_plain_value(get_proper_type(find_member(name, instance, instance)))


def returns_plain_value(member_type: ProperType | None) -> bool:
    """Whether a function's declared return type is one no awaitable fits (`None`, `int`, a
    class that is not Awaitable, a union or the overloads of such): then an `async def` cannot
    stand in for it."""
    if isinstance(member_type, Overloaded):
        return all(returns_plain_value(item) for item in member_type.items)
    if not isinstance(member_type, CallableType):
        return False
    return _plain_value(get_proper_type(member_type.ret_type))


def _plain_value(ret: ProperType) -> bool:
    if isinstance(ret, NoneType):
        return True
    if isinstance(ret, UnionType):
        return all(_plain_value(get_proper_type(item)) for item in ret.items)
    if isinstance(ret, Instance):
        info = ret.type
        return not (
            info.has_base("typing.Awaitable")
            or info.get("__await__") is not None  # awaitable by structure, not by base
            or info.fallback_to_any
            or info.fullname == "builtins.object"
        )
    return False


def instances_callable(info: TypeInfo) -> bool | None:
    """Whether instances of the class are callable (`__call__` in its MRO), as
    `unittest.mock._instance_callable` decides for `create_autospec(C, instance=True)` and the
    instances of specced class mocks; None when a base mypy cannot see may define it."""
    if info.get("__call__") is not None:
        owner = info.get_containing_type_info("__call__")
        return owner is None or owner.fullname != "builtins.object"
    return None if info.fallback_to_any else False


def magic_nature(state: MockState, stands_for: ProperType, name: str) -> Member | None:
    """What the spec's own magic method `name` is (`__enter__`, `__aenter__`): a list spec's
    name is LISTED; a class spec's, its function's nature; None when unknown."""
    if state.target is Target.NAMES:
        names = listed_names(stands_for)
        return None if names is None else Member.LISTED if name in names else Member.MISSING
    info = spec_class(state, stands_for)
    if info is None or info.fallback_to_any or state.mode in INSTANCE_MODES:
        return None
    symbol = info.get(name)
    if symbol is None or symbol.node is None:
        return Member.MISSING
    nature = function_nature(symbol.node)
    return None if nature is Member.UNKNOWN else nature

