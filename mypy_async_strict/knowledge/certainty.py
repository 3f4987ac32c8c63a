"""Is the object at a mock path still the model's default?  The judge behind every refinement."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Final

from mypy.nodes import (
    ARG_STAR2,
    AwaitExpr,
    CallExpr,
    DictExpr,
    Expression,
    FuncDef,
    MemberExpr,
    MypyFile,
    NameExpr,
    StrExpr,
    Var,
)
from mypy.plugin import CheckerPluginInterface

from mypy_async_strict.knowledge.handoffs import (
    harmless,
    held_argument,
    stored_attributes,
)
from mypy_async_strict.knowledge.patch_decorators import injected_patch
from mypy_async_strict.knowledge.provenance import (
    CALL,
    Event,
    EventKind,
    Path,
    ScanCache,
    Scope,
    ScopeFacts,
    blocks_at,
    constructor_events,
    is_mock_constructor,
    path_of,
    scopes_of,
)
from mypy_async_strict.knowledge.pytest_fixtures import Resolved
from mypy_async_strict.knowledge.pytest_fixtures import resolve as resolve_fixture
from mypy_async_strict.knowledge.setup_fixtures import is_class_construction, setup_fixture

MAX_ALIAS_DEPTH: Final = 8


@dataclass(frozen=True)
class Verdict:
    certain: bool
    # What certainly sits at the path now: a value assigned to it (`m.x = AsyncMock()`,
    # `m.get.return_value = item`), or what a call's `side_effect` decides (`side_effect`).
    replacement: Expression | None = None
    side_effect: bool = False


UNCERTAIN: Final = Verdict(certain=False)


def judge(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Verdict:
    """Whether `expr` (an attribute of, or a call on, a mock) is what the model says it is."""
    path = path_of(expr)
    if path is None:
        return UNCERTAIN
    scopes = scopes_of(api)
    if not scopes:
        return UNCERTAIN
    located = _locate(path, scopes, cache, api)
    if located is None:
        return UNCERTAIN
    facts, root_value, path = located
    if not path.segments:
        return Verdict(certain=True)
    extra = None
    if root_value is None:
        fixture = _fixture(api, scopes, cache, facts, path)
        if fixture is not None:
            root_value, extra = fixture
        else:
            extra = _pytest_fixture_events(api, cache, facts, path)
            if extra is None:
                return UNCERTAIN  # a parameter or a value from elsewhere: configured who knows where
    nested_query = scopes[0] is not facts.scope
    return _verdict(api, cache, facts, root_value, path, expr, nested_query, handoffs_of(api, cache, path), extra)


def _fixture(
    api: CheckerPluginInterface, scopes: list[Scope], cache: ScanCache, facts: ScopeFacts, path: Path
) -> tuple[CallExpr, list[Event]] | None:
    """`self.x...` in a unittest test method, `self.x` built by its set-up (see fixtures.py):
    the set-up's constructor, and the events that configure the fixture before and around the
    test (the constructor's keywords included)."""
    module = scopes[-1]
    if not isinstance(module, MypyFile) or isinstance(facts.scope, MypyFile) or not isinstance(path.root, Var):
        return None
    modules = getattr(api, "modules", None)
    if not isinstance(modules, dict):
        return None
    fixture = setup_fixture(module, modules, facts.scope, path.root, path.segments[0], cache, _rooted_events)
    if fixture is None:
        return None
    at = Path(path.root, path.segments[:1])
    own = constructor_events(fixture.constructor, at, fixture.constructor.line)
    return fixture.constructor, fixture.events + own + _replacement_configuration(own)


def _pytest_fixture_events(
    api: CheckerPluginInterface, cache: ScanCache, facts: ScopeFacts, path: Path
) -> list[Event] | None:
    """For a test's parameter a pytest fixture fills: the configuration done before the test
    (see pytest_fixtures.py); None when the parameter is not such a fixture."""
    resolved = pytest_fixture(api, cache, facts, path.root)
    return resolved.events if resolved is not None else None


def pytest_fixture(api: CheckerPluginInterface, cache: ScanCache, facts: ScopeFacts, root: object) -> Resolved | None:
    if not isinstance(root, Var) or not isinstance(facts.scope, FuncDef):
        return None
    if facts.definitions.get(root) != [None] or not any(a.variable is root for a in facts.scope.arguments):
        return None
    return resolve_fixture(api, cache, facts.scope, root)


def fixture_constructor(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> CallExpr | None:
    """The mock constructor a unittest set-up assigned to `self.x`, for `expr` = `self.x` in a
    test method (see setup_fixtures.py)."""
    path = path_of(expr)
    scopes = scopes_of(api)
    if path is None or len(path.segments) != 1 or not scopes:
        return None
    located = _locate(path, scopes, cache, api)
    if located is None or located[1] is not None:
        return None
    facts, _, path = located
    fixture = _fixture(api, scopes, cache, facts, path)
    if fixture is None:
        return None
    # `self.x = AsyncMock()` in the test (or a helper that may run) puts another object there.
    verdict = _verdict(api, cache, facts, fixture[0], path, expr, scopes[0] is not facts.scope, None, fixture[1])
    return fixture[0] if verdict.certain and verdict.replacement is None else None


@dataclass(frozen=True)
class SetUpHolder:
    """`self.service`, built by the set-up as `UserService(self.db)`: the construction, the
    set-up's `self`, and what set-ups, helpers and the test do to `self.service`."""

    construction: CallExpr
    setup_self: Var
    events: list[Event]  # rooted at the test's `self`


def setup_holder(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> SetUpHolder | None:
    """For `self.<attribute>` in a test method: the object its set-up built, if certain."""
    path = path_of(expr)
    scopes = scopes_of(api)
    module = scopes[-1] if scopes else None
    modules = getattr(api, "modules", None)
    if path is None or len(path.segments) != 1 or not isinstance(path.root, Var):
        return None
    if not isinstance(module, MypyFile) or not isinstance(modules, dict):
        return None
    facts = _defining_scope(path.root, scopes, cache)
    if facts is None or facts.definitions.get(path.root) != [None] or isinstance(facts.scope, MypyFile):
        return None
    attribute = path.segments[0]
    fixture = setup_fixture(
        module, modules, facts.scope, path.root, attribute, cache, _rooted_events, constructs=is_class_construction
    )
    if fixture is None or fixture.setup_self is None:
        return None
    own = [e for e in _rooted_events(facts) if e.path.root is path.root and e.path.segments[:1] in ((), (attribute,))]
    return SetUpHolder(fixture.constructor, fixture.setup_self, fixture.events + own)


def handoffs_of(api: CheckerPluginInterface, cache: ScanCache, query: Path) -> Callable[[Event], bool]:
    """Which escapes of the query's root only hand it to code that leaves the queried path
    alone (see handoffs.py)."""

    def harmless_escape(event: Event) -> bool:
        if event.into is None or event.target is None or not isinstance(event.target, Expression):
            return False
        below = event.via + query.segments[len(event.path.segments) :]
        return harmless(api, cache, event.into, event.target, below)

    return harmless_escape


def _locate(
    path: Path, scopes: list[Scope], cache: ScanCache, api: CheckerPluginInterface | None = None
) -> tuple[ScopeFacts, CallExpr | None, Path] | None:
    """The scope that defines the path's root, the constructor that built it, the full path.
    An object that holds a mock (`svc = UserService(session)`: `svc.session`) is followed to
    the mock it holds."""
    for _ in range(MAX_ALIAS_DEPTH):
        if isinstance(path.root, CallExpr):
            return cache.facts(scopes[0]), path.root, path
        facts = _defining_scope(path.root, scopes, cache)
        if facts is None:
            return None
        values = facts.definitions[path.root]
        if values == [None]:
            # A parameter: unknown, unless a patch decorator passes it a fresh mock.
            return facts, _injected_patch(scopes, facts.scope, path.root), path
        if len(values) != 1 or values[0] is None:
            return facts, None, path
        value = values[0]
        if is_mock_constructor(value):
            assert isinstance(value, CallExpr)
            return facts, value, path
        aliased = path_of(value)
        if aliased is None and api is not None and path.segments and isinstance(value, CallExpr):
            held = held_argument(api, cache, value, path.segments[0])
            held_path = path_of(held) if held is not None else None
            if held_path is not None:
                path = held_path.extend(*path.segments[1:])
                continue
        if aliased is None:
            return facts, None, path
        path = aliased.extend(*path.segments)
    return None


def _injected_patch(scopes: list[Scope], scope: Scope, var: Var) -> CallExpr | None:
    module = scopes[-1]
    if not isinstance(module, MypyFile) or isinstance(scope, MypyFile):
        return None
    return injected_patch(module, scope, var)


def _defining_scope(var: Var, scopes: list[Scope], cache: ScanCache) -> ScopeFacts | None:
    for scope in scopes:
        facts = cache.facts(scope)
        if var in facts.definitions:
            return facts
    return None


def _expand(path: Path, facts: ScopeFacts) -> Path:
    """Follow variables that only ever alias another path (`execute = session.execute`)."""
    for _ in range(MAX_ALIAS_DEPTH):
        if not isinstance(path.root, Var):
            return path
        values = facts.definitions.get(path.root)
        if not values or len(values) != 1 or values[0] is None or is_mock_constructor(values[0]):
            return path
        aliased = path_of(values[0])
        if aliased is None:
            return path
        path = aliased.extend(*path.segments)
    return path


def _verdict(
    api: CheckerPluginInterface,
    cache: ScanCache,
    facts: ScopeFacts,
    constructor: CallExpr | None,
    query: Path,
    expr: Expression,
    nested_query: bool,
    harmless_escape: Callable[[Event], bool] | None = None,
    configuration: list[Event] | None = None,
) -> Verdict:
    """Certain unless an event that may have run first replaced or exposed the path.

    A replacement that dominates the query (it ran before it on every path) cancels the
    configuration that came before it; what runs between the two must leave the path alone.
    The assignment target itself (`m.x` in `m.x = ...`, read by mypy for its declared type)
    and the assignment's own value (`m.x.return_value = await m.x() + 1`: the right-hand side
    runs first) see what was there before the assignment.
    """
    root = query.root
    line = expr.line
    query_blocks = None if nested_query else blocks_at(facts, line)
    if configuration is None:
        configuration = _constructor_configuration(facts, constructor, root) if constructor is not None else []
    effects: list[tuple[Event, str]] = []
    for event in _rooted_events(facts) + configuration + _holder_events(api, cache, facts, root, harmless_escape):
        if event.path.root is not root or event.target is expr or _inside_value(expr, event):
            continue
        if not _applies(event, facts, line, nested_query):
            continue
        if event.kind is EventKind.ESCAPE and harmless_escape is not None and harmless_escape(event):
            continue
        effect = _effect(event, query.segments)
        if effect != "none":
            effects.append((event, effect))
    dominating = [e for e, effect in effects if effect == "replaced" and _dominates(e, line, query_blocks)]
    cut = max(dominating, key=_run_order, default=None)
    in_effect: list[Event] = []
    for event, effect in effects:
        if cut is not None and event is not cut and _cancelled_by(event, cut, facts, line):
            continue
        if effect == "uncertain" or (effect == "replaced" and event not in dominating):
            return UNCERTAIN  # replaced on some paths only (a branch, a loop, a closure), or unknown
        in_effect.append(event)
    by_depth: dict[int, list[Event]] = {}
    for event in in_effect:
        by_depth.setdefault(len(event.path.segments), []).append(event)
    if len(by_depth) > 1 or any(len(at_depth) > 1 for at_depth in by_depth.values()):
        return UNCERTAIN  # which replacement is in place depends on the order they ran in
    exact = by_depth.get(len(query.segments))
    if not exact:
        return Verdict(certain=True)
    return Verdict(certain=True, replacement=exact[0].value, side_effect=exact[0].side_effect)


def _holder_events(
    api: CheckerPluginInterface,
    cache: ScanCache,
    facts: ScopeFacts,
    root: object,
    harmless_escape: Callable[[Event], bool] | None,
) -> list[Event]:
    """What the test does to the mock through an object holding it (`svc = UserService(m)`):
    `svc.m.x = ...` is `m.x = ...`; `svc` handed to code is `m` handed along with it (harmless
    when that code leaves `svc.m` alone)."""
    events: list[Event] = []
    for var, values in facts.definitions.items():
        value = values[0] if len(values) == 1 else None
        if not isinstance(value, CallExpr) or is_mock_constructor(value) or not isinstance(var, Var):
            continue
        for attribute in stored_attributes(api, cache, value):
            held = held_argument(api, cache, value, attribute)
            found = path_of(held) if held is not None else None
            held_path = _expand(found, facts) if found is not None else None
            if held_path is None or held_path.root is not root:
                continue
            for event in _rooted_events(facts):
                if event.path.root is not var:
                    continue
                segments = event.path.segments
                if segments[:1] == (attribute,):
                    if event.kind is EventKind.REPLACE and len(segments) == 1:
                        continue  # `svc.m = other` rebinds the holder's attribute: `m` is untouched
                    events.append(replace(event, path=held_path.extend(*segments[1:])))
                elif not segments and event.kind is not EventKind.REPLACE:
                    through = replace(event, path=held_path, via=(attribute,))
                    if event.kind is EventKind.ESCAPE and harmless_escape is not None and harmless_escape(through):
                        continue
                    events.append(replace(through, kind=EventKind.SUBTREE))
    return events


def _run_order(event: Event) -> tuple[bool, int]:
    """Constructor keywords run first; then straight-line code in line order."""
    return (not event.definition, event.line)


def _cancelled_by(event: Event, cut: Event, facts: ScopeFacts, line: int) -> bool:
    """Whether `event` (a configuration) certainly ran before the dominating replacement `cut`
    and so no longer matters.  Escapes are never cancelled: code that kept the mock may run
    again after the replacement."""
    if event.kind is EventKind.ESCAPE or event.nested:
        return False
    if event.definition:
        return not cut.definition or event.line < cut.line
    if cut.definition or event.line >= cut.line:
        return False
    return not _in_same_loop(facts, event.line, cut.line) and not _in_same_loop(facts, event.line, line)


def _inside_value(expr: Expression, event: Event) -> bool:
    """Whether `expr` is part of the value the event assigns (evaluated before the store)."""
    value = event.value
    if value is None or event.kind is not EventKind.REPLACE or event.definition:
        return False
    return _span(value) [0] <= _span(expr)[0] and _span(expr)[1] <= _span(value)[1]


def _span(expr: Expression) -> tuple[tuple[int, int], tuple[int, int]]:
    end_line = expr.end_line if expr.end_line is not None else expr.line
    end_column = expr.end_column if expr.end_column is not None else expr.column
    return (expr.line, expr.column), (end_line, end_column)


def _rooted_events(facts: ScopeFacts) -> list[Event]:
    """The scope's events with aliases followed, plus what replacement constructors configure;
    computed once per scan."""
    if facts.rooted is None:
        rooted = [_rooted(event, facts) for event in facts.events]
        facts.rooted = rooted + _replacement_configuration(rooted)
    return facts.rooted


def _constructor_configuration(facts: ScopeFacts, constructor: CallExpr, root: object) -> list[Event]:
    key = id(constructor)
    cached = facts.constructed.get(key)
    if cached is None:
        own = constructor_events(constructor, Path(root, ()), constructor.line)  # type: ignore[arg-type]
        cached = own + _replacement_configuration(own)
        facts.constructed[key] = cached
    return cached


def _rooted(event: Event, facts: ScopeFacts) -> Event:
    path = _expand(event.path, facts)
    return event if path == event.path else replace(event, path=path)


def _replacement_configuration(events: list[Event]) -> list[Event]:
    """`m.x = AsyncMock(return_value=1)` configures `m.x()` too, however deep the nesting; those
    keywords take effect where (and when) the replacement does."""
    extra: list[Event] = []
    pending = list(events)
    while pending:
        event = pending.pop()
        if event.kind is EventKind.REPLACE and isinstance(event.value, CallExpr):
            if is_mock_constructor(event.value):
                for inner in constructor_events(event.value, event.path, event.line):
                    nested = replace(
                        inner,
                        nested=event.nested,
                        blocks=event.blocks,
                        definition=event.definition,
                    )
                    extra.append(nested)
                    pending.append(nested)
    return extra


def _dominates(event: Event, line: int, query_blocks: tuple[int, ...] | None) -> bool:
    """Whether the replacement certainly ran before the query: earlier, in a block that
    encloses the query (so not in a branch or loop the query is outside of)."""
    if event.definition:
        return True  # a keyword of the constructor that made the mock
    if event.nested or query_blocks is None or event.line >= line:
        return False
    return query_blocks[: len(event.blocks)] == event.blocks


def _applies(event: Event, facts: ScopeFacts, line: int, nested_query: bool) -> bool:
    """Could the event have run before the query?  Straight-line code runs in line order."""
    if event.definition or event.nested or nested_query or event.line <= line:
        return True
    return _in_same_loop(facts, event.line, line)


def _effect(event: Event, query: tuple[str, ...]) -> str:
    at = event.path.segments
    if len(at) > len(query) or query[: len(at)] != at:
        return "none"
    strictly_above = len(at) < len(query)
    if event.kind is EventKind.ESCAPE or event.kind is EventKind.SUBTREE:
        return "uncertain" if strictly_above else "none"
    if event.value is None:
        return "uncertain"
    if is_mock_constructor(event.value) and not event.side_effect:
        return "replaced"  # a fresh mock: what lies below it is its own default
    return "replaced" if not strictly_above else "uncertain"  # a value: hooks judge its type


def protocol_configured(
    api: CheckerPluginInterface, cache: ScanCache, expr: Expression, methods: tuple[str, ...]
) -> bool:
    """Whether code may have set one of `methods` on the mock at `expr` (`m.__enter__ = ...`)."""
    path = path_of(expr)
    scopes = scopes_of(api)
    if path is None or not scopes:
        return False  # a fresh mock built in place: nothing configured it
    located = _locate(path, scopes, cache, api)
    if located is None:
        return True
    facts, constructor, path = located
    if constructor is None:
        return True
    nested_query = scopes[0] is not facts.scope
    for method in methods:
        verdict = _verdict(api, cache, facts, constructor, path.extend(method), expr, nested_query)
        if not verdict.certain or verdict.replacement is not None:
            return True
    return False


def unsafe_root(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> bool:
    """Whether the mock at `expr` may come from `unsafe=True` (which allows any `assert*`).

    Unknown roots (parameters, values from elsewhere) count as possibly unsafe.
    """
    path = path_of(expr)
    scopes = scopes_of(api)
    if path is None or not scopes:
        return True
    located = _locate(path, scopes, cache, api)
    if located is None:
        return True
    facts, constructor, path = located
    if constructor is None and path.segments:
        fixture = _fixture(api, scopes, cache, facts, path)
        constructor = fixture[0] if fixture is not None else None
    if constructor is None and pytest_fixture(api, cache, facts, path.root) is not None:
        return False  # a fixture's mock is recorded only when built without `unsafe`
    return constructor is None or _may_pass_unsafe(constructor)


def _may_pass_unsafe(constructor: CallExpr) -> bool:
    for kind, name, arg in zip(constructor.arg_kinds, constructor.arg_names, constructor.args):
        if name == "unsafe":
            return True
        if kind == ARG_STAR2:
            if not isinstance(arg, DictExpr):
                return True
            if any(not isinstance(key, StrExpr) or key.value == "unsafe" for key, _ in arg.items):
                return True
    return False


def await_of(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> AwaitExpr | None:
    """The `await` whose operand `expr` is (`await m.fetch()`), if it is one."""
    scopes = scopes_of(api)
    return cache.facts(scopes[0]).awaited.get(id(expr)) if scopes else None


def reconfigured_after(
    api: CheckerPluginInterface, cache: ScanCache, target: Expression, line: int
) -> bool:
    """Whether code that may run after `line` can change what calling the mock at `target`
    gives: a later replacement, return value, side effect or `configure_mock` at or below the
    path; the mock (or anything above it) handed to code other than the application under test,
    or returned; a configuration through an expression the plugin does not follow.  A root
    that is not a mock built in this function (a parameter, `self.x`) counts as changed, unless
    a pytest fixture fills it: then what the code its fixtures hand it to may do later counts
    (the code under test runs during the test).
    """
    path = path_of(target)
    scopes = scopes_of(api)
    if path is None or not scopes:
        return True
    located = _locate(path, scopes, cache, api)
    if located is None:
        return True
    facts, root_value, path = located
    anytime: list[Event] = []
    if root_value is None:
        fixture_events = _pytest_fixture_events(api, cache, facts, path) if path.segments else None
        if fixture_events is None:
            return True
        anytime = [event for event in fixture_events if event.nested]  # the rest ran before the test
    if facts.foreign_configuration or cache.facts(scopes[0]).foreign_configuration:
        return True
    later = [
        event
        for event in _rooted_events(facts)
        if event.nested or event.line > line or _in_same_loop(facts, event.line, line)
    ]
    for event in later + anytime:
        if event.path.root is not path.root or event.target is target:
            continue
        if _changes_calls_of(api, cache, event, path):
            return True
    return False


def _changes_calls_of(api: CheckerPluginInterface, cache: ScanCache, event: Event, path: Path) -> bool:
    at = event.path.segments
    if at[: len(path.segments)] == path.segments:
        below_result = at[: len(path.segments) + 1] == path.segments + (CALL,) and (
            len(at) > len(path.segments) + 1 or event.kind is not EventKind.REPLACE
        )
        return not below_result  # at or below the path (what its calls give's own members aside)
    if path.segments[: len(at)] != at:
        return False  # a sibling path
    if event.kind is EventKind.SUBTREE:
        return True  # `configure_mock`/`setattr` above the path may reach it
    return event.kind is EventKind.ESCAPE and not handoffs_of(api, cache, path)(event)


def _in_same_loop(facts: ScopeFacts, first: int, second: int) -> bool:
    return any(start <= first <= end and start <= second <= end for start, end in facts.loops)


def failure_expected(api: CheckerPluginInterface, cache: ScanCache, line: int) -> bool:
    """Whether `line` is inside `with pytest.raises(...)` or `with self.assertRaises(...)`:
    there the test checks that the code fails."""
    scopes = scopes_of(api)
    if not scopes:
        return False
    return any(start <= line <= end for start, end in cache.facts(scopes[0]).expects_failure)


def patched_here(api: CheckerPluginInterface, cache: ScanCache, call: object) -> bool:
    """Whether the module patches or assigns an attribute named like the called function
    (`with patch.object(Repo, "fetch", new=fake): Repo().fetch()` calls the stand-in)."""
    if not isinstance(call, CallExpr):
        return False
    callee = call.callee
    name = callee.name if isinstance(callee, (NameExpr, MemberExpr)) else None
    scopes = scopes_of(api)
    if name is None or not scopes or not isinstance(scopes[-1], MypyFile):
        return False
    module = cache.facts(scopes[-1])
    if name in module.patched_names:
        return True
    return any(
        name in names and _may_run_under(decorated, scopes, module) for names, decorated in module.decorator_patches
    )


def _may_run_under(decorated: FuncDef, scopes: list[Scope], module: ScopeFacts) -> bool:
    """Whether code in `scopes` may run while `decorated` (a function a patch decorator wraps)
    runs: unless it is in another test function that no code of the module calls (pytest and
    unittest run tests one after the other, and a decorator's patch stops when its function
    returns; fixtures and set-ups run before it starts)."""
    outermost = scopes[-2] if len(scopes) >= 2 else None
    if outermost is None or outermost is decorated:
        return True
    if not isinstance(outermost, FuncDef) or not outermost.name.startswith("test"):
        return True
    end = outermost.end_line if outermost.end_line is not None else outermost.line
    if outermost.line <= decorated.line <= end:
        return True  # decorated inside the test: it runs there
    return outermost.name in module.referenced_names
