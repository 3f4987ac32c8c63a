"""Set-up fixtures of test classes: `self.session = MagicMock(spec=AsyncSession)` in `setUp`/
`asyncSetUp` (unittest) or `setup_method` (a pytest class), used by a test method (or a
tear-down) as `self.session`.

unittest makes a fresh instance for every test method and runs `setUp`, then `asyncSetUp`
(IsolatedAsyncioTestCase), then the test.  So inside a test method, `self.session` is the mock
its set-up built, changed only by what the set-up did to it afterwards, by helper methods the
test may call, and by the test itself.  Other test methods and tear-downs never run first.

Only the certain layout is modelled: the test class and every base class between it and
unittest's are in the checked module (their bodies are readable), no class in the build derives
from the test class (a subclass's set-up would run instead), neither the test nor the set-ups
are decorated, and exactly one set-up statement, at the top level of `setUp`/`asyncSetUp`,
assigns the attribute a fresh mock.  Every other method counts as a helper the test may call
at any time, except the other tests that no code of the module names (`self.test_x()`,
`"test_x"`, a computed `getattr`): the runner runs each of those on an instance of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Final

from mypy.nodes import (
    CallExpr,
    Decorator,
    Expression,
    FakeInfo,
    FuncDef,
    FuncItem,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    StrExpr,
    SymbolNode,
    TypeInfo,
    Var,
)
from mypy.server.subexpr import get_subexpressions

from mypy_async_strict.knowledge.provenance import (
    Event,
    EventKind,
    Path,
    ScanCache,
    ScopeFacts,
    is_mock_constructor,
)

TEST_CASE: Final = "unittest.case.TestCase"
SET_UP: Final = frozenset({"setUp", "asyncSetUp", "setup_method"})
TEAR_DOWN: Final = frozenset({"tearDown", "asyncTearDown", "teardown_method"})
# Methods that never run before a test method's body (on its instance).
NOT_BEFORE: Final = TEAR_DOWN | frozenset({"doCleanups", "setUpClass", "tearDownClass", "setup_class", "teardown_class", "__init__"})


@dataclass(frozen=True)
class Fixture:
    constructor: CallExpr  # the mock the set-up built (or the object, for `constructs`)
    events: list[Event]  # what set-ups and helpers do to it, rooted at the test's `self`
    setup_self: Var | None = None  # the `self` of the set-up that built it


RootedEvents = Callable[[ScopeFacts], list[Event]]


def setup_fixture(
    module: MypyFile,
    modules: dict[str, MypyFile],
    test: FuncItem,
    self_var: Var,
    attribute: str,
    cache: ScanCache,
    rooted: RootedEvents,
    constructs: Callable[[Expression], bool] = is_mock_constructor,
) -> Fixture | None:
    """The set-up mock at `self.<attribute>` seen from the test method `test`, if certain
    (`constructs` says which set-up values count: fresh mocks, unless asked otherwise)."""
    info = _test_class(module, modules, test, self_var, cache)
    if info is None:
        return None
    definitions: list[tuple[CallExpr, Var]] = []
    events: list[Event] = []
    tearing_down = test.name in TEAR_DOWN
    referenced = _referenced_names(module, cache)
    for method in _methods(info):
        if method is test or not method.arguments:
            continue
        if method.name in NOT_BEFORE and not (tearing_down and method.name in TEAR_DOWN):
            continue
        if _is_test_method(method) and referenced is not None and method.name not in referenced:
            continue  # another test, which nothing calls: the runner runs it on another instance
        facts = cache.facts(method)
        method_self = method.arguments[0].variable
        in_setup = method.name in SET_UP
        for event in rooted(facts):
            if event.path.root is not method_self:
                continue
            if event.path.segments[:1] not in ((), (attribute,)):
                continue
            if event.path.segments == (attribute,) and event.kind is EventKind.REPLACE:
                if not in_setup or not _is_top_level_definition(event, method, constructs):
                    return None
                definitions.append((event.value, method_self))  # type: ignore[arg-type]
                continue
            # Set-up events are in effect before the test; a helper's may run at any time.
            moved = replace(event, path=Path(self_var, event.path.segments), blocks=())
            events.append(replace(moved, definition=True) if in_setup else replace(moved, nested=True))
    if len(definitions) != 1:
        return None
    constructor, setup_self = definitions[0]
    return Fixture(constructor, events, setup_self)


def _test_class(
    module: MypyFile, modules: dict[str, MypyFile], test: FuncItem, self_var: Var, cache: ScanCache
) -> TypeInfo | None:
    """The TestCase subclass whose test method `test` is, when its layout is the certain one."""
    if not isinstance(test, FuncDef) or isinstance(test.info, FakeInfo) or test.is_static:
        return None
    if not (test.name.startswith("test") or test.name in TEAR_DOWN):
        return None  # (a tear-down runs after a test: every other method counts as run before)
    if not test.arguments or test.arguments[0].variable is not self_var:
        return None
    info = test.info
    if not _is_test_class(info) or test.is_decorated:
        return None  # a decorator may configure `self.x` before the test runs
    for klass in _own_classes(info):
        for name in SET_UP:
            symbol = klass.names.get(name)
            if symbol is not None and not (isinstance(symbol.node, FuncDef) and not symbol.node.is_decorated):
                return None  # `asyncSetUp = shared_setup`, a decorated set-up: not readable
    for klass in _own_classes(info):
        if klass.module_name != module.fullname:
            return None  # a base class elsewhere: its body is not readable
    if _has_subclass(modules, info, cache):
        return None  # a subclass may set up differently, and runs the inherited tests
    return info


def _is_test_method(method: FuncDef) -> bool:
    return method.name.startswith("test") and not method.is_decorated


def _referenced_names(module: MypyFile, cache: ScanCache) -> frozenset[str] | None:
    """Every name the module's code refers to (`self.test_x`, `test_x`, `"test_x"`); None when
    it computes one (`getattr(self, name)`), which may be any test.  Kept per module."""
    key = (id(module), id(module.defs))
    if key not in cache.referenced:
        cache.referenced[key] = _names_in(module)
        if len(cache.referenced) > 64:
            cache.referenced.popitem(last=False)
    return cache.referenced[key]


def _names_in(module: MypyFile) -> frozenset[str] | None:
    names: set[str] = set()
    for expr in get_subexpressions(module):
        if isinstance(expr, (MemberExpr, NameExpr)):
            names.add(expr.name)
        elif isinstance(expr, StrExpr):
            names.add(expr.value)
        elif isinstance(expr, CallExpr) and _computed_getattr(expr):
            return None
    return frozenset(names)


def _computed_getattr(call: CallExpr) -> bool:
    callee = call.callee
    if not isinstance(callee, NameExpr) or callee.name not in ("getattr", "methodcaller", "attrgetter"):
        return False
    return len(call.args) < 2 or not isinstance(call.args[1], StrExpr)


def _is_test_class(info: TypeInfo) -> bool:
    """A unittest TestCase, or a pytest test class (`Test*` without an `__init__` of its own:
    pytest makes one instance per test and calls its `setup_method` first)."""
    if info.has_base(TEST_CASE):
        return True
    init_owner = info.get_containing_type_info("__init__")
    return info.name.startswith("Test") and (init_owner is None or init_owner.fullname == "builtins.object")


def _has_subclass(modules: dict[str, MypyFile], info: TypeInfo, cache: ScanCache) -> bool:
    """A class deriving from `info` in any module of the build (top-level classes); remembered
    per class and build size."""
    key = (id(info), len(modules))
    known = cache.subclassed.get(key)
    if known is None:
        known = any(
            isinstance(symbol.node, TypeInfo) and symbol.node is not info and info in symbol.node.mro
            for module in modules.values()
            for symbol in module.names.values()
        )
        cache.subclassed[key] = known
        if len(cache.subclassed) > 256:
            cache.subclassed.popitem(last=False)
    return known


def _own_classes(info: TypeInfo) -> list[TypeInfo]:
    return [k for k in info.mro if not k.fullname.startswith("unittest.") and k.fullname != "builtins.object"]


def _methods(info: TypeInfo) -> list[FuncDef]:
    methods: list[FuncDef] = []
    for klass in _own_classes(info):
        for symbol in klass.names.values():
            node: SymbolNode | None = symbol.node
            if isinstance(node, Decorator):
                node = node.func
            if isinstance(node, FuncDef) and not node.is_static and not node.is_class:
                methods.append(node)
    return methods


def _is_top_level_definition(event: Event, method: FuncDef, constructs: Callable[[Expression], bool]) -> bool:
    """`self.x = <mock constructor>` as a statement of the set-up's own body (not in a branch,
    a loop or a nested function)."""
    return (
        not event.nested
        and event.blocks == (id(method.body),)
        and event.value is not None
        and constructs(event.value)
    )


def is_class_construction(expr: Expression) -> bool:
    """`UserService(self.db)`: a class of the build called (what a set-up builds to test)."""
    return (
        isinstance(expr, CallExpr)
        and isinstance(expr.callee, RefExpr)
        and isinstance(expr.callee.node, TypeInfo)
        and not is_mock_constructor(expr)
    )
