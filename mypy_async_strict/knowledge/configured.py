"""What a configured mock's call gives: its `return_value`, or what its `side_effect` decides.

CPython (`CallableMixin._execute_mock_call`, `AsyncMockMixin._execute_mock_call`): a
`side_effect` wins over `return_value`.  An exception class or instance is raised; an iterable
gives its items one per call (exceptions among them raised); a callable is called with the
call's arguments and its result returned (an AsyncMock awaits it when it is a coroutine
function).  A sync mock whose side effect is an `async def` returns that function's coroutine,
so awaiting its calls works.

Only values whose static type is exact are used: literals, displays, `None`, direct calls of a
class's constructor, mocks the plugin tracks, functions named directly, and variables bound
once to one of those.  Anything wider is unknown, and the plugin stays silent as before.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from mypy.nodes import (
    BytesExpr,
    CallExpr,
    ComplexExpr,
    Decorator,
    DictExpr,
    Expression,
    FloatExpr,
    FuncDef,
    IntExpr,
    ListExpr,
    NameExpr,
    RefExpr,
    SetExpr,
    StrExpr,
    TupleExpr,
    TypeInfo,
    Var,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    NoneType,
    Type,
    UnionType,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from mypy_async_strict import fullnames
from mypy_async_strict.knowledge.provenance import (
    ScanCache,
    is_mock_constructor,
    scopes_of,
)
from mypy_async_strict.knowledge.pytest_fixtures import constructed_by
from mypy_async_strict.knowledge.values import precise_type
from mypy_async_strict.model import mocktypes

MAX_ALIAS_DEPTH: Final = 8
LITERALS: Final = (IntExpr, StrExpr, BytesExpr, FloatExpr, ComplexExpr)
DISPLAYS: Final = (ListExpr, DictExpr, SetExpr, TupleExpr)
CONSTANTS: Final = frozenset({"builtins.None", "builtins.True", "builtins.False"})


class Outcome(enum.Enum):
    VALUE = "value"  # the call gives `value` (awaiting an AsyncMock's call gives it)
    COROUTINE = "coroutine"  # the call returns a coroutine of `value` (an async side effect)
    RAISES = "raises"  # the call raises: nothing after it runs


@dataclass(frozen=True)
class Configured:
    outcome: Outcome
    value: Type | None = None
    source: Expression | None = None  # the configured expression, for messages


RAISES: Final = Configured(Outcome.RAISES)


def configured_call(
    api: CheckerPluginInterface, cache: ScanCache, value: Expression, side_effect: bool, async_mock: bool
) -> Configured | None:
    """What a call of a mock configured with `value` gives, or None when not certain."""
    if not side_effect:
        typ = exact_type(api, cache, value)
        return Configured(Outcome.VALUE, typ, value) if typ is not None else None
    return _side_effect(api, cache, _bound_value(api, cache, value), async_mock)


def _side_effect(
    api: CheckerPluginInterface, cache: ScanCache, effect: Expression, async_mock: bool
) -> Configured | None:
    if _is_exception(api, effect):
        return RAISES
    if isinstance(effect, (ListExpr, TupleExpr)):
        items = [item for item in effect.items if not _is_exception(api, item)]
        if not items:
            return RAISES
        types = [exact_type(api, cache, item) for item in items]
        if any(typ is None for typ in types):
            return None
        return Configured(Outcome.VALUE, UnionType.make_union([t for t in types if t is not None]), effect)
    function = _named_function(effect)
    if function is None:
        return None
    signature = get_proper_type(function.type)
    if not isinstance(signature, CallableType):
        return None
    if function.is_coroutine and not function.is_async_generator:
        awaited = _awaited(signature.ret_type)
        if awaited is None:
            return None
        return Configured(Outcome.VALUE if async_mock else Outcome.COROUTINE, awaited, effect)
    return Configured(Outcome.VALUE, signature.ret_type, effect)


def exact_type(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Type | None:
    """The type of `expr` when it is exactly what the value is at run time (not a subclass,
    not a wider declared type)."""
    expr = _bound_value(api, cache, expr)
    constructed = _fixture_instance(api, cache, expr)
    if constructed is not None:
        return constructed
    typ = precise_type(api, cache, expr)
    if typ is None:
        return None
    if mocktypes.decode(typ) is not None:
        return typ
    if isinstance(expr, LITERALS) or isinstance(expr, DISPLAYS):
        return typ
    if isinstance(expr, NameExpr) and expr.fullname in CONSTANTS:
        return typ
    if isinstance(expr, CallExpr) and _constructs_plain_class(expr):
        proper = get_proper_type(typ)
        return typ if isinstance(proper, Instance) and not proper.type.fallback_to_any else None
    return None


def _constructs_plain_class(call: CallExpr) -> bool:
    """`Item(...)`: a class called directly (not a mock class, not a factory)."""
    callee = call.callee
    if not isinstance(callee, RefExpr) or not isinstance(callee.node, TypeInfo):
        return False
    return not is_mock_constructor(call) and constructs_itself(callee.node)


def constructs_itself(info: TypeInfo) -> bool:
    """Calling the class gives a fresh instance of exactly it: no mock class, no `__new__`, no
    metaclass `__call__` (pydantic's metaclass builds classes, not instances)."""
    if info.fullname.startswith(fullnames.MOCK_MODULE + ".") or info.fallback_to_any:
        return False
    metaclass = info.metaclass_type
    if metaclass is not None:
        call_owner = metaclass.type.get_containing_type_info("__call__")
        if call_owner is not None and call_owner.fullname != "builtins.type":
            return False  # a metaclass may make the call return anything
    owner = info.get_containing_type_info("__new__")
    return owner is None or owner.fullname == "builtins.object"  # a `__new__` may return anything


def _fixture_instance(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Type | None:
    """A test's parameter filled by a fixture that returns `User(...)`: exactly a User."""
    if not isinstance(expr, NameExpr) or not isinstance(expr.node, Var):
        return None
    scopes = scopes_of(api)
    test = scopes[0] if scopes else None
    if not isinstance(test, FuncDef) or not any(a.variable is expr.node for a in test.arguments):
        return None
    if cache.facts(test).definitions.get(expr.node) != [None]:
        return None  # rebound in the test
    info = constructed_by(api, test, expr.node)
    if info is None or not constructs_itself(info):
        return None
    instance = fill_typevars_with_any(info)
    return instance if isinstance(instance, Instance) else None


def _bound_value(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Expression:
    """Follow a local variable bound once to its value."""
    for _ in range(MAX_ALIAS_DEPTH):
        if not isinstance(expr, NameExpr) or not isinstance(expr.node, Var):
            return expr
        values = None
        for scope in scopes_of(api):
            values = cache.facts(scope).definitions.get(expr.node)
            if values is not None:
                break
        if not values or len(values) != 1 or values[0] is None:
            return expr
        expr = values[0]
    return expr


def _is_exception(api: CheckerPluginInterface, expr: Expression) -> bool:
    """An exception class, or a direct construction of one."""
    target = expr.callee if isinstance(expr, CallExpr) else expr
    node = target.node if isinstance(target, RefExpr) else None
    return isinstance(node, TypeInfo) and node.has_base("builtins.BaseException")


def _named_function(expr: Expression) -> FuncDef | None:
    node = expr.node if isinstance(expr, RefExpr) else None
    if isinstance(node, Decorator):
        return None  # a wrapper may change what the call gives
    return node if isinstance(node, FuncDef) else None


def _awaited(ret: Type) -> Type | None:
    proper = get_proper_type(ret)
    if isinstance(proper, Instance) and proper.type.fullname == "typing.Coroutine" and len(proper.args) == 3:
        return proper.args[2]
    return None


def awaitable(typ: Type) -> bool | None:
    """Whether a value of this type can be awaited: None when not certain."""
    proper = get_proper_type(typ)
    if isinstance(proper, NoneType):
        return False
    if isinstance(proper, UnionType):
        verdicts = [awaitable(item) for item in proper.items]
        if all(v is False for v in verdicts):
            return False
        return None
    if isinstance(proper, AnyType):
        return None
    if isinstance(proper, Instance):
        if mocktypes.decode(proper) is not None:
            return False  # no mock object is awaitable (only an AsyncMock's call is)
        info = proper.type
        if info.fallback_to_any:
            return None
        return info.get("__await__") is not None
    return None

