"""What a spec class's module says about it beyond the class body (for `mock-spec`)."""

from __future__ import annotations

from mypy.nodes import MypyFile, TypeInfo
from mypy.plugin import CheckerPluginInterface

from mypy_async_strict.specs.classfacts import ANY_NAME, installed, recorded


class ModuleClassSource:
    """`members.ClassSource` read from the modules of the build."""

    def __init__(self, api: CheckerPluginInterface) -> None:
        self._api = api

    def from_stub(self, info: TypeInfo) -> bool:
        """Stubs, and installed libraries (which set class attributes from other modules, as
        SQLAlchemy's event machinery does), do not say everything `dir(cls)` holds."""
        for klass in info.mro[:-1]:
            module = self._module(klass)
            if module is None or module.is_stub or installed(module.path):
                return True
        return False

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


__all__ = ["ModuleClassSource", "installed"]
