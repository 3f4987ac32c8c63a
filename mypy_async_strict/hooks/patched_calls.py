"""Calls of a patched attribute through its owner, while the patch is in place
(knowledge/patched_refs.py): `pkg.mod.fetch(...)` is a call of the mock `patch("pkg.mod.fetch")`
installed, typed like `m(...)`.

mypy names a call's hook after the callee's definition (`pkg.mod.fetch`, `pkg.mod.Client`,
`pkg.mod.Client.fetch`), and asks for it at every call; the plugin hooks only the names some
patch of the build targets (recorded as the patch calls are checked, before their bodies).
Hooks of other plugins (mypy's default one included) for the same names run first.
"""

from __future__ import annotations

from typing import Callable

from mypy.nodes import CallExpr, MypyFile, TypeInfo
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext
from mypy.types import Type

from mypy_async_strict.hooks.children import ChildHooks
from mypy_async_strict.knowledge import patches
from mypy_async_strict.knowledge.patched_refs import active_patch
from mypy_async_strict.model import mocktypes
from mypy_async_strict.safety import default_function_type, default_method_type, degrade_to

FunctionHook = Callable[[FunctionContext], Type]
MethodHook = Callable[[MethodContext], Type]


class PatchedCalls:
    def __init__(self, children: ChildHooks) -> None:
        self.children = children
        self.fullnames: set[str] = set()  # callee fullnames some patch targets

    def register(self, api: CheckerPluginInterface, call: object) -> None:
        """After a patch hook: the fullnames mypy will ask hooks for, for calls of its target."""
        patch = patches.read_patch_call(api, call)
        if patch is None:
            return
        owner = patch.owner
        if isinstance(owner, MypyFile):
            symbol = owner.names.get(patch.attribute)
            fullname = getattr(symbol.node, "fullname", None) if symbol is not None else None
            if isinstance(fullname, str):
                self.fullnames.add(fullname)
        elif isinstance(owner, TypeInfo):
            defining = owner.get_containing_type_info(patch.attribute)
            if defining is not None:
                self.fullnames.add(f"{defining.fullname}.{patch.attribute}")

    def function_hook(self, fullname: str, inner: FunctionHook | None) -> FunctionHook | None:
        if fullname not in self.fullnames:
            return None
        return degrade_to(default_function_type)(lambda ctx: self._run(ctx, inner(ctx) if inner else None))

    def method_hook(self, fullname: str, inner: MethodHook | None) -> MethodHook | None:
        if fullname not in self.fullnames:
            return None
        return degrade_to(default_method_type)(lambda ctx: self._run(ctx, inner(ctx) if inner else None))

    def _run(self, ctx: FunctionContext | MethodContext, inner: Type | None) -> Type:
        result = inner if inner is not None else ctx.default_return_type
        call = ctx.context
        if not isinstance(call, CallExpr):
            return result
        active = active_patch(ctx.api, call.callee)
        if active is None:
            return result
        installed = patches.installed_mock_type(ctx.api, active.patch)
        mock = mocktypes.decode(installed) if installed is not None else None
        if mock is None:
            return result
        return self.children.call_of(ctx, mock)
