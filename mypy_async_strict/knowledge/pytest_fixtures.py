"""pytest fixtures: a test parameter named after a fixture is what the fixture returns or yields.

`def test_refund(payment_gateway_mock: MagicMock)` with `@pytest.fixture def
payment_gateway_mock(mocker): return mocker.patch("shop.billing.gateway", spec=Gateway)` is the
most common mock shape in real suites.  What each fixture gives is recorded when mypy applies
its `@pytest.fixture` decorator (the body's syntax and the symbol tables; it is not type-checked
yet then), in the module's records (records.py), so that test modules see conftest.py's
fixtures in every mode.  A test module depends on the conftest.py files pytest loads for it
(`get_additional_deps`), so they are processed (and their records written) first.

Resolution follows pytest: the nearest definition wins (the test's class, its module — above
the test, so that the answer does not depend on the order mypy checks functions in —, then
conftest.py files from the nearest directory up); a fixture requesting its own name extends
the next outer one.  What the fixture's body configures on the value, and what other fixtures
in the test's closure (requested ones and autouse ones) do to it, counts as configuration done
before the test.  A fixture that is not function-scoped is shared: other tests may configure
it, so nothing below it is certain.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_STAR2,
    AssignmentStmt,
    CallExpr,
    Decorator,
    Expression,
    FakeInfo,
    FuncDef,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    ReturnStmt,
    StrExpr,
    TupleExpr,
    TypeInfo,
    Var,
    YieldExpr,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    Type,
    TypeOfAny,
    TypeType,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from mypy_async_strict.knowledge import records
from mypy_async_strict.knowledge.handoffs import changes_through
from mypy_async_strict.knowledge.provenance import (
    Event,
    EventKind,
    Path,
    ScanCache,
    configuring_call,
    constructor_events,
    is_mock_constructor,
    is_patch_call,
    scan,
)
from mypy_async_strict.knowledge.summaries import DecodedCache, decoded_summary, summarize
from mypy_async_strict.knowledge.syntax import walk
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Kind, MockState, SpecMode, Target

RECORD_KEY: Final = "fixtures"
FIXTURE_FUNCTIONS: Final = frozenset({"_pytest.fixtures.fixture", "pytest_asyncio.plugin.fixture"})
FIXTURE_MARKER_CALL: Final = "_pytest.fixtures.FixtureFunctionMarker.__call__"
NOT_FIXTURES: Final = frozenset({"self", "cls", "request"})
MAX_DEPTH: Final = 8
Json = Any


@dataclass
class Fixture:
    name: str
    line: int
    owner: str | None  # the class defining it (a fixture method), else None
    scope: str
    autouse: bool
    params: list[str]
    value: Json  # {"mock": ...} | {"param": name} | None
    configured: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    summary: Json = None  # what the body does to the fixtures it requests

    def to_json(self) -> Json:
        return {
            "name": self.name, "line": self.line, "owner": self.owner, "scope": self.scope,
            "autouse": self.autouse, "params": self.params, "value": self.value,
            "configured": [[kind, list(path)] for kind, path in self.configured],
            "summary": self.summary,
        }

    @classmethod
    def from_json(cls, data: Json) -> Fixture | None:
        try:
            return cls(
                str(data["name"]), int(data["line"]), data["owner"], str(data["scope"]),
                bool(data["autouse"]), [str(p) for p in data["params"]], data["value"],
                [(str(k), tuple(p)) for k, p in data["configured"]], data["summary"],
            )
        except (KeyError, TypeError, ValueError):
            return None


# -- recording (the decorator hook) ---------------------------------------------------------

def record_fixture(api: CheckerPluginInterface, decorator: Decorator, marker: CallExpr | None) -> None:
    """`@pytest.fixture` (or `@pytest.fixture(...)`, marker being that call) is applied to
    `decorator.func`: record what it gives."""
    func = decorator.func
    module = _module_of(api)
    if module is None or func.is_static:
        return
    keywords = _keywords(marker)
    name = keywords.get("name")
    scope = keywords.get("scope", "function")
    owner = None if isinstance(func.info, FakeInfo) else func.info.fullname
    params = [a.variable.name for a in func.arguments if a.variable.name not in NOT_FIXTURES]
    if owner is not None and func.arguments:
        params = [p for p in params if p != func.arguments[0].variable.name]
    value, configured = _value(api, func)
    fixture = Fixture(
        name=name if isinstance(name, str) else func.name,
        line=func.line,
        owner=owner,
        scope=scope if isinstance(scope, str) else "unknown",
        autouse=keywords.get("autouse") is True,
        params=params,
        value=value,
        configured=configured,
        summary=summarize(func, method=owner is not None).to_json(),
    )
    existing = records.read_own(module, RECORD_KEY)
    entries = dict(existing) if isinstance(existing, dict) else {}
    entries[f"{owner or ''}:{func.name}"] = fixture.to_json()
    records.write(api, module, RECORD_KEY, entries)


def _keywords(marker: CallExpr | None) -> dict[str, object]:
    found: dict[str, object] = {}
    if marker is None:
        return found
    for name, kind, arg in zip(marker.arg_names, marker.arg_kinds, marker.args):
        if kind != ARG_NAMED or name is None:
            continue
        if isinstance(arg, StrExpr):
            found[name] = arg.value
        elif isinstance(arg, NameExpr) and arg.fullname in ("builtins.True", "builtins.False"):
            found[name] = arg.fullname == "builtins.True"
        else:
            found[name] = object()  # computed: unknown
    return found


def _value(api: CheckerPluginInterface, func: FuncDef) -> tuple[Json, list[tuple[str, tuple[str, ...]]]]:
    """What the fixture returns or yields, and what its body configures on it."""
    given = _given_expressions(func)
    if len(given) != 1:
        return None, []
    expr = given[0]
    facts = scan(func)
    root: Var | None = None
    if isinstance(expr, NameExpr) and isinstance(expr.node, Var):
        root = expr.node
        values = facts.definitions.get(root, [])
        if values == [None]:
            return {"param": root.name}, _configuration(facts, root, None)
        if len(values) != 1 or values[0] is None:
            return None, []
        expr = values[0]
    if not isinstance(expr, CallExpr) or _may_be_unsafe(configuring_call(expr)):
        return None, []
    mock = _mock_of(api, expr)
    if mock is None:
        constructed = _constructed_class(expr)
        return ({"constructed": constructed} if constructed is not None else None), []
    encoded = encode_mock(mock)
    if encoded is None:
        return None, []
    return {"mock": encoded}, _configuration(facts, root, expr)


def _constructed_class(call: CallExpr) -> str | None:
    """`User(id=1, ...)`: the class a fixture returns a fresh instance of (by its fullname)."""
    callee = call.callee
    if isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo) and not is_mock_constructor(call):
        return callee.node.fullname
    return None


def _may_be_unsafe(call: CallExpr) -> bool:
    """`unsafe=True` (or keywords unpacked from elsewhere) allows any `assert*` name."""
    return any(name == "unsafe" or kind == ARG_STAR2 for name, kind in zip(call.arg_names, call.arg_kinds))


def _given_expressions(func: FuncDef) -> list[Expression]:
    """The distinct values returned or yielded by the fixture's own body."""
    given: list[Expression] = []
    for node in walk(func.body, {}, stop_at_functions=True):
        value = node.expr if isinstance(node, (ReturnStmt, YieldExpr)) else None
        if value is None:
            continue
        if any(_same(value, other) for other in given):
            continue
        given.append(value)
    return given


def _same(first: Expression, second: Expression) -> bool:
    return isinstance(first, NameExpr) and isinstance(second, NameExpr) and first.node is second.node


def _configuration(facts: Any, root: Var | None, constructor: CallExpr | None) -> list[tuple[str, tuple[str, ...]]]:
    """The paths below the value that the fixture's body (and its constructor's keywords)
    configures or hands to other code."""
    events: list[Event] = []
    if constructor is not None:
        events += constructor_events(configuring_call(constructor), Path(constructor, ()), constructor.line)
    if root is not None:
        events += [event for event in facts.events if event.path.root is root]
    found: list[tuple[str, tuple[str, ...]]] = []
    for event in events:
        if event.kind is EventKind.ESCAPE and not event.path.segments and event.into is None:
            continue  # the value returned or yielded: what the test gets
        found.append((event.kind.value, event.path.segments))
    return found


def _mock_of(api: CheckerPluginInterface, call: CallExpr) -> MockType | None:
    from mypy_async_strict.hooks.constructors import syntactic_mock
    from mypy_async_strict.knowledge import patches

    if is_patch_call(configuring_call(call)) or is_patch_call(call):
        patch = configuring_call(call)
        if not is_patch_call(patch):
            return None
        if not _starts(call, patch):
            return None  # a patcher kept unstarted: not a mock
        typ = patches.installed_mock_type(api, patches.read_patch_call(api, patch))
    elif is_mock_constructor(call):
        typ = syntactic_mock(api, call)
    else:
        return None
    return mocktypes.decode(typ) if typ is not None else None


def _starts(call: CallExpr, patch: CallExpr) -> bool:
    """`patch(...).start()`, or pytest-mock's `mocker.patch(...)` (started at once)."""
    if call is not patch:
        return True
    callee = call.callee
    while isinstance(callee, MemberExpr):
        callee = callee.expr
    return isinstance(callee, NameExpr) and callee.name == "mocker"


# -- mock types as data --------------------------------------------------------------------

def encode_mock(mock: MockType) -> Json | None:
    stands = get_proper_type(mock.stands_for)
    described: Json
    if isinstance(stands, AnyType):
        described = {"any": True}
    elif isinstance(stands, Instance):
        described = {"instance": stands.type.fullname}
    elif isinstance(stands, TypeType) and isinstance(stands.item, Instance):
        described = {"class": stands.item.type.fullname}
    elif isinstance(stands, CallableType) and isinstance(stands.definition, FuncDef):
        described = {"function": stands.definition.fullname}
    else:
        return None
    state = mock.state
    return {"kind": state.kind.value, "mode": state.mode.value, "target": state.target.value, "stands": described}


def decode_mock(api: CheckerPluginInterface, data: Json) -> MockType | None:
    try:
        state = MockState(Kind(data["kind"]), SpecMode(data["mode"]), Target(data["target"]))
        stands = data["stands"]
    except (KeyError, TypeError, ValueError):
        return None
    typ: Type | None
    if "any" in stands:
        typ = AnyType(TypeOfAny.special_form)
    elif "instance" in stands or "class" in stands:
        info = _lookup(api, stands.get("instance") or stands.get("class"))
        instance = fill_typevars_with_any(info) if isinstance(info, TypeInfo) else None
        if not isinstance(instance, Instance):
            return None
        typ = instance if "instance" in stands else TypeType.make_normalized(instance)
    elif "function" in stands:
        node = _lookup(api, stands["function"])
        typ = node.type if isinstance(node, FuncDef) else None
    else:
        return None
    return MockType(state, get_proper_type(typ)) if typ is not None else None


def _lookup(api: CheckerPluginInterface, fullname: object) -> object:
    if not isinstance(fullname, str):
        return None
    modules = getattr(api, "modules", None)
    if not isinstance(modules, dict):
        return None
    parts = fullname.split(".")
    for length in range(len(parts) - 1, 0, -1):
        module = modules.get(".".join(parts[:length]))
        if isinstance(module, MypyFile):
            node: object = module
            for part in parts[length:]:
                names = node.names if isinstance(node, (MypyFile, TypeInfo)) else None
                symbol = names.get(part) if names is not None else None
                if symbol is None:
                    return None
                node = symbol.node
            return node
    return None


# -- resolution (at a test's use) ----------------------------------------------------------

@dataclass(frozen=True)
class Resolved:
    mock: MockType
    events: list[Event]


def resolve(api: CheckerPluginInterface, cache: ScanCache, test: FuncDef, var: Var) -> Resolved | None:
    """The mock the fixture named like the test's parameter `var` gives, with the
    configuration done before the test.  Asked at every read of the parameter: the answer is
    kept for the module check under way (the dependencies it registered belong to the test's
    target, which stays the same)."""
    if not test.name.startswith("test"):
        return None
    memo = cache.check_memo(api)
    key = ("fixture", test, var)  # (nodes hash by identity, and the memo keeps them alive)
    if key not in memo:
        memo[key] = _resolve(api, cache, test, var)
    answer = memo[key]
    assert answer is None or isinstance(answer, Resolved)
    return Resolved(answer.mock, list(answer.events)) if answer is not None else None


def _resolve(api: CheckerPluginInterface, cache: ScanCache, test: FuncDef, var: Var) -> Resolved | None:
    module = _module_of(api)
    if module is None:
        return None
    parametrized = _parametrized(module, test)
    if parametrized is None or var.name in parametrized:
        return None  # the value comes from `parametrize`, not from a fixture
    scope = _Scope(api, module, None if isinstance(test.info, FakeInfo) else test.info, test.line)
    provider = scope.find(var.name)
    if provider is None:
        return None
    resolved = _value_of(api, scope, provider, var, 0)
    if resolved is None:
        return None
    mock, events = resolved
    used = _usefixtures(module, test)
    if used is None:
        return None  # `@pytest.mark.usefixtures(...)` the plugin cannot read: any fixture may run
    closure = scope.closure(_test_params(test) + used)
    for fixture, _ in closure:
        if fixture is provider or var.name not in fixture.params:
            continue
        events += _changes_by(api, cache, fixture, var)
    return Resolved(mock, events)


def constructed_by(api: CheckerPluginInterface, test: FuncDef, var: Var) -> TypeInfo | None:
    """The class whose fresh instance the fixture named like the test's parameter returns
    (`def ada(): return User(...)`); None when another value or unknown."""
    module = _module_of(api)
    if module is None or not test.name.startswith("test"):
        return None
    parametrized = _parametrized(module, test)
    if parametrized is None or var.name in parametrized:
        return None
    provider = _Scope(api, module, None if isinstance(test.info, FakeInfo) else test.info, test.line).find(var.name)
    value = provider.value if provider is not None else None
    fullname = value.get("constructed") if isinstance(value, dict) else None
    info = _lookup(api, fullname)
    return info if isinstance(info, TypeInfo) else None


def provides(api: CheckerPluginInterface, test: FuncDef, name: str) -> bool:
    """Whether the suite defines a fixture `name` the test sees (it may override a plugin's)."""
    module = _module_of(api)
    if module is None:
        return True
    return _Scope(api, module, None if isinstance(test.info, FakeInfo) else test.info, test.line).find(name) is not None


def _value_of(
    api: CheckerPluginInterface, scope: _Scope, fixture: Fixture, var: Var, depth: int
) -> tuple[MockType, list[Event]] | None:
    value = fixture.value
    if not isinstance(value, dict) or depth > MAX_DEPTH:
        return None
    events = [_event(kind, var, path, fixture.line) for kind, path in fixture.configured]
    if fixture.scope != "function":
        events.append(Event(EventKind.SUBTREE, Path(var, ()), fixture.line, nested=True, definition=True))
    if "mock" in value:
        mock = decode_mock(api, value["mock"])
        return (mock, events) if mock is not None else None
    if "param" in value:
        requested = scope.find(value["param"], below=fixture)
        if requested is None:
            return None
        inner = _value_of(api, scope, requested, var, depth + 1)
        return (inner[0], inner[1] + events) if inner is not None else None
    return None


def _changes_by(api: CheckerPluginInterface, cache: ScanCache, fixture: Fixture, var: Var) -> list[Event]:
    """What a fixture requesting the test's fixture does to it, as configuration events.  A
    fixture handing it to the code under test (`AccountService(users, hasher)`) changes nothing
    when that code certainly leaves it alone (handoffs.py)."""
    summary = decoded_summary(fixture.summary) if isinstance(fixture.summary, dict) else None
    if summary is None:
        return [Event(EventKind.SUBTREE, Path(var, ()), fixture.line, nested=True, definition=True)]
    events = []
    for path in summary.replaced:
        if path[:1] == (var.name,):
            events.append(_event(EventKind.REPLACE.value, var, path[1:], fixture.line))
    unfollowed = set(summary.exposed)
    for passed in summary.passes:
        if passed.path[:1] != (var.name,):
            continue
        changes = changes_through(api, cache, passed)
        if changes is None:
            unfollowed.add(passed.path)
            continue
        (replaced, exposed), (later_replaced, later_exposed) = changes
        events += [_event(EventKind.REPLACE.value, var, passed.path[1:] + rel, fixture.line) for rel in replaced]
        unfollowed |= {passed.path + rel for rel in exposed}
        # The code under test keeps it: its methods may run at any time during the test.
        events += [_anytime(EventKind.REPLACE, var, passed.path[1:] + rel, fixture.line) for rel in later_replaced]
        events += [_anytime(EventKind.SUBTREE, var, passed.path[1:] + rel, fixture.line) for rel in later_exposed]
    for path in unfollowed:
        if path[:1] == (var.name,):
            events.append(_event(EventKind.SUBTREE.value, var, path[1:], fixture.line))
    return events


def _anytime(kind: EventKind, var: Var, path: tuple[str, ...], line: int) -> Event:
    return Event(kind, Path(var, path), line, nested=True, definition=True)


def _event(kind: str, var: Var, path: tuple[str, ...], line: int) -> Event:
    """Configuration done before the test runs (a definition, always in effect); a replaced
    value is unknown to the test."""
    event_kind = EventKind(kind)
    if event_kind is EventKind.ESCAPE:
        event_kind = EventKind.SUBTREE
    return Event(event_kind, Path(var, path), line, nested=False, definition=True)


def _usefixtures(module: MypyFile, test: FuncDef) -> list[str] | None:
    """Fixtures `@pytest.mark.usefixtures("a", ...)` adds to a test (on the test, its class or
    the module's `pytestmark`); None when one of them cannot be read."""
    names: list[str] = []
    for mark in _marks_named(module, test, "usefixtures"):
        for arg in mark.args:
            if not isinstance(arg, StrExpr):
                return None
            names.append(arg.value)
    return names


def _parametrized(module: MypyFile, test: FuncDef) -> set[str] | None:
    """Parameters `@pytest.mark.parametrize` fills (they override fixtures of the same name);
    None when a mark's names cannot be read."""
    names: set[str] = set()
    for mark in _marks_named(module, test, "parametrize"):
        given = mark.args[0] if mark.args else None
        if isinstance(given, StrExpr):
            names.update(part.strip() for part in given.value.split(","))
        elif isinstance(given, (ListExpr, TupleExpr)) and all(isinstance(i, StrExpr) for i in given.items):
            names.update(i.value for i in given.items if isinstance(i, StrExpr))
        else:
            return None
    return names


def _marks_named(module: MypyFile, test: FuncDef, name: str) -> list[CallExpr]:
    """The `pytest.mark.<name>(...)` marks on a test, its class or the module's `pytestmark`."""
    marks: list[Expression] = []
    decorator = _decorator_of(module, test)
    if decorator is not None:
        marks += decorator.original_decorators
    if not isinstance(test.info, FakeInfo):
        marks += test.info.defn.decorators
    for statement in module.defs:
        if isinstance(statement, AssignmentStmt) and any(
            isinstance(lvalue, NameExpr) and lvalue.name == "pytestmark" for lvalue in statement.lvalues
        ):
            value = statement.rvalue
            marks += value.items if isinstance(value, (ListExpr, TupleExpr)) else [value]
    return [
        mark
        for mark in marks
        if isinstance(mark, CallExpr) and isinstance(mark.callee, MemberExpr) and mark.callee.name == name
    ]


def _decorator_of(module: MypyFile, func: FuncDef) -> Decorator | None:
    owner = module.names if isinstance(func.info, FakeInfo) else func.info.names
    symbol = owner.get(func.name)
    node = symbol.node if symbol is not None else None
    return node if isinstance(node, Decorator) and node.func is func else None


def _test_params(test: FuncDef) -> list[str]:
    names = [a.variable.name for a in test.arguments]
    if not isinstance(test.info, FakeInfo) and names:
        names = names[1:]
    return [n for n in names if n not in NOT_FIXTURES]


class _Scope:
    """The fixtures a test sees: its class's, its module's (above it), conftest.py's."""

    def __init__(self, api: CheckerPluginInterface, module: MypyFile, owner: TypeInfo | None, line: int) -> None:
        self.api = api
        self.module = module
        self.owner = owner
        self.line = line
        self.levels = self._levels()

    def _levels(self) -> list[list[Fixture]]:
        levels: list[list[Fixture]] = []
        own = self._fixtures(self.module.fullname)
        if self.owner is not None:
            owners = {klass.fullname for klass in self.owner.mro}
            levels.append([f for f in own if f.owner in owners])
        levels.append([f for f in own if f.owner is None and f.line < self.line])
        for conftest in conftest_modules(self.module.fullname, self.module.path, self._exists):
            levels.append([f for f in self._fixtures(conftest) if f.owner is None])
        return levels

    def _exists(self, name: str) -> bool:
        modules = getattr(self.api, "modules", None)
        return isinstance(modules, dict) and name in modules

    def _fixtures(self, module_name: str) -> list[Fixture]:
        data = records.read(self.api, module_name, RECORD_KEY)
        if not isinstance(data, dict):
            return []
        return _DECODED_FIXTURES.get(data, _decode_fixtures)

    def find(self, name: str, below: Fixture | None = None) -> Fixture | None:
        """The nearest definition of `name`; `below` a fixture requesting its own name: the
        next outer definition."""
        skipping = below is not None and below.name == name
        for level in self.levels:
            for fixture in level:
                if fixture.name != name:
                    continue
                if skipping:
                    if fixture is below or fixture == below:
                        skipping = False
                    continue
                return fixture
        return None

    def closure(self, names: list[str]) -> list[tuple[Fixture, int]]:
        """The fixtures that run for a test requesting `names` (and the autouse ones)."""
        pending = list(names) + [f.name for level in self.levels for f in level if f.autouse]
        seen: dict[str, Fixture] = {}
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            fixture = self.find(name)
            if fixture is None:
                continue
            seen[name] = fixture
            pending.extend(fixture.params)
        return [(fixture, 0) for fixture in seen.values()]


_DECODED_FIXTURES = DecodedCache(256)


def _decode_fixtures(data: dict[str, Json]) -> list[Fixture]:
    """A module's fixtures record, decoded (shared: callers only read it)."""
    found = [Fixture.from_json(entry) for entry in data.values()]
    return [f for f in found if f is not None]


def conftest_modules(module_name: str, path: str, exists: Any) -> list[str]:
    """The conftest.py modules pytest loads for a module, nearest first, that the build has
    under the names mypy gives them (the module's package chain)."""
    found: list[str] = []
    package = module_name.rpartition(".")[0]
    directory = os.path.dirname(path)
    while True:
        candidate = f"{package}.conftest" if package else "conftest"
        if candidate != module_name and os.path.isfile(os.path.join(directory, "conftest.py")) and exists(candidate):
            found.append(candidate)
        if not package:
            break
        package = package.rpartition(".")[0]
        directory = os.path.dirname(directory)
    return found


def is_test_module(path: str) -> bool:
    name = os.path.basename(path)
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _module_of(api: CheckerPluginInterface) -> MypyFile | None:
    tree = getattr(api, "tree", None)
    return tree if isinstance(tree, MypyFile) else None

