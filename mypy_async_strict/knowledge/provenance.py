"""Where a mock came from and what the code did to it: the certainty behind every diagnostic.

A mock's attribute is its default child only until something replaces it (`m.x = ...`,
`m.x.return_value = ...`, `m.x.side_effect = ...`, `configure_mock`, constructor keywords) or
the mock escapes to code the plugin does not see (passed to a helper, stored, returned).  So the
plugin types `m.x` and `m.x()` from the model only when `m` was built by a mock constructor in
code it can read, and no event in that code can have changed the path before the access.

Paths are a root (a variable, or the constructor call itself) and segments: attribute names and
`()` for a call's return value (`m.x.return_value` is the same path as `m.x()`).
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Final, Union

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR2,
    AssertStmt,
    AssignmentExpr,
    AssignmentStmt,
    AwaitExpr,
    Block,
    CallExpr,
    ClassDef,
    Decorator,
    ComparisonExpr,
    ConditionalExpr,
    Context,
    DelStmt,
    DictExpr,
    DictionaryComprehension,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    GlobalDecl,
    IfStmt,
    IndexExpr,
    ListComprehension,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    NonlocalDecl,
    OperatorAssignmentStmt,
    OpExpr,
    RefExpr,
    SetComprehension,
    StarExpr,
    Statement,
    StrExpr,
    TupleExpr,
    UnaryExpr,
    Var,
    WhileStmt,
    WithStmt,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import Type

from mypy_async_strict import fullnames
from mypy_async_strict.compat import check_under_way
from mypy_async_strict.knowledge.positions import PositionRecorder
from mypy_async_strict.knowledge.summaries import SummaryIndex
from mypy_async_strict.knowledge.syntax import layout

CALL: Final = "()"
Root = Union[Var, CallExpr]
Scope = Union[FuncItem, MypyFile]

# Constructor keywords that configure nothing on the mock.
NON_CONFIGURING_KEYWORDS: Final = frozenset(
    {
        "spec", "spec_set", "name", "parent", "unsafe", "instance", "_new_name", "_new_parent",
        # patch.object's own keywords
        "new_callable", "autospec", "create",
        # mocker.spy's
        "duplicate_iterators",
    }
)


class Usage(enum.Enum):
    """How a statement or operator uses an expression's value."""

    WITH = "with"
    ASYNC_WITH = "async with"
    FOR = "for"
    ASYNC_FOR = "async for"
    BOOL = "boolean context"
    COMPARE = "comparison"


class EventKind(enum.Enum):
    REPLACE = "replace"  # the object at the path is replaced (assigned, deleted)
    SUBTREE = "subtree"  # anything below the path may be replaced (configure_mock, setattr, wraps)
    ESCAPE = "escape"  # the object at the path reaches code the plugin does not follow


@dataclass(frozen=True)
class Path:
    root: Root
    segments: tuple[str, ...]

    def extend(self, *segments: str) -> Path:
        return Path(self.root, self.segments + segments)


@dataclass(frozen=True)
class Event:
    kind: EventKind
    path: Path
    line: int
    nested: bool  # inside a function or class nested in the scope: may run at any time
    value: Expression | None = None  # what a REPLACE assigned, when it was a single value
    target: Expression | None = None  # the assigned expression itself
    blocks: tuple[int, ...] = ()  # ids of the blocks enclosing the event, outermost first
    definition: bool = False  # a keyword of the constructor that made the mock: always in effect
    into: CallExpr | None = None  # ESCAPE as an argument: the call it is passed to
    side_effect: bool = False  # a REPLACE of a call's result through `side_effect`
    # An ESCAPE of an object holding the mock at this attribute path (`svc` for `svc.session`).
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredReturn:
    """Where a value becomes a mock's return value: `owner.return_value = v` (member None),
    `owner.configure_mock(**{"member.return_value": v})`, or `owner` a constructor or patch
    call with `return_value=v`."""

    owner: Expression
    member: str | None = None
    via: CallExpr | None = None  # the `configure_mock(...)` call that sets it


@dataclass
class ScopeFacts:
    """Everything one function (or module) does to mock paths."""

    scope: Scope
    definitions: dict[Var, list[Expression | None]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    loops: list[tuple[int, int]] = field(default_factory=list)
    usage: dict[int, Usage] = field(default_factory=dict)  # id(expression) -> how it is used
    # ids of expressions used in place (see positions.py): elsewhere a value is stored, and
    # gets the type plain mypy gives it.
    in_place: set[int] = field(default_factory=set)
    # Variables never bound here (parameters) whose every read is in place.
    read_in_place: set[Var] = field(default_factory=set)
    # Attribute names that code here patches or assigns (`patch.object(C, "fetch")`,
    # `patch("pkg.mod.fetch")`, `patch.multiple(C, fetch=...)`, `C.fetch = ...`,
    # `monkeypatch.setattr(C, "fetch", ...)`): a call of a real `fetch` may reach a stand-in.
    patched_names: set[str] = field(default_factory=set)
    # Names a function's patch decorators replace, with the function: only while it runs
    # (`@patch("app.worker.asyncio.sleep")` on one test leaves `asyncio.sleep` in the others).
    decorator_patches: list[tuple[frozenset[str], FuncDef]] = field(default_factory=list)
    # Every name read as a variable or an attribute anywhere here (`test_a()`, `self.helper`):
    # a function whose name is not among them is called by no code of this scope.
    referenced_names: set[str] = field(default_factory=set)
    # id(expression) -> the `await` whose operand it is (`await m.fetch()`)
    awaited: dict[int, AwaitExpr] = field(default_factory=dict)
    # ids of `with` items (`with patch.object(...) as m` binds the mock, not the patcher)
    with_items: set[int] = field(default_factory=set)
    # A return value, side effect or configuration set through an expression the plugin does
    # not follow (`getattr(Service, "fetch").return_value = ...`): any mock may be affected.
    foreign_configuration: bool = False
    # (first line, last line) of blocks where failing is expected: `with pytest.raises(...)`,
    # `with self.assertRaises(...)`.
    expects_failure: list[tuple[int, int]] = field(default_factory=list)
    # ids of expressions whose assertion methods are read (`m.x` in `m.x.assert_called()`)
    asserted: set[int] = field(default_factory=set)
    # id(value expression) -> the mock whose return value it becomes (see StoredReturn).
    return_values: dict[int, StoredReturn] = field(default_factory=dict)
    # (first line, last line, enclosing blocks) of every statement: where a line runs.
    statements: list[tuple[int, int, tuple[int, ...]]] = field(default_factory=list)
    # Derived by certainty.py on first use: events with aliases followed; constructor keywords.
    rooted: list[Event] | None = None
    constructed: dict[int, list[Event]] = field(default_factory=dict)


def is_mock_constructor(expr: Expression) -> bool:
    """A call that makes a fresh mock: a mock class, `create_autospec`, `patch.object(...)`
    (as a `with` item) or `patch.object(...).start()`."""
    if not isinstance(expr, CallExpr):
        return False
    callee = expr.callee
    if isinstance(callee, RefExpr) and (
        callee.fullname in fullnames.MOCK_CONSTRUCTORS or callee.fullname == fullnames.CREATE_AUTOSPEC
    ):
        return True
    if isinstance(callee, MemberExpr) and callee.name == "start":
        return is_patch_call(callee.expr) or is_patch_multiple(callee.expr)
    if isinstance(callee, MemberExpr) and callee.name in fullnames.MOCKER_FACTORIES:
        return _is_mocker(callee.expr)  # mocker.MagicMock(...), mocker.create_autospec(...)
    return is_patch_call(expr) or is_patch_multiple(expr)


def is_patch_multiple(expr: Expression) -> bool:
    """`patch.multiple(...)` or `mocker.patch.multiple(...)`: a fresh dict of fresh mocks."""
    if not isinstance(expr, CallExpr) or not isinstance(expr.callee, MemberExpr):
        return False
    return expr.callee.name == "multiple" and _is_patcher(expr.callee.expr)


def is_patch_call(expr: Expression) -> bool:
    """A call that installs a fresh mock: `patch.object(...)`, `patch("pkg.mod.name")`, or
    pytest-mock's `mocker.patch.object(...)` and `mocker.patch(...)`."""
    if not isinstance(expr, CallExpr) or not isinstance(expr.callee, RefExpr):
        return False
    if _is_patcher(expr.callee):
        return True  # patch("..."), mocker.patch("...")
    if not isinstance(expr.callee, MemberExpr) or expr.callee.name != "object":
        return False
    return _is_patcher(expr.callee.expr)


def _is_patcher(expr: Expression) -> bool:
    """`patch`, or `mocker.patch`."""
    if isinstance(expr, RefExpr) and expr.fullname == fullnames.PATCH:
        return True
    return isinstance(expr, MemberExpr) and expr.name == "patch" and _is_mocker(expr.expr)


def _is_spy(call: CallExpr) -> bool:
    callee = call.callee
    return isinstance(callee, MemberExpr) and callee.name == "spy" and _is_mocker(callee.expr)


# Context managers that assert that their body raises: the failure is what the test checks.
# (`suppress(...)` and `try` only hide a failure: still reported.)
EXPECTING_FAILURE: Final = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})


def _expects_failure(item: Expression) -> bool:
    """`pytest.raises(...)`, `self.assertRaises(...)`."""
    callee = item.callee if isinstance(item, CallExpr) else None
    name = callee.name if isinstance(callee, (NameExpr, MemberExpr)) else None
    return name in EXPECTING_FAILURE


def _is_mocker(expr: Expression) -> bool:
    """A `mocker` fixture by name: provenance is syntactic (the hooks check the real type)."""
    return isinstance(expr, NameExpr) and expr.name == "mocker"


def through_mocker(call: CallExpr) -> bool:
    """`mocker.patch(...)`, `mocker.patch.object(...)`: pytest-mock's, which start at once and
    return the mock (unittest's return a patcher)."""
    callee = call.callee
    while isinstance(callee, MemberExpr):
        callee = callee.expr
    return _is_mocker(callee)


def configuring_call(expr: CallExpr) -> CallExpr:
    """The call whose keywords configure the mock: `patch.object(...)` for its `.start()`."""
    callee = expr.callee
    if isinstance(callee, MemberExpr) and callee.name == "start" and isinstance(callee.expr, CallExpr):
        return callee.expr
    return expr


def path_of(expr: Expression) -> Path | None:
    """The path an expression denotes, or None if it is not a chain of names, attributes, calls."""
    if isinstance(expr, NameExpr):
        return Path(expr.node, ()) if isinstance(expr.node, Var) else None
    if isinstance(expr, MemberExpr):
        base = path_of(expr.expr)
        if base is None:
            return None
        return base.extend(CALL if expr.name == "return_value" else expr.name)
    if isinstance(expr, CallExpr):
        if is_mock_constructor(expr):
            return Path(expr, ())
        callee = path_of(expr.callee)
        return callee.extend(CALL) if callee is not None else None
    if isinstance(expr, AwaitExpr):
        # Awaiting an AsyncMock's call gives its return_value: the same path as the call.
        return path_of(expr.expr)
    if _is_item_read(expr):
        assert isinstance(expr, IndexExpr) and isinstance(expr.index, StrExpr)
        # `mocks["fetch"]` of a `patch.multiple(...)` dict (other dicts are never mocks' roots).
        base = path_of(expr.base)
        return base.extend(f"[{expr.index.value}]") if base is not None else None
    return None


def entered(item: Expression, is_async: bool) -> CallExpr | None:
    """`m.__enter__()` for the item of `with m as x` (for `async with`, `m.__aenter__()`, whose
    await has the same path): the value `x` is bound to, as a path."""
    if path_of(item) is None:
        return None
    method = MemberExpr(item, "__aenter__" if is_async else "__enter__")
    method.set_line(item)
    call = CallExpr(method, [], [], [])
    call.set_line(item)
    return call


def _patched_names(call: CallExpr) -> set[str]:
    """The attribute names a patching call replaces (by name: the check is syntactic)."""
    callee = call.callee
    name = callee.name if isinstance(callee, (NameExpr, MemberExpr)) else None
    strings = [arg.value for arg in call.args if isinstance(arg, StrExpr)]
    if name in ("object", "setattr") and strings:
        return {strings[0].rpartition(".")[2]} if name == "setattr" else {strings[0]}
    if name == "patch" and strings:
        return {strings[0].rpartition(".")[2]}
    if name == "multiple":
        return {arg_name for arg_name in call.arg_names if arg_name is not None}
    return set()


def _is_item_read(expr: Expression) -> bool:
    """`mocks["fetch"]` (not `m.__dict__["fetch"]`, which sets an attribute of `m`)."""
    if not isinstance(expr, IndexExpr) or not isinstance(expr.index, StrExpr):
        return False
    return not (isinstance(expr.base, MemberExpr) and expr.base.name.startswith("__"))


def constructor_events(call: CallExpr, at: Path, line: int) -> list[Event]:
    """What a mock constructor's keywords configure, as events below `at`."""
    return [replace(event, definition=True) for event in _keyword_configuration(call, at, line)]


def _keyword_configuration(call: CallExpr, at: Path, line: int) -> list[Event]:
    call = configuring_call(call)
    events: list[Event] = []
    if is_patch_multiple(call):
        return []  # `fetch=DEFAULT`: which mocks to make, not configuration
    if _is_spy(call):
        # `mocker.spy` sets a side_effect that runs the real code: calls return real values.
        events.append(Event(EventKind.REPLACE, at.extend(CALL), line, nested=False))
    for name, kind, arg in zip(call.arg_names, call.arg_kinds, call.args):
        if kind == ARG_STAR2:
            events.extend(_unpacked_keyword_events(arg, at, line))
        elif kind == ARG_NAMED and name is not None:
            events.extend(_keyword_events(name, arg, at, line))
        elif kind != ARG_POS:
            events.append(Event(EventKind.SUBTREE, at, line, nested=False))
    return events


def _keyword_events(name: str, value: Expression, at: Path, line: int) -> list[Event]:
    if name in NON_CONFIGURING_KEYWORDS:
        return []
    if name == "wraps":
        return [Event(EventKind.SUBTREE, at, line, nested=False)]
    if name == "return_value":
        return [Event(EventKind.REPLACE, at.extend(CALL), line, nested=False, value=value)]
    if name == "side_effect":
        return [Event(EventKind.REPLACE, at.extend(CALL), line, nested=False, value=value, side_effect=True)]
    segments = tuple(CALL if part == "return_value" else part for part in name.split("."))
    if segments and segments[-1] == "side_effect":
        path = at.extend(*segments[:-1], CALL)
        return [Event(EventKind.REPLACE, path, line, nested=False, value=value, side_effect=True)]
    return [Event(EventKind.REPLACE, at.extend(*segments), line, nested=False, value=value)]


def _unpacked_keyword_events(arg: Expression, at: Path, line: int) -> list[Event]:
    if not isinstance(arg, DictExpr):
        return [Event(EventKind.SUBTREE, at, line, nested=False)]
    events: list[Event] = []
    for key, value in arg.items:
        if not isinstance(key, StrExpr):
            return [Event(EventKind.SUBTREE, at, line, nested=False)]
        events.extend(_keyword_events(key.value, value, at, line))
    return events


class _ScopeScanner:
    """Collects definitions, configuring events and escapes in one scope."""

    def __init__(self, facts: ScopeFacts, layouts: dict[type, tuple[str, ...]]) -> None:
        self.facts = facts
        self.layouts = layouts  # node class -> which CHILD_ATTRIBUTES it has
        self.depth = 0  # nesting below the scope's own body
        self.harmless: set[int] = set()  # ids of expressions in positions that keep no reference
        self.occurrences: list[tuple[Expression, int, bool]] = []
        self.shared_names: set[str] = set()  # `global`/`nonlocal`: assigned from other scopes too
        self.blocks: list[int] = []
        self.positions = PositionRecorder()
        self.argument_of: dict[int, CallExpr] = {}  # id(argument) -> the call it is passed to
        self.display_loops: list[tuple[Var, list[Expression]]] = []  # `for v in [a, b]:`
        self.scoped_patch_calls: set[int] = set()  # ids of patch calls decorating a function

    def walk(self, node: object) -> None:
        if isinstance(node, list) or isinstance(node, tuple):
            for item in node:
                self.walk(item)
            return
        if not isinstance(node, Node):
            return
        nested = self._enters_nested_scope(node)
        self.depth += nested
        if isinstance(node, Statement) and not isinstance(node, Block):
            end = node.end_line if node.end_line is not None else node.line
            self.facts.statements.append((node.line, end, tuple(self.blocks)))
        self._record(node)
        is_block = isinstance(node, Block)
        if is_block:
            self.blocks.append(id(node))
        for attribute in self._layout(type(node)):
            child = getattr(node, attribute, None)
            if child is not None and not isinstance(child, (str, int, float)):
                self.walk(child)
        if is_block:
            self.blocks.pop()
        self.depth -= nested

    def _layout(self, node_class: type) -> tuple[str, ...]:
        return layout(self.layouts, node_class)

    def _enters_nested_scope(self, node: Node) -> bool:
        if isinstance(node, (FuncItem, ClassDef)):
            return node is not self.facts.scope
        return False

    def _record(self, node: Node) -> None:
        self.positions.record(node)
        if isinstance(node, FuncItem) and node is self.facts.scope:
            for argument in node.arguments:
                self.facts.definitions.setdefault(argument.variable, []).append(None)
            return
        handler = _RECORDERS.get(type(node))
        if handler is not None:
            handler(self, node)

    def _record_assignment(self, node: AssignmentStmt) -> None:
        value = node.rvalue if len(node.lvalues) == 1 else None
        for lvalue in node.lvalues:
            self._assign(lvalue, value)
            if value is not None and isinstance(lvalue, MemberExpr) and lvalue.name == "return_value":
                self.facts.return_values[id(value)] = StoredReturn(lvalue.expr)

    def _record_for(self, node: ForStmt) -> None:
        index = node.index.node if isinstance(node.index, NameExpr) else None
        if isinstance(node.expr, (ListExpr, TupleExpr)) and isinstance(index, Var):
            # A display made to iterate hands its items to the loop variable only (see finish).
            self.harmless.update(id(item) for item in node.expr.items)
            self.display_loops.append((index, node.expr.items))
        self._assign(node.index, None)
        self._loop(node)
        self.facts.usage[id(node.expr)] = Usage.ASYNC_FOR if node.is_async else Usage.FOR

    def _record_while(self, node: WhileStmt) -> None:
        self.harmless.add(id(node.expr))
        self._loop(node)
        self._tested(node.expr)

    def _record_with(self, node: WithStmt) -> None:
        self.facts.with_items.update(id(item) for item in node.expr)
        if any(_expects_failure(item) for item in node.expr):
            self._expect_failure_in(node.body)
        for item, target in zip(node.expr, node.target):
            if target is not None:
                # `with patch.object(...) as m` binds a fresh mock, like a constructor; `with m as
                # x` binds what `m.__enter__()` (or the await of `m.__aenter__()`) returns.
                patched = is_patch_call(item) or is_patch_multiple(item)
                self._assign(target, item if patched else entered(item, node.is_async))
        for item in node.expr:
            self.facts.usage[id(item)] = Usage.ASYNC_WITH if node.is_async else Usage.WITH
            if path_of(item) is not None:
                self.harmless.add(id(item))  # `with m:` only calls m's own magic methods

    def _record_if(self, node: IfStmt) -> None:
        for condition in node.expr:
            self.harmless.add(id(condition))
            self._tested(condition)

    def _record_assert(self, node: AssertStmt) -> None:
        self.harmless.add(id(node.expr))
        self._tested(node.expr)

    def _record_unary(self, node: UnaryExpr) -> None:
        self.harmless.add(id(node.expr))
        if node.op == "not":
            self._tested(node.expr)

    def _record_operator(self, node: OpExpr) -> None:
        self.harmless.update((id(node.left), id(node.right)))
        if node.op == "and":
            # `coro() and x` tests and drops the coroutine; `coro() or x` returns it, so it is
            # tested only when the whole `or` is (see _tested).
            self._tested(node.left)

    def _record_comparison(self, node: ComparisonExpr) -> None:
        self.harmless.update(id(operand) for operand in node.operands)
        for operand in node.operands:
            self.facts.usage.setdefault(id(operand), Usage.COMPARE)

    def _record_conditional(self, node: ConditionalExpr) -> None:
        self._tested(node.cond)

    def _record_comprehension(self, node: GeneratorExpr) -> None:
        for conditions in node.condlists:
            for condition in conditions:
                self._tested(condition)

    def _tested(self, expr: Expression) -> None:
        """`expr`'s truth value is taken; through `not`, `and`, `or` their operands' too."""
        self.facts.usage[id(expr)] = Usage.BOOL
        if isinstance(expr, UnaryExpr) and expr.op == "not":
            self._tested(expr.expr)
        elif isinstance(expr, OpExpr) and expr.op in ("and", "or"):
            self._tested(expr.left)
            self._tested(expr.right)

    def _record_name(self, node: NameExpr) -> None:
        self.facts.referenced_names.add(node.name)
        self._occurs(node)

    def _record_member(self, node: MemberExpr) -> None:
        self.facts.referenced_names.add(node.name)
        self.harmless.add(id(node.expr))
        if node.name.startswith(fullnames.ASSERTION_PREFIXES):
            self.facts.asserted.add(id(node.expr))
        self._occurs(node)

    def _record_await(self, node: AwaitExpr) -> None:
        self.harmless.add(id(node.expr))
        self.facts.awaited[id(node.expr)] = node

    def _record_index(self, node: IndexExpr) -> None:
        """`mocks["fetch"]` reads an item: the dict itself does not escape."""
        if _is_item_read(node):
            self.harmless.add(id(node.base))
            self._occurs(node)

    def _record_decorator(self, node: Decorator) -> None:
        for decorator in node.decorators:
            names = _patched_names(decorator) if isinstance(decorator, CallExpr) else set()
            if names:
                self.scoped_patch_calls.add(id(decorator))
                self.facts.decorator_patches.append((frozenset(names), node.func))

    def _record_call(self, node: CallExpr) -> None:
        self.harmless.add(id(node.callee))
        if id(node) not in self.scoped_patch_calls:
            self.facts.patched_names.update(_patched_names(node))
        for kind, arg in zip(node.arg_kinds, node.args):
            if kind in (ARG_POS, ARG_NAMED):
                self.argument_of[id(arg)] = node
        if self._inspects_arguments(node):
            self.harmless.update(id(arg) for arg in node.args)
        self._configuring_call(node)
        self._stored_returns(node)
        self._occurs(node)

    def _record_harmless_operand(self, node: ExpressionStmt | AssertStmt | AwaitExpr | UnaryExpr) -> None:
        self.harmless.add(id(node.expr))

    # -- helpers -------------------------------------------------------------------------
    def _assign(self, lvalue: Expression, value: Expression | None) -> None:
        self.harmless.add(id(lvalue))
        if isinstance(lvalue, (TupleExpr, ListExpr)):
            for item in lvalue.items:
                self._assign(item, None)
            return
        if isinstance(lvalue, StarExpr):
            self._assign(lvalue.expr, None)
            return
        if isinstance(lvalue, NameExpr) and isinstance(lvalue.node, Var):
            self.facts.definitions.setdefault(lvalue.node, []).append(value)
            if value is not None and path_of(value) is not None:
                # A fresh mock, or an alias whose events are followed through it.
                self.harmless.add(id(value))
            return
        if isinstance(lvalue, MemberExpr):
            self.facts.patched_names.add(lvalue.name)
        path = path_of(lvalue)
        if path is None:
            if isinstance(lvalue, MemberExpr) and lvalue.name in ("return_value", "side_effect"):
                self.facts.foreign_configuration = True
            return
        if path.segments and path.segments[-1] == "side_effect":
            calls = Path(path.root, path.segments[:-1] + (CALL,))
            self._event(EventKind.REPLACE, calls, lvalue, value, target=lvalue, side_effect=True)
        else:
            self._event(EventKind.REPLACE, path, lvalue, value, target=lvalue)

    def _stored_returns(self, call: CallExpr) -> None:
        """`AsyncMock(return_value=v)`, `patch.object(..., return_value=v)`,
        `m.configure_mock(**{"x.return_value": v})`."""
        configures = isinstance(call.callee, MemberExpr) and call.callee.name == "configure_mock"
        if not configures and not is_mock_constructor(call):
            return
        owner = call.callee.expr if configures and isinstance(call.callee, MemberExpr) else call
        for name, kind, arg in zip(call.arg_names, call.arg_kinds, call.args):
            if kind == ARG_NAMED and name == "return_value":
                self.facts.return_values[id(arg)] = StoredReturn(owner)
            elif kind == ARG_STAR2 and isinstance(arg, DictExpr):
                for key, value in arg.items:
                    if isinstance(key, StrExpr) and key.value.count(".") == 1:
                        member, _, last = key.value.partition(".")
                        if last == "return_value":
                            self.facts.return_values[id(value)] = StoredReturn(owner, member, call)

    def _expect_failure_in(self, body: Block) -> None:
        end = body.end_line if body.end_line is not None else body.line
        if body.body:
            last = body.body[-1]
            end = max(end, last.end_line if last.end_line is not None else last.line)
            self.facts.expects_failure.append((body.body[0].line, end))

    def _configuring_call(self, call: CallExpr) -> None:
        if isinstance(call.callee, NameExpr) and call.callee.fullname == "builtins.setattr":
            target = path_of(call.args[0]) if call.args else None
            if target is not None:
                self._event(EventKind.SUBTREE, target, call, target=call)
            elif len(call.args) < 2 or not isinstance(call.args[1], StrExpr) or call.args[1].value in (
                "return_value",
                "side_effect",
            ):
                self.facts.foreign_configuration = True
            return
        callee = call.callee
        if isinstance(callee, MemberExpr) and isinstance(callee.expr, MemberExpr) and callee.expr.name == "__dict__":
            owner = path_of(callee.expr.expr)  # `m.__dict__.update(...)` sets m's attributes
            if owner is not None:
                self._event(EventKind.SUBTREE, owner, call, target=call)
            return
        if isinstance(call.callee, MemberExpr) and call.callee.name in fullnames.CONFIGURING_METHODS:
            target = path_of(call.callee.expr)
            if target is not None and call.callee.name == "configure_mock":
                # Read like constructor keywords: `configure_mock(**{"get.return_value": v})`.
                for event in _keyword_configuration(call, target, call.line):
                    self.facts.events.append(
                        replace(event, nested=self.depth > 0, blocks=tuple(self.blocks), target=call)
                    )
            elif target is not None:
                self._event(EventKind.SUBTREE, target, call, target=call)
            elif call.callee.name == "configure_mock":
                self.facts.foreign_configuration = True

    def _inspects_arguments(self, call: CallExpr) -> bool:
        callee = call.callee
        if isinstance(callee, RefExpr) and callee.fullname in fullnames.INSPECTING_CALLS:
            return True
        # mock.assert_called_with(...), self.assertEqual(...): assertions keep no reference.
        return isinstance(callee, MemberExpr) and callee.name.startswith("assert")

    def _occurs(self, expr: Expression) -> None:
        self.occurrences.append((expr, expr.line, self.depth > 0))

    def _event(
        self,
        kind: EventKind,
        path: Path,
        where: Context,
        value: Expression | None = None,
        target: Expression | None = None,
        side_effect: bool = False,
    ) -> None:
        self.facts.events.append(
            Event(
                kind, path, where.line, self.depth > 0, value, target, tuple(self.blocks),
                side_effect=side_effect,
            )
        )

    def _loop(self, stmt: ForStmt | WhileStmt) -> None:
        end = stmt.end_line if stmt.end_line is not None else stmt.line
        self.facts.loops.append((stmt.line, end))

    def _record_shared(self, node: GlobalDecl | NonlocalDecl) -> None:
        self.shared_names.update(node.names)

    def _handled_out(self, var: Var) -> bool:
        """Whether a loop variable (another name for each item of its display) is bound again,
        configured, replaced below, passed on, or aliased: then the items escape."""
        if len(self.facts.definitions.get(var, [])) != 1 or var.name in self.shared_names:
            return True
        if any(event.path.root is var for event in self.facts.events):
            return True
        for expr, _, _ in self.occurrences:
            path = path_of(expr)
            if path is not None and path.root is var and id(expr) not in self.harmless:
                return True
        return any(
            (aliased := path_of(value) if value is not None else None) is not None and aliased.root is var
            for values in self.facts.definitions.values()
            for value in values
        )

    def finish(self) -> None:
        """Every path expression left in a position that may keep it is an escape; a variable
        declared `global`/`nonlocal` may be rebound anywhere, so it has no single definition."""
        for var, values in self.facts.definitions.items():
            if var.name in self.shared_names:
                values.append(None)
        self.facts.in_place = self.positions.finish(self.shared_names)
        self.facts.read_in_place = self.positions.read_in_place(self.facts.in_place, self.shared_names)
        for var, items in self.display_loops:
            if self._handled_out(var):
                self.harmless.difference_update(id(item) for item in items)  # as the items
        for expr, line, nested in self.occurrences:
            if id(expr) in self.harmless:
                continue
            path = path_of(expr)
            if path is not None and path.segments and path.segments[-1].startswith("__"):
                path = Path(path.root, path.segments[:-1])  # `m.__dict__[...] = ...` changes m
            if path is not None:
                into = self.argument_of.get(id(expr))
                self.facts.events.append(
                    Event(EventKind.ESCAPE, path, line, nested, target=expr, into=into)
                )


# What each node class means for mock paths (exact classes: mypy's node classes are final).
_RECORDERS: Final[dict[type, Callable[[_ScopeScanner, Any], None]]] = {
    AssignmentStmt: _ScopeScanner._record_assignment,
    OperatorAssignmentStmt: lambda scanner, node: scanner._assign(node.lvalue, None),
    DelStmt: lambda scanner, node: scanner._assign(node.expr, None),
    ForStmt: _ScopeScanner._record_for,
    WhileStmt: _ScopeScanner._record_while,
    WithStmt: _ScopeScanner._record_with,
    ExpressionStmt: _ScopeScanner._record_harmless_operand,
    AssertStmt: _ScopeScanner._record_assert,
    AwaitExpr: _ScopeScanner._record_await,
    UnaryExpr: _ScopeScanner._record_unary,
    IfStmt: _ScopeScanner._record_if,
    ComparisonExpr: _ScopeScanner._record_comparison,
    OpExpr: _ScopeScanner._record_operator,
    ConditionalExpr: _ScopeScanner._record_conditional,
    GeneratorExpr: _ScopeScanner._record_comprehension,
    ListComprehension: lambda scanner, node: scanner._record_comprehension(node.generator),
    SetComprehension: lambda scanner, node: scanner._record_comprehension(node.generator),
    DictionaryComprehension: _ScopeScanner._record_comprehension,
    NameExpr: _ScopeScanner._record_name,
    MemberExpr: _ScopeScanner._record_member,
    Decorator: _ScopeScanner._record_decorator,
    IndexExpr: _ScopeScanner._record_index,
    CallExpr: _ScopeScanner._record_call,
    AssignmentExpr: lambda scanner, node: scanner._assign(node.target, None),
    GlobalDecl: _ScopeScanner._record_shared,
    NonlocalDecl: _ScopeScanner._record_shared,
}


def scopes_of(api: CheckerPluginInterface) -> list[Scope]:
    """The functions enclosing the checked expression, innermost first, then the module."""
    scope = getattr(api, "scope", None)
    stack = getattr(scope, "stack", None)
    if not isinstance(stack, list):
        return []
    return [s for s in reversed(stack) if isinstance(s, (FuncItem, MypyFile))]


def blocks_at(facts: ScopeFacts, line: int) -> tuple[int, ...] | None:
    """The blocks enclosing the innermost statement at `line`, or None if none is there."""
    best: tuple[int, int, tuple[int, ...]] | None = None
    for start, end, blocks in facts.statements:
        if start <= line <= end and (best is None or end - start <= best[1] - best[0]):
            best = (start, end, blocks)
    return best[2] if best is not None else None


def scan(scope: Scope, layouts: dict[type, tuple[str, ...]] | None = None) -> ScopeFacts:
    facts = ScopeFacts(scope)
    scanner = _ScopeScanner(facts, layouts if layouts is not None else {})
    scanner.walk(scope.defs if isinstance(scope, MypyFile) else scope)
    scanner.finish()
    return facts


class ScanCache:
    """Scans per scope for one plugin instance; bounded, since the daemon lives long.

    The daemon merges a re-parsed module into the old nodes (the FuncDef keeps its identity but
    gets a new body), so the key holds the body too.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, int], tuple[object, ScopeFacts]] = OrderedDict()
        self._layouts: dict[type, tuple[str, ...]] = {}
        # (id(TypeInfo), number of modules) -> whether some class of the build derives from it
        self.subclassed: OrderedDict[tuple[int, int], bool] = OrderedDict()
        # (id(module), id(its statements)) -> the names its code refers to (None: a computed one)
        self.referenced: OrderedDict[tuple[int, int], frozenset[str] | None] = OrderedDict()
        # Per module (the few being checked): id(expression) -> (expression, the precise type
        # the plugin gave it).  Module-wide, so that a test method sees what its set-up built;
        # the expression is kept to rule out a reused id.
        self._precise: OrderedDict[int, dict[int, tuple[Expression, Type]]] = OrderedDict()
        self.summaries = SummaryIndex()  # what functions do with their parameters
        self._check: object | None = None  # the module check the memo below belongs to
        self._check_memo: dict[object, object] = {}

    def check_memo(self, api: CheckerPluginInterface) -> dict[object, object]:
        """Answers kept for the module check under way, and forgotten when another starts: what
        they read from other modules (fixtures, summaries) may change between checks, in the
        daemon, while the checked nodes stay the same objects."""
        check = check_under_way(api)
        if check is None:
            return {}
        if check is not self._check:
            self._check = check
            self._check_memo = {}
        return self._check_memo

    def remember(self, module: MypyFile, expr: Expression, typ: Type) -> None:
        """Record the precise type of `expr`, also where the expression got a plain one."""
        types = self._precise.get(id(module))
        if types is None:
            types = self._precise[id(module)] = {}
            if len(self._precise) > 8:
                self._precise.popitem(last=False)
        types[id(expr)] = (expr, typ)

    def recall(self, module: MypyFile, expr: Expression) -> Type | None:
        entry = self._precise.get(id(module), {}).get(id(expr))
        return entry[1] if entry is not None and entry[0] is expr else None

    def facts(self, scope: Scope) -> ScopeFacts:
        body = scope.defs if isinstance(scope, MypyFile) else scope.body
        key = (id(scope), id(body))
        cached = self._entries.get(key)
        if cached is not None and cached[0] is body and cached[1].scope is scope:
            self._entries.move_to_end(key)
            return cached[1]
        facts = scan(scope, self._layouts)
        self._entries[key] = (body, facts)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return facts
