"""Types for mock constructors: `MagicMock(spec=C)`, `AsyncMock()`, `create_autospec(C)`, ..."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    CallExpr,
    DictExpr,
    Expression,
    FuncDef,
    MemberExpr,
    NameExpr,
    RefExpr,
    TypeInfo,
)
from mypy.plugin import (
    AttributeContext,
    CheckerPluginInterface,
    FunctionContext,
    MethodContext,
)
from mypy.types import AnyType, Instance, Type, TypeOfAny, TypeType, get_proper_type
from mypy.typevars import fill_typevars_with_any

from mypy_async_strict import fullnames
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.rules import (
    Kind,
    MockState,
    SpecMode,
    Target,
    instance_state,
    kind_for_function_spec,
)
from mypy_async_strict.safety import degrade_to
from mypy_async_strict.specs.arguments import SpecInfo, analyze_spec, names_spec
from mypy_async_strict.specs.members import instances_callable


@dataclass(frozen=True)
class _Arguments:
    """A constructor call's arguments by name, when they can be read statically."""

    by_name: dict[str, Expression]
    types: dict[int, Type]  # id(argument expression) -> its type

    def type_of(self, expr: Expression) -> Type | None:
        return self.types.get(id(expr))


CallContext = Union[FunctionContext, MethodContext]  # mock classes, or `mocker.MagicMock(...)`


def _default(ctx: CallContext) -> Type:
    return ctx.default_return_type


def mock_constructor_hook(kind: Kind) -> Callable[[CallContext], Type]:
    @degrade_to(_default)
    def hook(ctx: CallContext) -> Type:
        arguments = _read_arguments(ctx, positional=("spec",))
        if arguments is None:
            return ctx.default_return_type
        state_and_type = _names_state(kind, arguments, ctx.api) or _mock_state(kind, arguments)
        if state_and_type is None:
            return ctx.default_return_type
        encoded = mocktypes.encode(ctx.api, *state_and_type)
        return encoded if encoded is not None else ctx.default_return_type

    return hook


@degrade_to(_default)
def create_autospec_hook(ctx: CallContext) -> Type:
    arguments = _read_arguments(ctx, positional=("spec", "spec_set", "instance"))
    encoded = _autospec_from(ctx.api, arguments) if arguments is not None else None
    return encoded if encoded is not None else ctx.default_return_type


def _autospec_from(api: CheckerPluginInterface, arguments: _Arguments) -> Type | None:
    if "spec" not in arguments.by_name:
        return None
    spec_expr = arguments.by_name["spec"]
    spec_type = arguments.type_of(spec_expr)
    spec_set = _literal_bool(arguments.by_name.get("spec_set"))
    instance = _literal_bool(arguments.by_name.get("instance"))
    if spec_type is None or spec_set is None or instance is None:
        return None
    spec = analyze_spec(spec_expr, spec_type)
    if spec is None or spec.from_instance:
        return None
    mode = SpecMode.AUTOSPEC_SET if spec_set else SpecMode.AUTOSPEC
    result = _autospec_state(spec, mode, instance)
    return mocktypes.encode(api, *result) if result is not None else None


def _names_state(
    kind: Kind, arguments: _Arguments, api: CheckerPluginInterface
) -> tuple[MockState, Type | None] | None:
    """`MagicMock(spec=["get", "close"])`: only those names, every child an unspecced sync mock."""
    is_set = "spec_set" in arguments.by_name
    spec_expr = arguments.by_name.get("spec_set", arguments.by_name.get("spec"))
    names = names_spec(spec_expr) if spec_expr is not None else None
    if names is None:
        return None
    mode = SpecMode.NAMES_SET if is_set else SpecMode.NAMES
    return MockState(kind, mode, Target.NAMES), mocktypes.encode_names(names, api)


def added_spec_state(
    api: CheckerPluginInterface, kind: Kind, call: CallExpr
) -> tuple[MockState, Type | None] | None:
    """What `m.mock_add_spec(spec, spec_set=False)` makes of a mock of `kind` from then on: the
    spec as a constructor's (a class, an instance, a list of names, or None for none).  A
    function spec is not modelled (`mock_add_spec` does not make the mock's calls async)."""
    by_name: dict[str, Expression] = {}
    for position, (name, arg_kind, arg) in enumerate(zip(call.arg_names, call.arg_kinds, call.args)):
        if arg_kind == ARG_POS and position < 2:
            by_name[("spec", "spec_set")[position]] = arg
        elif arg_kind == ARG_NAMED and name in ("spec", "spec_set"):
            by_name[name] = arg
        else:
            return None
    spec_expr = by_name.get("spec")
    spec_set = _literal_bool(by_name.get("spec_set"))
    if spec_expr is None or spec_set is None:
        return None
    if isinstance(spec_expr, NameExpr) and spec_expr.fullname == "builtins.None":
        return MockState(kind, SpecMode.NONE, Target.NOTHING), None
    lookup = getattr(api, "lookup_type_or_none", None)
    spec_type = lookup(spec_expr) if lookup is not None else None
    if spec_type is None:
        return None
    arguments = _Arguments({"spec_set" if spec_set else "spec": spec_expr}, {id(spec_expr): spec_type})
    names = _names_state(kind, arguments, api)
    if names is not None:
        return names
    state = _mock_state(kind, arguments)
    if state is None or state[0].target is Target.FUNCTION:
        return None
    return state


def _mock_state(kind: Kind, arguments: _Arguments) -> tuple[MockState, Type | None] | None:
    spec_expr = arguments.by_name.get("spec_set", arguments.by_name.get("spec"))
    if spec_expr is None:
        return MockState(kind, SpecMode.NONE, Target.NOTHING), None
    spec_type = arguments.type_of(spec_expr)
    if spec_type is None:
        return None
    spec = analyze_spec(spec_expr, spec_type)
    if spec is None:
        return None
    is_set = "spec_set" in arguments.by_name
    if spec.target is Target.FUNCTION:
        mode = SpecMode.SPEC_SET if is_set else SpecMode.SPEC
        return MockState(kind_for_function_spec(kind, spec.is_coroutine_function), mode, Target.FUNCTION), spec.stands_for
    if spec.from_instance:
        mode = SpecMode.INSTANCE_SPEC_SET if is_set else SpecMode.INSTANCE_SPEC
    else:
        mode = SpecMode.SPEC_SET if is_set else SpecMode.SPEC
    return MockState(kind, mode, Target.INSTANCE), spec.stands_for


def _autospec_state(spec: SpecInfo, mode: SpecMode, instance: bool) -> tuple[MockState, Type | None] | None:
    if spec.target is Target.FUNCTION:
        if instance:
            return None
        kind = Kind.ASYNC_MOCK if spec.is_coroutine_function else Kind.MAGIC_MOCK
        return MockState(kind, mode, Target.FUNCTION), spec.stands_for
    if instance:
        callable_instances = _instances_callable(spec.stands_for)
        if callable_instances is None:
            return None
        return instance_state(MockState(Kind.MAGIC_MOCK, mode, Target.CLASS), callable_instances), spec.stands_for
    return MockState(Kind.MAGIC_MOCK, mode, Target.CLASS), TypeType.make_normalized(spec.stands_for)


def _instances_callable(stands_for: Type) -> bool | None:
    proper = get_proper_type(stands_for)
    return instances_callable(proper.type) if isinstance(proper, Instance) else None


def _read_arguments(ctx: CallContext, positional: tuple[str, ...]) -> _Arguments | None:
    types: dict[int, Type] = {}
    for formal_args, formal_types in zip(ctx.args, ctx.arg_types):
        for arg, typ in zip(formal_args, formal_types):
            types[id(arg)] = typ
    return _arguments_of(ctx.context, positional, types)


def _arguments_of(call: object, positional: tuple[str, ...], types: dict[int, Type]) -> _Arguments | None:
    if not isinstance(call, CallExpr):
        return None
    by_name: dict[str, Expression] = {}
    position = 0
    for name, kind, arg in zip(call.arg_names, call.arg_kinds, call.args):
        if kind == ARG_POS:
            if position >= len(positional):
                return None
            by_name[positional[position]] = arg
            position += 1
        elif kind == ARG_NAMED and name is not None:
            by_name[name] = arg
        elif kind == ARG_STAR2 and isinstance(arg, DictExpr):
            continue  # **{"a.return_value": 1}: configuration, read by provenance
        elif kind in (ARG_STAR, ARG_STAR2):
            return None  # forwarded arguments: the spec may hide in them
    return _Arguments(by_name, types)


def syntactic_mock(api: CheckerPluginInterface, call: CallExpr) -> Type | None:
    """The mock a constructor call makes, read from its syntax and the symbol tables alone (a
    pytest fixture's body is not type-checked yet when its decorator is applied): a spec must
    name a class or a function directly."""
    callee = call.callee
    fullname = callee.fullname if isinstance(callee, RefExpr) else None
    name = callee.name if isinstance(callee, MemberExpr) else None
    types = {id(arg): typ for arg in call.args if (typ := _named_type(arg)) is not None}
    if fullname in fullnames.MOCK_CONSTRUCTORS or (name is not None and fullnames.MOCKER_PREFIX + name in fullnames.MOCKER_CONSTRUCTORS and _on_mocker(callee)):
        kind = fullnames.MOCK_CONSTRUCTORS.get(fullname or "") or fullnames.MOCKER_CONSTRUCTORS[fullnames.MOCKER_PREFIX + (name or "")]
        arguments = _arguments_of(call, ("spec",), types)
        state = _mock_state(kind, arguments) if arguments is not None else None
        return mocktypes.encode(api, *state) if state is not None else None
    if fullname == fullnames.CREATE_AUTOSPEC or (name == "create_autospec" and _on_mocker(callee)):
        arguments = _arguments_of(call, ("spec", "spec_set", "instance"), types)
        return _autospec_from(api, arguments) if arguments is not None else None
    return None


def _on_mocker(callee: Expression) -> bool:
    return isinstance(callee, MemberExpr) and isinstance(callee.expr, NameExpr) and callee.expr.name == "mocker"


def _named_type(expr: Expression) -> Type | None:
    """The type of a spec named directly: a class (`spec=C`) or a plain function."""
    node = expr.node if isinstance(expr, RefExpr) else None
    if isinstance(node, TypeInfo):
        instance = fill_typevars_with_any(node)
        return TypeType.make_normalized(instance) if isinstance(instance, Instance) else None
    if isinstance(node, FuncDef) and node.type is not None:
        return node.type
    if isinstance(expr, NameExpr) and expr.fullname in ("builtins.True", "builtins.False"):
        return AnyType(TypeOfAny.special_form)
    return None


def _literal_bool(expr: Expression | None) -> bool | None:
    if expr is None:
        return False
    if isinstance(expr, NameExpr) and expr.fullname in ("builtins.True", "builtins.False"):
        return expr.fullname == "builtins.True"
    return None


def mocker_class_attribute_hook(ctx: AttributeContext) -> Type:
    """`mocker.MagicMock` is `unittest.mock.MagicMock` (pytest-mock leaves it untyped)."""
    if not isinstance(ctx.context, MemberExpr):
        return ctx.default_attr_type
    name = f"{fullnames.MOCK_MODULE}.{ctx.context.name}"
    info = mocktypes.class_info(ctx.api, name)
    if info is None:
        return ctx.default_attr_type
    return TypeType(Instance(info, []))
