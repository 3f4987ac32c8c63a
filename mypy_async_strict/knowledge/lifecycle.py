"""Statements that change a mock's rules from a point on: `m.mock_add_spec(S)` and `seal(m)`.

CPython (3.10-3.13):

- `m.mock_add_spec(S)` gives `m` the spec `S` from then on (a class, an instance, a list of
  names, or None for none): a name `S` lacks raises AttributeError, even for a child made
  before; a child made before (read, configured) keeps its kind, one made after follows `S`
  (an `async def` of `S` becomes an AsyncMock).  Attributes set on `m` (`m.x = 1`) stay.
- `seal(m)` stops `m`, and the child mocks it made, from making new children: reading an
  attribute, or calling a mock whose return value was never made, raises AttributeError
  (`mock.x`), spec or not.  What was made before the seal (read, configured, set, given as a
  constructor keyword) stays.

Both are judged conservatively, from one scan of the function that builds the mock: the mock
is a local variable bound once to a mock constructor, with no alias; the statement runs before
the query on every path (an earlier statement in a block that encloses it); and nothing that
might have made or replaced the queried attribute (any mention of it, any configuration of the
mock, the mock handed to other code) may run before.  Anything else: no verdict.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Final

from mypy.nodes import (
    AssertStmt,
    AssignmentStmt,
    CallExpr,
    ComparisonExpr,
    IntExpr,
    ListExpr,
    NameExpr,
    ClassDef,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncItem,
    IndexExpr,
    MemberExpr,
    MypyFile,
    Node,
    RefExpr,
    StrExpr,
    TupleExpr,
    Var,
)
from mypy.plugin import CheckerPluginInterface

from mypy_async_strict.knowledge.provenance import (
    Path,
    ScanCache,
    ScopeFacts,
    blocks_at,
    constructor_events,
    is_mock_constructor,
    path_of,
    scopes_of,
)
from mypy_async_strict.knowledge.syntax import layout

SEAL: Final = "unittest.mock.seal"
ANY_NAME: Final = "*"  # `getattr(m, name)` with a computed name: may make any child
PROBES: Final = frozenset({"builtins.hasattr", "builtins.getattr", "builtins.setattr", "builtins.delattr"})


@dataclass(frozen=True)
class Step:
    """A `m.mock_add_spec(...)` or `seal(m)` statement of the scope's own body."""

    call: CallExpr
    path: Path
    line: int


@dataclass
class LifecycleFacts:
    add_specs: list[Step] = field(default_factory=list)
    seals: list[Step] = field(default_factory=list)
    # every mock path mentioned in the scope: (path, line, inside a nested function or class)
    mentions: list[tuple[Path, int, bool]] = field(default_factory=list)
    # ids of calls whose `.start()` is called on the spot (`patch.object(...).start()`)
    started: set[int] = field(default_factory=set)
    # attribute names the scope may create on some object: `X.name = ...`, `setattr(X, "name",
    # ...)`, a patch with `create=` (ANY_NAME: a computed name)
    created: set[str] = field(default_factory=set)
    # id(`x.await_count` and kin) -> how the statement around it fails when `x` is a sync mock
    stat_uses: dict[int, str] = field(default_factory=dict)
    # `for m in [a, b]:` (a list or tuple display) in the scope's own body, by loop variable
    display_loops: dict[Var, list[ForStmt]] = field(default_factory=dict)


class _Scanner:
    def __init__(self, facts: LifecycleFacts, layouts: dict[type, tuple[str, ...]]) -> None:
        self.facts = facts
        self.layouts = layouts
        self.depth = 0

    def walk(self, node: object, scope: object) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                self.walk(item, scope)
            return
        if not isinstance(node, Node):
            return
        nested = isinstance(node, (FuncItem, ClassDef)) and node is not scope
        self.depth += nested
        self._record(node)
        for attribute in layout(self.layouts, type(node)):
            child = getattr(node, attribute, None)
            if child is not None and not isinstance(child, (str, int, float)):
                self.walk(child, scope)
        self.depth -= nested

    def _record(self, node: Node) -> None:
        self._creations(node)
        self._stat_uses(node)
        nested = self.depth > 0
        if isinstance(node, ForStmt) and isinstance(node.index, NameExpr) and isinstance(node.index.node, Var):
            if not nested and not node.is_async and isinstance(node.expr, (ListExpr, TupleExpr)):
                self.facts.display_loops.setdefault(node.index.node, []).append(node)
        if isinstance(node, ExpressionStmt) and isinstance(node.expr, CallExpr) and not nested:
            self._statement(node.expr)
        if isinstance(node, (MemberExpr, CallExpr, IndexExpr)):
            path = path_of(node)
            if path is not None:
                self.facts.mentions.append((path, node.line, nested))
        if isinstance(node, CallExpr) and isinstance(node.callee, RefExpr) and node.callee.fullname in PROBES:
            target = path_of(node.args[0]) if node.args else None
            if target is not None:
                name = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], StrExpr) else ANY_NAME
                self.facts.mentions.append((target.extend(name), node.line, nested))

    def _stat_uses(self, node: Node) -> None:
        """`assert m.x.await_count == 1`, `m.x.await_count > 0`, `assertEqual(m.x.await_count,
        1)`, `assert m.x.await_args is None`, `assert m.x.await_args_list == []`: certain
        failures when the statistic is a child mock (never equal, never None, not orderable)."""
        if isinstance(node, ComparisonExpr) and len(node.operands) == 2:
            left, right = node.operands
            operator = node.operators[0]
            for stat, other in ((left, right), (right, left)):
                if _stat(stat) == "await_count" and operator in ORDERING and isinstance(other, IntExpr):
                    self.facts.stat_uses[id(stat)] = "TypeError"
        if isinstance(node, AssertStmt) and isinstance(node.expr, ComparisonExpr):
            comparison = node.expr
            if len(comparison.operands) == 2:
                left, right = comparison.operands
                for stat, other in ((left, right), (right, left)):
                    if _never(_stat(stat), comparison.operators[0], other):
                        self.facts.stat_uses[id(stat)] = "AssertionError"
        if isinstance(node, CallExpr) and isinstance(node.callee, MemberExpr) and len(node.args) >= 1:
            name = node.callee.name
            if name in ("assertEqual", "assertEquals") and len(node.args) >= 2:
                left, right = node.args[0], node.args[1]
                for stat, other in ((left, right), (right, left)):
                    if _never(_stat(stat), "==", other):
                        self.facts.stat_uses[id(stat)] = "AssertionError"
            elif name == "assertIsNone" and _stat(node.args[0]) == "await_args":
                self.facts.stat_uses[id(node.args[0])] = "AssertionError"

    def _creations(self, node: Node) -> None:
        if isinstance(node, AssignmentStmt):
            for lvalue in node.lvalues:
                if isinstance(lvalue, MemberExpr):
                    self.facts.created.add(lvalue.name)
        if not isinstance(node, CallExpr):
            return
        callee = node.callee
        if isinstance(callee, MemberExpr) and callee.name == "start" and isinstance(callee.expr, CallExpr):
            self.facts.started.add(id(callee.expr))
        if isinstance(callee, RefExpr) and callee.fullname == "builtins.setattr":
            second = node.args[1] if len(node.args) > 1 else None
            self.facts.created.add(second.value if isinstance(second, StrExpr) else ANY_NAME)
        if "create" in node.arg_names:
            strings = [arg.value for arg in node.args if isinstance(arg, StrExpr)]
            self.facts.created.update(name.rpartition(".")[2] for name in strings)
            self.facts.created.update(name for name in node.arg_names if name is not None)

    def _statement(self, call: CallExpr) -> None:
        callee = call.callee
        if isinstance(callee, MemberExpr) and callee.name == "mock_add_spec":
            path = path_of(callee.expr)
            if path is not None:
                self.facts.add_specs.append(Step(call, path, call.line))
        elif isinstance(callee, RefExpr) and callee.fullname == SEAL and len(call.args) == 1:
            path = path_of(call.args[0])
            if path is not None:
                self.facts.seals.append(Step(call, path, call.line))


ORDERING: Final = frozenset({"<", "<=", ">", ">="})
AWAIT_STATISTICS: Final = frozenset({"await_count", "await_args", "await_args_list"})


def _stat(expr: Expression) -> str | None:
    return expr.name if isinstance(expr, MemberExpr) and expr.name in AWAIT_STATISTICS else None


def _never(stat: str | None, operator: str, other: Expression) -> bool:
    """Whether `<child mock> <operator> other` is certainly false."""
    if stat == "await_count":
        return operator == "==" and isinstance(other, IntExpr)
    if stat == "await_args":
        return operator == "is" and isinstance(other, NameExpr) and other.fullname == "builtins.None"
    if stat == "await_args_list":
        return operator == "==" and isinstance(other, ListExpr) and not other.items
    return False


class LifecycleCache:
    """One scan per scope (bounded, keyed like provenance's ScanCache)."""

    def __init__(self, size: int = 128) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, int], tuple[object, LifecycleFacts]] = OrderedDict()
        self._layouts: dict[type, tuple[str, ...]] = {}

    def facts(self, scope: FuncItem | MypyFile) -> LifecycleFacts:
        body = scope.defs if isinstance(scope, MypyFile) else scope.body
        key = (id(scope), id(body))
        cached = self._entries.get(key)
        if cached is not None and cached[0] is body:
            self._entries.move_to_end(key)
            return cached[1]
        facts = LifecycleFacts()
        _Scanner(facts, self._layouts).walk(scope.defs if isinstance(scope, MypyFile) else scope, scope)
        self._entries[key] = (body, facts)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return facts


LIFECYCLES: Final = LifecycleCache()


@dataclass(frozen=True)
class Local:
    """A query in the function that builds its mock: the facts, and the mock's constructor."""

    scope: ScopeFacts
    lifecycle: LifecycleFacts
    constructor: CallExpr
    path: Path
    line: int
    expr: Expression


def local(
    api: CheckerPluginInterface, cache: ScanCache, expr: Expression, below: tuple[str, ...] = ()
) -> Local | None:
    """`expr` (a path, extended by `below`) when its root is a local variable of the current
    function, bound once to a mock constructor, that no other variable aliases."""
    scopes = scopes_of(api)
    path = path_of(expr)
    if path is not None:
        path = path.extend(*below)
    if not scopes or path is None or not isinstance(path.root, Var):
        return None
    scope = scopes[0]
    if isinstance(scope, MypyFile):
        return None
    facts = cache.facts(scope)
    values = facts.definitions.get(path.root)
    if values is None or len(values) != 1 or values[0] is None or not is_mock_constructor(values[0]):
        return None
    constructor = values[0]
    assert isinstance(constructor, CallExpr)
    if facts.foreign_configuration or _aliased(facts, path.root):
        return None
    return Local(facts, LIFECYCLES.facts(scope), constructor, path, expr.line, expr)


def _aliased(facts: ScopeFacts, root: Var) -> bool:
    for var, values in facts.definitions.items():
        if var is root:
            continue
        for value in values:
            aliased = path_of(value) if value is not None else None
            if aliased is not None and aliased.root is root:
                return True
    return False


def dominates(facts: ScopeFacts, statement: Step, line: int) -> bool:
    """Whether the statement ran before `line` on every path: earlier, in a block enclosing it."""
    if statement.line >= line:
        return False
    own = blocks_at(facts, statement.line)
    query = blocks_at(facts, line)
    return own is not None and query is not None and query[: len(own)] == own


def _may_run_before(facts: ScopeFacts, line: int, nested: bool, point: int) -> bool:
    """Whether code at `line` may run before `point` (straight-line order, loops, closures)."""
    if nested or line < point:
        return True
    return any(start <= line <= end and start <= point <= end for start, end in facts.loops)


def _within(expr: Expression, target: Expression | None) -> bool:
    """Whether `expr` is part of `target`'s chain (`m.x` in the store `m.x.return_value = 1`)."""
    for _ in range(32):
        if target is None:
            return False
        if target is expr:
            return True
        target = target.expr if isinstance(target, MemberExpr) else target.callee if isinstance(target, CallExpr) else None
    return False


def _related(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One path is a prefix of the other."""
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def untouched(local: Local, created: tuple[str, ...], since: int, skip: CallExpr) -> bool:
    """Whether nothing that may run before the query configures, replaces or hands out a path
    related to the query's (a prefix or an extension of it), other than the statement `skip`;
    and nothing mentions a path at or below `created` before `since` (which would have made it)."""
    root = local.path.root
    segments = local.path.segments
    events = list(local.scope.events) + constructor_events(local.constructor, Path(root, ()), local.constructor.line)
    for event in events:
        if event.path.root is not root or event.target is skip or event.into is skip:
            continue
        if not _related(event.path.segments, segments):
            continue
        if event.definition or _may_run_before(local.scope, event.line, event.nested, local.line):
            return False
        if event.line == local.line and not _within(local.expr, event.target):
            return False  # the same line: maybe an earlier statement (`m.x = 1; m.x.y`)
    for path, line, nested in local.lifecycle.mentions:
        if path.root is not root:
            continue
        below = path.segments[: len(created)] == created
        if ANY_NAME in path.segments:
            below = below or _related(path.segments[: path.segments.index(ANY_NAME)], created)
        if below and _may_run_before(local.scope, line, nested, since):
            return False
    return True


def sealed_at(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Step | None:
    """The `seal(...)` that makes `expr` raise AttributeError: an attribute of a sealed mock, or
    the call of one (its return value), that nothing made before the seal."""
    found = local(api, cache, expr)
    if found is None or not found.path.segments:
        return None
    segments = found.path.segments
    for seal in found.lifecycle.seals:
        if seal.path.root is not found.path.root:
            continue
        sealed = seal.path.segments
        if len(sealed) >= len(segments) or segments[: len(sealed)] != sealed:
            continue  # sealed below the query's parent, or elsewhere
        if dominates(found.scope, seal, found.line) and untouched(found, segments, seal.line, seal.call):
            return seal
    return None


def added_spec(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Step | None:
    """The `m.mock_add_spec(...)` that decides what `expr` (`m.x`, `m.x.y`, `m.x()`) is: the only
    one on `m`, run before on every path, with nothing that made `m.x` before it, or that may
    have configured or replaced `expr` before the query."""
    found = local(api, cache, expr)
    if found is None or not found.path.segments:
        return None
    statements = [s for s in found.lifecycle.add_specs if s.path.root is found.path.root]
    if len(statements) != 1 or statements[0].path.segments:
        return None
    statement = statements[0]
    if not dominates(found.scope, statement, found.line):
        return None
    if not untouched(found, found.path.segments[:1], statement.line, statement.call):
        return None
    return statement
