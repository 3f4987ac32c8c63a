"""The plugin class: nothing but dispatch on exact fullnames.  The work lives in one module per
concern (constructors, children, awaits)."""

from __future__ import annotations

from typing import Any, Callable, Final

from mypy.nodes import (
    CallExpr,
    Decorator,
    FuncDef,
    Import,
    ImportAll,
    ImportFrom,
    MypyFile,
    RefExpr,
)
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
from mypy_async_strict.checks.coroutines import MapHook
from mypy_async_strict.checks.configure_keys import ConfigureKeys
from mypy_async_strict.checks.mismatch import MismatchChecks
from mypy_async_strict.checks.misuse import check_use
from mypy_async_strict.checks.mock_await import AwaitHooks
from mypy_async_strict.checks.patch_targets import PatchTargets
from mypy_async_strict.checks.protocols import ProtocolHooks
from mypy_async_strict.checks.spec_attributes import SpecSetWrites
from mypy_async_strict.hooks.async_apis import AsyncApiHooks
from mypy_async_strict.hooks.callees import CallHooks
from mypy_async_strict.hooks.children import ChildHooks
from mypy_async_strict.hooks.constructors import (
    create_autospec_hook,
    mock_constructor_hook,
    mocker_class_attribute_hook,
)
from mypy_async_strict.hooks.entered import EnteredHooks
from mypy_async_strict.hooks.fixture_parameters import (
    IMPORT_FUNCTION,
    MOCKER_PARAMETER,
    FixtureParameters,
    mark_tests,
)
from mypy_async_strict.hooks.patched_calls import PatchedCalls
from mypy_async_strict.hooks.patches import (
    mocker_patch_hook,
    mocker_patch_object_hook,
    patch_hook,
    patch_object_hook,
)
from mypy_async_strict.hooks.spies import async_stub_hook, spy_hook, stub_hook
from mypy_async_strict.knowledge.dependencies import Dependencies
from mypy_async_strict.knowledge.provenance import ScanCache
from mypy_async_strict.knowledge.pytest_fixtures import (
    FIXTURE_FUNCTIONS,
    FIXTURE_MARKER_CALL,
    conftest_modules,
    is_test_module,
    record_fixture,
)
from mypy_async_strict.knowledge.values import settled
from mypy_async_strict.model.rules import Kind
from mypy_async_strict.safety import default_function_type, default_method_type, degrade_to, followed_by, quietly
from mypy_async_strict.specs.classfacts import ClassFactsRecorder

# Modules whose importers may create mocks: they get the annotation module as a dependency.
MOCK_IMPORTS: Final = frozenset({"unittest", "unittest.mock", "pytest_mock", "mypy_async_strict"})
ANNOTATIONS_DEPENDENCY: Final = (10, fullnames.ANNOTATIONS_MODULE, -1)
PRI_CONFTEST: Final = 10
# mocker methods that read an attribute of their first argument (or of the module it names).
MOCKER_OWNER_READERS: Final = frozenset(
    {fullnames.MOCKER_PATCH_OBJECT, fullnames.MOCKER_PATCH_CALL, fullnames.MOCKER_SPY}
)


class AsyncStrictPlugin(Plugin):
    def __init__(self, options: Options, annotations_found: bool = True) -> None:
        super().__init__(options)
        cache = ScanCache()
        self._children = ChildHooks(cache)
        self._awaits = AwaitHooks(cache)
        self._protocols = ProtocolHooks(cache)
        self._calls = CallHooks(self, cache)
        self._class_facts = ClassFactsRecorder()
        self._dependencies = deps = Dependencies(options)
        self._map = MapHook(cache)
        self._async_apis = AsyncApiHooks(cache)
        self._entered = EnteredHooks(self, cache)
        mismatches = MismatchChecks(cache)
        spec_writes = SpecSetWrites(cache)
        keys = ConfigureKeys(cache)
        self._configure_mock = degrade_to(default_method_type)(keys.check_configure)

        def stored(hook: Callable[[Any], Type], *checks: Callable[[Any, Type], None]) -> Callable[[Any], Type]:
            # The checks see the precise mock; the value gets plain mypy's type where stored.
            return settled(followed_by(hook, *checks), cache)

        targets = PatchTargets(cache)
        self._patched_calls = PatchedCalls(self._children)

        def registered(ctx: Any, result: Type) -> None:
            self._patched_calls.register(ctx.api, ctx.context)

        def patcher(hook: Callable[[MethodContext], Type]) -> Callable[[MethodContext], Type]:
            # `async with patch(...)`: a patcher is a sync context manager (checks/misuse.py).
            checked = followed_by(hook, mismatches.check_patch, targets.check, registered)
            return settled(statement_checked(checked, cache), cache)

        self._patch_object = patcher(patch_object_hook)
        self._patch_call = patcher(patch_hook)

        def constructor(kind: Kind) -> Callable[[Any], Type]:
            return stored(
                mock_constructor_hook(kind), mismatches.check_assignment, spec_writes.check, keys.check_constructor
            )

        self._constructors: dict[str, Callable[[FunctionContext], Type]] = {
            name: constructor(kind) for name, kind in fullnames.MOCK_CONSTRUCTORS.items()
        }
        self._constructors[fullnames.CREATE_AUTOSPEC] = stored(create_autospec_hook, spec_writes.check, keys.check_constructor)
        self._mocker_methods: dict[str, Callable[[MethodContext], Type]] = {
            name: constructor(kind) for name, kind in fullnames.MOCKER_CONSTRUCTORS.items()
        }
        self._mocker_methods[fullnames.MOCKER_CREATE_AUTOSPEC] = stored(
            create_autospec_hook, spec_writes.check, keys.check_constructor
        )
        self._mocker_methods[fullnames.MOCKER_PATCH_OBJECT] = stored(
            mocker_patch_object_hook, mismatches.check_patch, targets.check, registered
        )
        self._mocker_methods[fullnames.MOCKER_PATCH_CALL] = stored(
            mocker_patch_hook, mismatches.check_patch, targets.check, registered
        )
        self._mocker_methods[fullnames.MOCKER_SPY] = stored(spy_hook)
        self._mocker_methods[fullnames.MOCKER_STUB] = stored(stub_hook)
        self._mocker_methods[fullnames.MOCKER_ASYNC_STUB] = stored(async_stub_hook)
        self._fixture = degrade_to(_default_type)(_record_fixture)
        self._fixture_parameters = degrade_to(default_function_type)(FixtureParameters(cache, deps).hook)
        self._wrap_for_dependencies(deps)
        # False when mypy cannot import the stubs in this run (entry.py says why).
        self._annotations_found = annotations_found
        self._findable_modules: dict[str, bool] = {}

    def _wrap_for_dependencies(self, deps: Dependencies) -> None:
        """Every hook that reads another module registers a dependency on what it reads (see
        knowledge/dependencies.py): a mock's spec, a patch's or a spy's owner."""
        self._attribute = deps.reading_receiver(self._children.attribute)
        self._return_value = deps.reading_receiver(self._children.return_value)
        self._plain_attribute = deps.reading_injected(self._children.plain_attribute)
        self._call = deps.reading_receiver(self._children.call)
        self._await = deps.reading_receiver(self._awaits.await_)
        self._assertion = deps.reading_receiver(self._children.assertion)
        self._plain_call = deps.reading_injected(self._children.plain_call, callee=True)
        self._magic_call = deps.reading_receiver(self._protocols.call)
        self._configure_mock = deps.reading_receiver(self._configure_mock)
        self._patch_object = deps.reading_owner(self._patch_object)
        self._patch_call = deps.reading_owner(self._patch_call)
        for name, function_hook in self._constructors.items():
            self._constructors[name] = deps.reading_result(function_hook)
        for name, method_hook in self._mocker_methods.items():
            reading = deps.reading_owner if name in MOCKER_OWNER_READERS else deps.reading_result
            self._mocker_methods[name] = reading(method_hook)

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        constructor = self._constructors.get(fullname)
        if constructor is not None:
            return constructor
        if fullname in FIXTURE_FUNCTIONS:
            return self._fixture
        if fullname == IMPORT_FUNCTION:
            return self._fixture_parameters
        if fullname == fullnames.BUILTIN_MAP:
            return self._map.hook
        if fullname in fullnames.ASYNC_API_FUNCTIONS:
            return self._async_apis.hook(fullname, self._calls.function_hook(fullname))
        if fullname == "builtins.len":
            return self._protocols.len
        inner = self._calls.function_hook(fullname)
        if fullname in self._patched_calls.fullnames:  # a call of it may be a call of a mock
            return self._patched_calls.function_hook(fullname, inner or self._calls.mypy_function_hook(fullname))
        return inner

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        if fullname in fullnames.CALL_HOOKS:
            return self._call
        if fullname in fullnames.AWAIT_HOOKS:
            return self._await
        if fullname in fullnames.CALL_ASSERTION_HOOKS:
            return self._assertion
        if fullname in fullnames.PLAIN_MOCK_CALLS:
            return self._plain_call
        if fullname == fullnames.MAGIC_METHOD_CALL:
            return self._magic_call
        if fullname in fullnames.CONFIGURE_MOCK_HOOKS:
            return self._configure_mock
        if fullname == fullnames.PATCH_OBJECT:
            return self._patch_object
        if fullname == fullnames.PATCH_CALL:
            return self._patch_call
        mocker_method = self._mocker_methods.get(fullname)
        if mocker_method is not None:
            return mocker_method
        if fullname == FIXTURE_MARKER_CALL:
            return self._fixture
        if fullname in fullnames.ASYNC_API_METHODS:
            return self._async_apis.hook(fullname, self._calls.method_hook(fullname))
        if fullname.endswith(fullnames.AENTER_SUFFIX):
            return self._entered.method_hook(fullname)
        inner = self._calls.method_hook(fullname)
        if fullname in self._patched_calls.fullnames:
            return self._patched_calls.method_hook(fullname, inner or self._calls.mypy_method_hook(fullname))
        return inner

    def get_customize_class_mro_hook(self, fullname: str) -> Callable[[ClassDefContext], None]:
        return self._class_facts.record  # every class: what its source says about dir(cls)

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        owner, _, name = fullname.rpartition(".")
        if owner == fullnames.SPEC_AWARE and not name.startswith("__"):
            return self._attribute  # dunders are the declared magic-method attributes
        if fullname == fullnames.RETURN_VALUE:
            return self._return_value
        if owner == fullnames.NON_CALLABLE_MOCK and not name.startswith("__"):
            return self._plain_attribute  # a stored mock, or a patch's argument
        if fullname in fullnames.MOCKER_CONSTRUCTORS:
            return mocker_class_attribute_hook
        return None

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        if not self._annotations_found or file.fullname == fullnames.ANNOTATIONS_MODULE:
            return []
        deps = [ANNOTATIONS_DEPENDENCY] if _imports_mocks(file) else []
        if deps:
            # The modules dotted patch targets name, like imports (see knowledge/dependencies.py).
            quietly(lambda: deps.extend(self._dependencies.patch_target_modules(file)))
        if is_test_module(file.path):
            # pytest gives a test module the fixtures of the conftest.py files above it: they
            # are processed first, and a change to them rechecks the test module.
            # (a conftest.py in the package chain is found where the module is)
            deps += [(PRI_CONFTEST, name, -1) for name in conftest_modules(file.fullname, file.path, lambda _: True)]
            deps += [dep for dep in self._mark_tests(file) if dep not in deps]
        return deps

    def _mark_tests(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """Tests whose unannotated parameters pytest fills get the marker statement that types
        them (hooks/fixture_parameters.py); they need the mock annotations, and `mocker`
        pytest-mock's module."""
        marked = mark_tests(file, self._import_function())
        if not marked:
            return []
        deps = [ANNOTATIONS_DEPENDENCY]
        wants_mocker = any(a.variable.name == MOCKER_PARAMETER for test in marked for a in test.arguments)
        if wants_mocker and self._findable(fullnames.MOCKER_MODULE):
            deps.append((PRI_CONFTEST, fullnames.MOCKER_MODULE, -1))
        return deps

    def _mark_whole_tree(self, tree: MypyFile) -> None:
        mark_tests(tree, self._import_function())

    def _import_function(self) -> FuncDef | None:
        """The builtin `__import__` (None before builtins is loaded: semantic analysis binds
        the marker then)."""
        builtins = self._modules.get("builtins") if self._modules else None
        symbol = builtins.names.get("__import__") if builtins is not None else None
        node = symbol.node if symbol is not None else None
        return node if isinstance(node, FuncDef) else None

    def _findable(self, module: str) -> bool:
        found = self._findable_modules.get(module)
        if found is None:
            found = self._findable_modules[module] = _findable(self.options, module)
        return found

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        """Modules the hooks read while checking `file` (dotted patch targets, specs): their
        interface changes invalidate its cache entry."""
        return self._dependencies.indirect(file)

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        # Called as mypy writes a module's interface, before it checks the function bodies: in
        # parallel mode the first moment the plugin sees the worker's whole tree (the marker
        # is added at parse time elsewhere; marking is idempotent).  The fingerprint itself is
        # entry.py's.
        if not ctx.is_check and self._annotations_found and self._modules:
            tree = self._modules.get(ctx.id)
            if tree is not None:
                quietly(lambda: self._mark_whole_tree(tree))
        return None


def _imports_mocks(file: MypyFile) -> bool:
    for node in file.imports:
        if isinstance(node, Import) and any(name in MOCK_IMPORTS for name, _ in node.ids):
            return True
        if isinstance(node, (ImportFrom, ImportAll)) and node.id in MOCK_IMPORTS:
            return True
    return False


def _findable(options: Options, module: str) -> bool:
    """Whether mypy would find `module` (a dependency the plugin adds must not be missing)."""
    from mypy.build import default_data_dir
    from mypy.modulefinder import FindModuleCache, compute_search_paths

    try:
        search_paths = compute_search_paths([], options, default_data_dir())
        return isinstance(FindModuleCache(search_paths, None, options).find_module(module), str)
    except Exception:
        return False


def statement_checked(hook: Callable[[MethodContext], Type], cache: ScanCache) -> Callable[[MethodContext], Type]:
    """The hook, then the check of the statement around the call (`async with`, `for`)."""

    def run(ctx: MethodContext) -> Type:
        result = hook(ctx)
        if result is ctx.default_return_type:
            return result
        return check_use(ctx.api, cache, ctx.context, result)

    return run


def _default_type(ctx: FunctionContext | MethodContext) -> Type:
    return ctx.default_return_type


def _record_fixture(ctx: FunctionContext | MethodContext) -> Type:
    """`@pytest.fixture` applied to a function: record what the fixture gives."""
    decorator = ctx.context
    if isinstance(decorator, Decorator):
        marker = next(
            (d for d in decorator.decorators if isinstance(d, CallExpr) and _is_fixture_call(d)), None
        )
        record_fixture(ctx.api, decorator, marker)
    return ctx.default_return_type


def _is_fixture_call(call: CallExpr) -> bool:
    callee = call.callee
    return isinstance(callee, RefExpr) and callee.fullname in FIXTURE_FUNCTIONS
