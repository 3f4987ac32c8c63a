"""What a `spec=` argument is, read from the checked code.

Only specs whose run-time meaning is certain are accepted: a class named directly, an instance,
or a function defined with `def`/`async def`.  Anything else (None, strings, lists, modules,
generic aliases like `G[int]`, `Any`, overloads, decorated functions) returns None and the
caller falls back to mypy's default type.
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy.nodes import (
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    IndexExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    RefExpr,
    StrExpr,
    TupleExpr,
    TypeInfo,
)
from mypy.types import CallableType, Instance, ProperType, Type, get_proper_type
from mypy.typevars import fill_typevars_with_any

from mypy_async_strict.model.rules import Target


@dataclass(frozen=True)
class SpecInfo:
    target: Target  # INSTANCE for a class or an instance, FUNCTION for a function
    stands_for: ProperType  # the instance type, or the function's callable type
    from_instance: bool  # spec=<instance>: dir() includes attributes set in __init__
    exact: bool  # the run-time class is exactly this one (not possibly a subclass)
    is_coroutine_function: bool = False


def analyze_spec(expr: Expression, typ: Type) -> SpecInfo | None:
    if isinstance(expr, IndexExpr):
        return None  # G[int]: a typing alias, whose async members 3.13 no longer detects
    klass = _named_class(expr)
    if klass is not None:
        return _class_spec(klass)
    proper = get_proper_type(typ)
    if isinstance(proper, CallableType) and not proper.is_type_obj():
        return _function_spec(expr, proper)
    if isinstance(proper, Instance) and _is_plain_instance(proper):
        return SpecInfo(
            Target.INSTANCE,
            proper,
            from_instance=True,
            exact=_is_exact_instance(expr, proper),
        )
    return None


def names_spec(expr: Expression) -> tuple[str, ...] | None:
    """`spec=["get", "close"]` (a list or tuple display of string literals): CPython
    (`_is_list`) takes a list or tuple spec as the attribute names themselves."""
    if isinstance(expr, (ListExpr, TupleExpr)) and all(isinstance(item, StrExpr) for item in expr.items):
        return tuple(item.value for item in expr.items if isinstance(item, StrExpr))
    return None


def _named_class(expr: Expression) -> TypeInfo | None:
    """The class when the spec names one directly (`spec=C`, `spec=mod.C`)."""
    if isinstance(expr, RefExpr) and isinstance(expr.node, TypeInfo):
        return expr.node
    return None


def _class_spec(info: TypeInfo) -> SpecInfo | None:
    if info.fullname in ("builtins.str", "builtins.list", "builtins.tuple", "builtins.dict"):
        return None  # spec="abc" / spec=[...] literals are handled as values, never as classes
    instance = fill_typevars_with_any(info)
    if not isinstance(instance, Instance):
        return None
    return SpecInfo(Target.INSTANCE, instance, from_instance=False, exact=True)


def _function_spec(expr: Expression, callable_type: CallableType) -> SpecInfo | None:
    definition = _function_definition(expr, callable_type)
    if definition is None:
        return None
    return SpecInfo(
        Target.FUNCTION,
        callable_type,
        from_instance=False,
        exact=True,
        is_coroutine_function=definition.is_coroutine and not definition.is_async_generator,
    )


def _function_definition(expr: Expression, callable_type: CallableType) -> FuncDef | None:
    """The plain `def`/`async def` behind a function spec; decorated functions are unknown."""
    node = expr.node if isinstance(expr, RefExpr) else None
    if isinstance(node, Decorator):
        return None
    if isinstance(node, FuncDef):
        return node
    if isinstance(expr, MemberExpr) and isinstance(callable_type.definition, FuncDef):
        definition = callable_type.definition
        return None if definition.is_decorated else definition
    return None


def _is_plain_instance(instance: Instance) -> bool:
    """Instances whose dir() is their class's: not strings, lists, modules or mocks."""
    excluded = {
        "builtins.str",
        "builtins.bytes",
        "builtins.bool",
        "builtins.int",
        "builtins.float",
        "builtins.complex",
        "builtins.list",
        "builtins.tuple",
        "builtins.dict",
        "builtins.set",
        "builtins.object",
        "types.ModuleType",
        "builtins.function",
    }
    if instance.type.fullname in excluded or instance.type.fallback_to_any:
        return False
    if instance.type.get("__await__") is not None:
        return False  # CPython mixes AsyncMock in for awaitable specs: its calls are awaitable
    if _is_callable_instance(instance.type):
        # A callable object (functools.partial of an async function, ...) may be a coroutine
        # function as far as inspect is concerned: its mock's calls may return coroutines.
        return False
    return not instance.type.is_protocol


def _is_callable_instance(info: TypeInfo) -> bool:
    owner = info.get_containing_type_info("__call__")
    return owner is not None and owner.fullname != "builtins.object"


def _is_exact_instance(expr: Expression, instance: Instance) -> bool:
    """`spec=C()` is exactly a C; a variable of type C may hold a subclass."""
    if instance.type.is_final:
        return True
    return (
        isinstance(expr, CallExpr)
        and isinstance(expr.callee, NameExpr)
        and expr.callee.node is instance.type
    )
