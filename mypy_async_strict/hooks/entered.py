"""What `async with` binds for classes without annotations: `async def __aenter__(self):
return self` (common in libraries that ship no annotations) gives the instance entered.

mypy types an unannotated `async def` as returning `Coroutine[Any, Any, Any]`, so
`async with Client() as client:` binds `client: Any`, and nothing about `client` is checked
(`if client.is_open():` on an `async def is_open` goes unnoticed).  The body `return self` says
exactly what is entered: the object itself, of whatever class it is (`Self`).  Given only
where the `async with` item is used in place (knowledge/positions.py: the bound name is used in
place too); elsewhere the name stays `Any`, as in plain mypy.  mypy frees a module's syntax
trees once it is checked, so the body is read when the class is analyzed (specs/classfacts.py)
and kept in the class's metadata.
"""

from __future__ import annotations

from typing import Callable

from mypy.nodes import TypeInfo
from mypy.plugin import MethodContext, Plugin
from mypy.server.trigger import WILDCARD_TAG
from mypy.types import AnyType, Instance, Type, TypeOfAny, get_proper_type

from mypy_async_strict.knowledge.dependencies import depend_on
from mypy_async_strict.knowledge.provenance import ScanCache, scopes_of
from mypy_async_strict.safety import degrade_to
from mypy_async_strict.specs.classfacts import aenter_returns_self

MethodHook = Callable[[MethodContext], Type]


def _default(ctx: MethodContext) -> Type:
    return ctx.default_return_type


class EnteredHooks:
    def __init__(self, plugin: Plugin, cache: ScanCache) -> None:
        self._plugin = plugin
        self._cache = cache
        self._hook = degrade_to(_default)(self._entered)

    def method_hook(self, fullname: str) -> MethodHook | None:
        """A hook for `<class>.__aenter__` when it is an unannotated `return self`."""
        owner, _, _ = fullname.rpartition(".")
        try:
            symbol = self._plugin.lookup_fully_qualified(owner)
        except (AssertionError, KeyError):
            return None
        info = symbol.node if symbol is not None else None
        if not isinstance(info, TypeInfo):
            return None
        return self._hook if aenter_returns_self(info) else None

    def _entered(self, ctx: MethodContext) -> Type:
        receiver = get_proper_type(ctx.type)
        item = ctx.context
        if not isinstance(receiver, Instance):
            return ctx.default_return_type
        scopes = scopes_of(ctx.api)
        if not scopes or id(item) not in self._cache.facts(scopes[0]).in_place:
            return ctx.default_return_type  # the bound name is stored: plain mypy's `Any`
        owner = receiver.type.get_containing_type_info("__aenter__")
        if owner is None or not aenter_returns_self(owner):
            return ctx.default_return_type
        # The daemon re-checks this target when the class's recorded facts change.
        depend_on(ctx.api, [owner.fullname, owner.fullname + WILDCARD_TAG])
        any_type = AnyType(TypeOfAny.special_form)
        return ctx.api.named_generic_type("typing.Coroutine", [any_type, any_type, receiver])
