"""mock-unspecced (opt-in): a mock without a spec passed where a class with async methods is
expected.

`service(MagicMock())` where `service(repo: Repo)` and `Repo` has `async def fetch`: the mock's
`fetch` is a MagicMock, so the `await repo.fetch()` inside the service raises TypeError unless the
test set each async method up by hand.  `MagicMock(spec=Repo)` makes them AsyncMocks.

The code is disabled by default.  Only callees whose declared parameters name such a class get a
hook, and only while the code is enabled in the configuration (globally, for some modules, or
in the plugin's own section): with it off, nothing changes.
"""

from __future__ import annotations

from typing import Callable, Final, TypeVar, Union

from mypy.nodes import (
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    OverloadedFuncDef,
    RefExpr,
    SymbolNode,
    TypeInfo,
)
from mypy.plugin import FunctionContext, MethodContext, Plugin
from mypy.plugins.default import DefaultPlugin
from mypy.types import CallableType, Instance, Type, UnionType, get_proper_type

from mypy_async_strict import errorcodes, fullnames
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.rules import Kind, Member, MockState, SpecMode, Target, child_kind
from mypy_async_strict.render import render
from mypy_async_strict.safety import quietly

CODE: Final = errorcodes.MOCK_UNSPECCED
SPEC_KEYWORDS: Final = frozenset({"spec", "spec_set", "autospec", "_spec_class"})
_Ctx = TypeVar("_Ctx", FunctionContext, MethodContext)
Hook = Callable[[_Ctx], Type]
Params = dict[str, TypeInfo]  # parameter name -> the class with async methods it expects


class UnspeccedMocks:
    def __init__(self, plugin: Plugin) -> None:
        self._plugin = plugin
        self._mypy_default = DefaultPlugin(plugin.options)
        self._params: dict[str, Params] = {}
        self._async_classes: dict[str, tuple[str, ...]] = {}

    def around_function(self, fullname: str, hook: Hook[FunctionContext] | None) -> Hook[FunctionContext] | None:
        params = self._callee_params(fullname, method=False)
        if not params:
            return hook
        inner = hook or self._mypy_default.get_function_hook(fullname)
        return self._checked(params, fullname, inner)

    def around_method(self, fullname: str, hook: Hook[MethodContext] | None) -> Hook[MethodContext] | None:
        params = self._callee_params(fullname, method=True)
        if not params:
            return hook
        inner = hook or self._mypy_default.get_method_hook(fullname)
        return self._checked(params, fullname, inner)

    def _checked(self, params: Params, fullname: str, inner: Hook[_Ctx] | None) -> Hook[_Ctx]:
        def hook(ctx: _Ctx) -> Type:
            result = inner(ctx) if inner is not None else ctx.default_return_type
            quietly(lambda: self._check(ctx, params, fullname), ctx)
            return result

        return hook

    def _check(self, ctx: Union[FunctionContext, MethodContext], params: Params, fullname: str) -> None:
        if CODE not in ctx.api.options.enabled_error_codes:
            return
        for index, name in enumerate(ctx.callee_arg_names):
            info = params.get(name) if name is not None else None
            if name is None or info is None or index >= len(ctx.args):
                continue
            for arg, arg_type in zip(ctx.args[index], ctx.arg_types[index]):
                state = _unspecced(arg, arg_type)
                if state is not None:
                    _report(ctx, arg, state, name, info, self._async_methods(info), fullname)

    def _callee_params(self, fullname: str, *, method: bool) -> Params:
        cached = self._params.get(fullname)
        if cached is None:
            cached = self._params[fullname] = self._find_params(fullname, method)
        return cached

    def _find_params(self, fullname: str, method: bool) -> Params:
        node: SymbolNode | None
        if method:
            owner, _, name = fullname.rpartition(".")
            info = self._lookup(owner)
            symbol = info.get(name) if isinstance(info, TypeInfo) else None
            node = symbol.node if symbol is not None else None
        else:
            node = self._lookup(fullname)
            if isinstance(node, TypeInfo):  # a class called: its __init__
                symbol = node.get("__init__")
                node = symbol.node if symbol is not None else None
        if isinstance(node, Decorator):
            node = node.func if not node.decorators else None  # a decorator may change the signature
        if not isinstance(node, FuncDef) or isinstance(node, OverloadedFuncDef):
            return {}
        signature = node.type
        if not isinstance(signature, CallableType):
            return {}
        params: Params = {}
        for param, declared in zip(signature.arg_names, signature.arg_types):
            info = self._async_class(declared)
            if param is not None and info is not None:
                params[param] = info
        return params

    def _lookup(self, fullname: str) -> SymbolNode | None:
        try:
            symbol = self._plugin.lookup_fully_qualified(fullname)
        except (AssertionError, KeyError):
            return None
        return symbol.node if symbol is not None else None

    def _async_class(self, declared: Type) -> TypeInfo | None:
        proper = get_proper_type(declared)
        items = proper.items if isinstance(proper, UnionType) else [proper]  # Optional[Repo] too
        for item in items:
            item = get_proper_type(item)
            if isinstance(item, Instance) and self._async_methods(item.type):
                return item.type
        return None

    def _async_methods(self, info: TypeInfo) -> tuple[str, ...]:
        """The `async def` methods of a class and its bases (not object's), sorted."""
        cached = self._async_classes.get(info.fullname)
        if cached is None:
            names = set()
            for base in info.mro:
                if base.fullname == "builtins.object":
                    continue
                for name, symbol in base.names.items():
                    node = symbol.node
                    func = node.func if isinstance(node, Decorator) else node
                    if isinstance(func, FuncDef) and func.is_coroutine and not func.is_async_generator:
                        names.add(name)
            cached = self._async_classes[info.fullname] = tuple(sorted(names))
        return cached


def _unspecced(arg: Expression, arg_type: Type) -> MockState | None:
    """The mock an argument certainly is, when it has no spec: from its type, or, where the
    argument keeps plain mypy's type, from the constructor call itself (`MagicMock()`)."""
    mock = mocktypes.decode(arg_type)
    if mock is not None:
        return mock.state if mock.state.mode is SpecMode.NONE else None
    if not isinstance(arg, CallExpr) or not isinstance(arg.callee, RefExpr):
        return None
    kind = fullnames.MOCK_CONSTRUCTORS.get(arg.callee.fullname)
    if kind is None or any(name is None or name in SPEC_KEYWORDS for name in arg.arg_names):
        return None  # a positional argument is the spec; ** may hold one
    return MockState(kind, SpecMode.NONE, Target.NOTHING)


def _report(
    ctx: Union[FunctionContext, MethodContext],
    arg: Expression,
    mock: MockState,
    param: str,
    info: TypeInfo,
    methods: tuple[str, ...],
    callee: str,
) -> None:
    shown = ", ".join(f'"{name}"' for name in methods[:3]) + (", ..." if len(methods) > 3 else "")
    kind = mock.kind
    child = child_kind(mock, Member.ASYNC_FUNCTION)
    if child is Kind.ASYNC_MOCK:
        effect = f"unless each is set up by hand, its attributes are AsyncMocks, {info.name}'s plain methods included"
    else:
        effect = (
            f"unless each is set up by hand, its methods are {child.value if child else 'mock'}s, "
            "and awaiting their calls raises TypeError"
        )
    error = ctx.api.fail(
        f'"{render(arg)}" has no spec but is passed as "{param}" of "{callee.rpartition(".")[2]}", '
        f'which expects "{info.name}" (async methods: {shown}): {effect}',
        arg,
        code=CODE,
    )
    ctx.api.msg.note(
        f"Give it a spec: {kind.value}(spec={info.name}) or create_autospec({info.name}, instance=True)",
        arg,
        code=CODE,
        parent_error=error,
    )
