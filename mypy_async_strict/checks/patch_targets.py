"""`mock-spec`: a patch of a class attribute the class does not have, without `create=True`.

CPython (`_patch.get_original`): starting the patch (`with`, `.start()`, pytest-mock's
`mocker.patch...`, a decorated test when it runs) looks the attribute up with `getattr` and
raises `AttributeError: <class 'C'> does not have the attribute 'x'` when it is missing and
`create` is false, whatever `new`, `spec` or `autospec` say.

Only classes are judged: what `dir(cls)` holds is known from the class's source (its recorded
facts, as for `mock-spec` reads: not a stub or a dynamic class, nothing stored on it after its
body, no metaclass attribute of that name).  A module's attributes are not: mypy's symbol table
leaves out names defined in branches it considers unreachable (`if not TYPE_CHECKING:`,
version checks), star imports of modules it cannot find, and `globals()` stores, and the
module's own syntax is gone once it is checked (or loaded from the cache).
"""

from __future__ import annotations

import difflib
from typing import Union

from mypy.nodes import CallExpr, MypyFile, TypeInfo, Var
from mypy.plugin import CheckerPluginInterface, MethodContext
from mypy.types import Instance, Type
from mypy.typevars import fill_typevars_with_any

from mypy_async_strict import errorcodes
from mypy_async_strict.knowledge import patches
from mypy_async_strict.knowledge.certainty import failure_expected
from mypy_async_strict.knowledge.lifecycle import ANY_NAME, LIFECYCLES
from mypy_async_strict.knowledge.provenance import ScanCache, scopes_of, through_mocker
from mypy_async_strict.model.mocktypes import class_info
from mypy_async_strict.model.rules import Kind, Member, MockState, SpecMode, Target
from mypy_async_strict.specs.classsource import ModuleClassSource
from mypy_async_strict.specs.members import lookup_member

Owner = Union[MypyFile, TypeInfo]


class PatchTargets:
    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache

    def check(self, ctx: MethodContext, result: Type) -> None:
        """After a patch hook: the patched attribute must exist unless `create` is given."""
        call = ctx.context
        patch = patches.read_patch_call(ctx.api, call)
        if patch is None or not isinstance(call, CallExpr) or not isinstance(patch.owner, TypeInfo):
            return
        if "create" in patch.keywords or not self._started(ctx.api, call):
            return
        if not _certainly_missing(ctx.api, patch.owner, patch.attribute) or self._created_here(ctx.api, patch.attribute):
            return
        if failure_expected(ctx.api, self.cache, call.line):
            return
        message = (
            f'Patching "{patch.target_name}" raises AttributeError when the patch starts: '
            f'{patch.owner.name} has no attribute "{patch.attribute}"'
        )
        error = ctx.api.fail(message, call, code=errorcodes.MOCK_SPEC)
        ctx.api.msg.note(_hint(patch.owner, patch.attribute), call, code=errorcodes.MOCK_SPEC, parent_error=error)

    def _started(self, api: CheckerPluginInterface, call: CallExpr) -> bool:
        """A `with` item, `patch...(...).start()`, or pytest-mock's (which start at once)."""
        if through_mocker(call):
            return True
        scopes = scopes_of(api)
        if not scopes:
            return False
        if id(call) in self.cache.facts(scopes[0]).with_items:
            return True
        scope = scopes[0]
        return id(call) in LIFECYCLES.facts(scope).started

    def _created_here(self, api: CheckerPluginInterface, name: str) -> bool:
        """The test module may create the attribute itself (`C.name = ...`, a patch with
        `create=`, `setattr`)."""
        scopes = scopes_of(api)
        module = scopes[-1] if scopes else None
        if not isinstance(module, MypyFile):
            return True
        created = LIFECYCLES.facts(module).created
        return name in created or ANY_NAME in created


def _certainly_missing(api: CheckerPluginInterface, info: TypeInfo, name: str) -> bool:
    if name.startswith("__"):
        return False
    metaclass = class_info(api, "builtins.type")
    if metaclass is None or metaclass.get(name) is not None:
        return False  # getattr on a class finds its metaclass's attributes too (`mro`)
    instance = fill_typevars_with_any(info)
    if not isinstance(instance, Instance):
        return False
    state = MockState(Kind.MAGIC_MOCK, SpecMode.SPEC, Target.INSTANCE)
    return lookup_member(state, instance, name, ModuleClassSource(api)).nature is Member.MISSING


def _hint(info: TypeInfo, name: str) -> str:
    symbol = info.get(name)
    if symbol is not None and isinstance(symbol.node, Var):
        return f'"{name}" is an instance attribute: patch it on an instance, or pass create=True'
    names = [n for klass in info.mro[:-1] for n in klass.names if not n.startswith("_")]
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f'Did you mean "{close[0]}"? (create=True adds a missing attribute)'
    return f'Pass create=True to add "{name}" for the test, or patch an attribute {info.name} has'

