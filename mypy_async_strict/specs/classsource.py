"""What a spec class's module says about it beyond the class body (for `mock-spec`)."""

from __future__ import annotations

import glob
import os
from typing import Final

from mypy.nodes import MypyFile, TypeInfo
from mypy.plugin import CheckerPluginInterface

from mypy_async_strict.specs.classfacts import ANY_NAME, installed, recorded


class ModuleClassSource:
    """`members.ClassSource` read from the modules of the build."""

    def __init__(self, api: CheckerPluginInterface) -> None:
        self._api = api

    def from_stub(self, info: TypeInfo) -> bool:
        """Whether the class (or a base) is not known from source read in full: a stub, or an
        installed module whose classes may be other than their source says: compiled next to
        it (mypyc's and Cython's classes are their extension module's), or with a hook on
        attribute access (`__getattr__`, `__getattribute__`).  An installed library's source is
        otherwise read like the project's (dynamic bodies, decorators, metaclasses,
        `__init_subclass__` and stores in its module make a class unknown as anywhere)."""
        for klass in info.mro[:-1]:
            module = self._module(klass)
            if module is None or module.is_stub:
                return True
            if installed(module.path) and (
                compiled(module.path) or any(name in klass.names for name in ATTRIBUTE_HOOKS)
            ):
                return True
        return False

    def literal_slots(self, info: TypeInfo) -> frozenset[str] | None:
        """The slot names of a class whose body assigns `__slots__` a literal."""
        facts = recorded(info)
        return facts.literal_slots if facts is not None else None

    def stored_later(self, info: TypeInfo, name: str) -> bool:
        for klass in info.mro[:-1]:
            if self._from_stub_module(klass):
                continue
            facts = recorded(klass)
            if facts is None or name in facts.stored or ANY_NAME in facts.stored:
                return True
        return False

    def dynamic(self, info: TypeInfo) -> bool:
        """A body that runs code or a decorator that may add attributes, in the class or a
        base from source; unknown (no recorded facts) counts as dynamic."""
        for klass in info.mro[:-1]:
            if self._from_stub_module(klass):
                continue  # stub bodies only declare
            facts = recorded(klass)
            if facts is None or facts.dynamic:
                return True
        return False

    def set_on_instances(self, info: TypeInfo, name: str) -> bool:
        for klass in info.mro[:-1]:
            facts = recorded(klass)
            if facts is not None and name in facts.on_instances:
                return True
        return False

    def _from_stub_module(self, info: TypeInfo) -> bool:
        module = self._module(info)
        return module is not None and module.is_stub

    def _module(self, info: TypeInfo) -> MypyFile | None:
        modules = getattr(self._api, "modules", None)
        module = modules.get(info.module_name) if isinstance(modules, dict) else None
        return module if isinstance(module, MypyFile) else None


ATTRIBUTE_HOOKS: Final = ("__getattr__", "__getattribute__")
_COMPILED: dict[str, bool] = {}


def compiled(path: str) -> bool:
    """Whether an extension module sits next to the source (`nodes.cpython-311-...so` next to
    `nodes.py`): the interpreter imports it instead."""
    known = _COMPILED.get(path)
    if known is None:
        stem, _ = os.path.splitext(path)
        pattern = glob.escape(stem)
        known = any(glob.glob(pattern + suffix) for suffix in (".so", ".pyd", ".*.so", ".*.pyd"))
        _COMPILED[path] = known
    return known


__all__ = ["ModuleClassSource", "installed"]
