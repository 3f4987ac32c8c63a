"""The plugin class: nothing but dispatch on exact fullnames.  The work lives in one module per
concern (constructors, children, awaits)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Callable, Final

from mypy.nodes import Import, ImportAll, ImportFrom, MypyFile
from mypy.options import Options
from mypy.plugin import (
    AttributeContext,
    ClassDefContext,
    FunctionContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import Type

from mypy_async_strict import fullnames
from mypy_async_strict.checks.mismatch import MismatchChecks
from mypy_async_strict.checks.mock_await import AwaitHooks
from mypy_async_strict.checks.protocols import ProtocolHooks
from mypy_async_strict.checks.spec_attributes import SpecSetWrites
from mypy_async_strict.hooks.callees import CallHooks
from mypy_async_strict.hooks.children import ChildHooks
from mypy_async_strict.hooks.constructors import (
    create_autospec_hook,
    mock_constructor_hook,
    mocker_class_attribute_hook,
)
from mypy_async_strict.hooks.patches import (
    mocker_patch_hook,
    mocker_patch_object_hook,
    patch_hook,
    patch_object_hook,
)
from mypy_async_strict.hooks.spies import async_stub_hook, spy_hook, stub_hook
from mypy_async_strict.knowledge.provenance import ScanCache
from mypy_async_strict.model.rules import Kind
from mypy_async_strict.safety import followed_by
from mypy_async_strict.specs.classfacts import ClassFactsRecorder

# Modules whose importers may create mocks: they get the annotation module as a dependency.
MOCK_IMPORTS: Final = frozenset({"unittest", "unittest.mock", "pytest_mock", "mypy_async_strict"})
ANNOTATIONS_DEPENDENCY: Final = (10, fullnames.ANNOTATIONS_MODULE, -1)


class AsyncStrictPlugin(Plugin):
    def __init__(self, options: Options) -> None:
        super().__init__(options)
        cache = ScanCache()
        self._children = ChildHooks(cache)
        self._awaits = AwaitHooks(cache)
        self._protocols = ProtocolHooks(cache)
        self._calls = CallHooks(self, cache)
        self._class_facts = ClassFactsRecorder()
        mismatches = MismatchChecks(cache)
        spec_writes = SpecSetWrites(cache)
        self._patch_object = followed_by(patch_object_hook, mismatches.check_patch)
        self._patch_call = followed_by(patch_hook, mismatches.check_patch)
        def constructor(kind: Kind) -> Callable[[Any], Type]:
            return followed_by(mock_constructor_hook(kind), mismatches.check_assignment, spec_writes.check)

        self._constructors: dict[str, Callable[[FunctionContext], Type]] = {
            name: constructor(kind) for name, kind in fullnames.MOCK_CONSTRUCTORS.items()
        }
        self._constructors[fullnames.CREATE_AUTOSPEC] = followed_by(create_autospec_hook, spec_writes.check)
        self._mocker_methods: dict[str, Callable[[MethodContext], Type]] = {
            name: constructor(kind) for name, kind in fullnames.MOCKER_CONSTRUCTORS.items()
        }
        self._mocker_methods[fullnames.MOCKER_CREATE_AUTOSPEC] = followed_by(
            create_autospec_hook, spec_writes.check
        )
        self._mocker_methods[fullnames.MOCKER_PATCH_OBJECT] = followed_by(
            mocker_patch_object_hook, mismatches.check_patch
        )
        self._mocker_methods[fullnames.MOCKER_PATCH_CALL] = followed_by(
            mocker_patch_hook, mismatches.check_patch
        )
        self._mocker_methods[fullnames.MOCKER_SPY] = spy_hook
        self._mocker_methods[fullnames.MOCKER_STUB] = stub_hook
        self._mocker_methods[fullnames.MOCKER_ASYNC_STUB] = async_stub_hook
        self._source_digest = _source_digest()
        # False when mypy cannot import the stubs in this run (entry.py says why).
        self._annotations_found = True

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        constructor = self._constructors.get(fullname)
        if constructor is not None:
            return constructor
        return self._calls.function_hook(fullname)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        if fullname in fullnames.CALL_HOOKS:
            return self._children.call
        if fullname in fullnames.AWAIT_HOOKS:
            return self._awaits.await_
        if fullname in fullnames.CALL_ASSERTION_HOOKS:
            return self._children.assertion
        if fullname in fullnames.PLAIN_MOCK_CALLS:
            return self._children.injected_call
        if fullname == fullnames.MAGIC_METHOD_CALL:
            return self._protocols.call
        if fullname == fullnames.PATCH_OBJECT:
            return self._patch_object
        if fullname == fullnames.PATCH_CALL:
            return self._patch_call
        mocker_method = self._mocker_methods.get(fullname)
        if mocker_method is not None:
            return mocker_method
        return self._calls.method_hook(fullname)

    def get_customize_class_mro_hook(self, fullname: str) -> Callable[[ClassDefContext], None]:
        return self._class_facts.record  # every class: what its source says about dir(cls)

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        owner, _, name = fullname.rpartition(".")
        if owner == fullnames.SPEC_AWARE and not name.startswith("__"):
            return self._children.attribute  # dunders are the declared magic-method attributes
        if fullname == fullnames.RETURN_VALUE:
            return self._children.return_value
        if owner == fullnames.NON_CALLABLE_MOCK and not name.startswith("__"):
            return self._children.injected_attribute  # a plain mock: maybe a patch's argument
        if fullname in fullnames.MOCKER_CONSTRUCTORS:
            return mocker_class_attribute_hook
        return None

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        if not self._annotations_found or file.fullname == fullnames.ANNOTATIONS_MODULE:
            return []
        if _imports_mocks(file):
            return [ANNOTATIONS_DEPENDENCY]
        return []

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        # mypy fingerprints only the entry module; the digest covers the rest of the plugin.
        from mypy_async_strict import __version__

        return {"version": __version__, "source": self._source_digest}


def _imports_mocks(file: MypyFile) -> bool:
    for node in file.imports:
        if isinstance(node, Import) and any(name in MOCK_IMPORTS for name, _ in node.ids):
            return True
        if isinstance(node, (ImportFrom, ImportAll)) and node.id in MOCK_IMPORTS:
            return True
    return False


def _source_digest() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted(path for path in package.rglob("*.py*") if path.suffix in (".py", ".pyi")):
        digest.update(str(source.relative_to(package)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]
