"""What a spec class's module says about it beyond the class body (for `mock-spec`)."""

from __future__ import annotations

from mypy.nodes import MypyFile, TypeInfo
from mypy.plugin import CheckerPluginInterface

from mypy_async_strict.provenance import ScanCache


class ModuleClassSource:
    """`members.ClassSource` read from the modules of the build."""

    def __init__(self, api: CheckerPluginInterface, cache: ScanCache) -> None:
        self._api = api
        self._cache = cache

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
            module = self._module(klass)
            if module is None:
                return True
            stores = self._cache.facts(module).class_stores
            if {(klass.fullname, name), (klass.fullname, "*"), ("cls", name)} & stores:
                return True
        return False

    def _module(self, info: TypeInfo) -> MypyFile | None:
        modules = getattr(self._api, "modules", None)
        module = modules.get(info.module_name) if isinstance(modules, dict) else None
        return module if isinstance(module, MypyFile) else None


def installed(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    return "site-packages" in parts or "dist-packages" in parts
