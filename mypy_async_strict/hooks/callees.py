"""Hooks on calls of real (non-mock) functions and methods whose value is async-sided.

mypy asks the plugin for a hook for every call; only callees declared to return a coroutine, an
async-only or sync-only context manager, or an async-only iterable get one (a cheap lookup of
the callee's declaration).  Plugins are chained first-hook-wins, so mypy's own default hooks for
the same callee are applied first, inside ours.
"""

from __future__ import annotations

from typing import Callable

from mypy.nodes import (
    CallExpr,
    Context,
    Decorator,
    FuncDef,
    OverloadedFuncDef,
    SymbolNode,
    TypeInfo,
)
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext, Plugin
from mypy.plugins.default import DefaultPlugin
from mypy.types import CallableType, Instance, Overloaded, Type, get_proper_type

from mypy_async_strict.checks.handoff_uses import check_handoff_uses
from mypy_async_strict.checks.misuse import check_use, shape_of
from mypy_async_strict.checks.returns import check_coroutine_return
from mypy_async_strict.compat import unannotated_coroutine_call
from mypy_async_strict.knowledge.certainty import patched_here
from mypy_async_strict.knowledge.provenance import ScanCache
from mypy_async_strict.safety import default_function_type, default_method_type, degrade_to, quietly

FunctionHook = Callable[[FunctionContext], Type]
MethodHook = Callable[[MethodContext], Type]


class CallHooks:
    def __init__(self, plugin: Plugin, cache: ScanCache) -> None:
        self._plugin = plugin
        self._cache = cache
        self._mypy_default = DefaultPlugin(plugin.options)
        self._function = degrade_to(default_function_type)(self._check_function)
        self._method = degrade_to(default_method_type)(self._check_method)
        # Calls of an unannotated `async def` (mypy before 2.3 types them `Any`).
        self._unannotated_function = degrade_to(default_function_type)(
            lambda ctx: self._check_function(ctx, None, unannotated=True)
        )
        self._unannotated_method = degrade_to(default_method_type)(
            lambda ctx: self._check_method(ctx, None, unannotated=True)
        )

    def mypy_function_hook(self, fullname: str) -> FunctionHook | None:
        """mypy's own hook for the name (the plugin's hooks replace it: first hook wins)."""
        return self._mypy_default.get_function_hook(fullname)

    def mypy_method_hook(self, fullname: str) -> MethodHook | None:
        return self._mypy_default.get_method_hook(fullname)

    def function_hook(self, fullname: str) -> FunctionHook | None:
        node = self._lookup(fullname)
        if not self._returns_async_sided(node):
            return None
        inner = self._mypy_default.get_function_hook(fullname)
        unannotated = _makes_unannotated_coroutine(node)
        if inner is None:
            return self._unannotated_function if unannotated else self._function
        return degrade_to(default_function_type)(lambda ctx: self._check_function(ctx, inner, unannotated))

    def method_hook(self, fullname: str) -> MethodHook | None:
        owner, _, name = fullname.rpartition(".")
        if name.startswith("__"):
            return None  # dunders are called by statements and operators, not by calls
        info = self._lookup(owner)
        if not isinstance(info, TypeInfo):
            return None
        symbol = info.get(name)
        if symbol is None or not self._returns_async_sided(symbol.node):
            return None
        inner = self._mypy_default.get_method_hook(fullname)
        unannotated = _makes_unannotated_coroutine(symbol.node)
        if inner is None:
            return self._unannotated_method if unannotated else self._method
        return degrade_to(default_method_type)(lambda ctx: self._check_method(ctx, inner, unannotated))

    def _check_function(
        self, ctx: FunctionContext, inner: FunctionHook | None = None, unannotated: bool = False
    ) -> Type:
        result = inner(ctx) if inner is not None else ctx.default_return_type
        return self._check_call(ctx.api, ctx.context, result, unannotated)

    def _check_method(
        self, ctx: MethodContext, inner: MethodHook | None = None, unannotated: bool = False
    ) -> Type:
        result = inner(ctx) if inner is not None else ctx.default_return_type
        return self._check_call(ctx.api, ctx.context, result, unannotated)

    def _check_call(self, api: CheckerPluginInterface, call: Context, result: Type, unannotated: bool) -> Type:
        """Check the call; a call of an unannotated `async def` that mypy 1.x typed `Any` is
        checked as the coroutine it makes, and keeps mypy's type unless a misuse was reported."""
        coroutine = unannotated_coroutine_call(api, result) if unannotated else None
        if coroutine is None:
            return self._check(api, call, result)
        checked = self._check(api, call, coroutine)
        return result if checked is coroutine else checked

    def _check(self, api: CheckerPluginInterface, call: Context, result: Type) -> Type:
        if getattr(api, "can_skip_diagnostics", False):
            return result  # a module whose errors are not shown (silenced, ignored): nothing to say

        # Not where the module patches a function of that name: the call may reach a stand-in.
        def patched() -> bool:
            return patched_here(api, self._cache, call)

        check_coroutine_return(api, self._cache, call, result, unless=patched)
        if isinstance(call, CallExpr):
            quietly(lambda: check_handoff_uses(api, self._cache, call, unless=patched))
        return check_use(api, self._cache, call, result, unless=patched)

    def _lookup(self, fullname: str) -> SymbolNode | None:
        try:
            symbol = self._plugin.lookup_fully_qualified(fullname)
        except (AssertionError, KeyError):
            return None
        return symbol.node if symbol is not None else None

    def _returns_async_sided(self, node: SymbolNode | None) -> bool:
        if _is_unannotated_async_def(node):
            return True  # an unannotated `async def`: its calls are coroutines all the same
        if isinstance(node, TypeInfo):
            return shape_of(Instance(node, [])) is not None
        callable_type = _declared_type(node)
        if isinstance(callable_type, CallableType):
            return shape_of(callable_type.ret_type) is not None
        if isinstance(callable_type, Overloaded):
            return any(shape_of(item.ret_type) is not None for item in callable_type.items)
        return False


def _is_unannotated_async_def(node: SymbolNode | None) -> bool:
    return isinstance(node, FuncDef) and node.is_coroutine and node.type is None


def _makes_unannotated_coroutine(node: SymbolNode | None) -> bool:
    """An unannotated `async def` that is not an async generator: its calls are coroutines."""
    return _is_unannotated_async_def(node) and not getattr(node, "is_async_generator", False)


def _declared_type(node: SymbolNode | None) -> object:
    if isinstance(node, Decorator):
        return get_proper_type(node.var.type) if node.var.type is not None else None
    if isinstance(node, (FuncDef, OverloadedFuncDef)) and node.type is not None:
        return get_proper_type(node.type)
    return None
