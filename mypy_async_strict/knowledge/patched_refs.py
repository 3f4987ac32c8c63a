"""Inside `with patch("pkg.mod.fetch") as m:`, `pkg.mod.fetch` is the mock.

While a patch is in place, the patched attribute read through its owner is the mock the patch
installed: `pkg.mod.fetch(...)` calls it, `pkg.mod.Client()` (after `patch("pkg.mod.Client")`)
returns its return value, and `Client.fetch(...)` or `Client().fetch(...)` (after
`patch.object(Client, "fetch")`) call it (a mock is no descriptor: an instance finds the class
attribute itself, and calls it without `self`).  A name imported before (`from pkg.mod import
fetch`) still holds the original, and is not touched.

Only where the patch is certainly in place: the body of a `with` statement of the function (not
a function nested in it), or after `mocker.patch(...)` / `patch(...).start()` in the function's
own body when nothing stops patches there; and where the function creates no attribute of that
name itself.  Expressions reached through the patched attribute are judged (certainty.py) as
the same paths under the patch's mock (`m()`, `m().fetch`), through synthetic expressions.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Final

from mypy.nodes import (
    AssignmentStmt,
    AwaitExpr,
    Block,
    CallExpr,
    ClassDef,
    Expression,
    ExpressionStmt,
    FuncItem,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    RefExpr,
    Statement,
    TypeInfo,
    WithStmt,
)
from mypy.plugin import CheckerPluginInterface

from mypy_async_strict.knowledge import patches
from mypy_async_strict.specs.targets import Owner
from mypy_async_strict.knowledge.lifecycle import ANY_NAME, LIFECYCLES
from mypy_async_strict.knowledge.provenance import (
    is_patch_call,
    scopes_of,
    through_mocker,
)
from mypy_async_strict.knowledge.syntax import layout

STOPPERS: Final = frozenset({"stop", "stopall", "resetall"})


@dataclass
class PatchWindow:
    """A patch call, where it is in place (lines), and the expression its mock is (the variable
    it is bound to, or the call itself)."""

    call: CallExpr
    first: int
    last: int
    root: Expression
    until_end: bool  # started by a statement (mocker.patch, .start()): stopped by no `with`


@dataclass
class PatchFacts:
    windows: list[PatchWindow] = field(default_factory=list)
    stops: bool = False  # `.stop()`, `patch.stopall()`, `mocker.stopall()` somewhere


class _Scanner:
    def __init__(self, facts: PatchFacts, layouts: dict[type, tuple[str, ...]]) -> None:
        self.facts = facts
        self.layouts = layouts

    def walk(self, node: object, scope: object, depth: int, end: int) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                self.walk(item, scope, depth, end)
            return
        if not isinstance(node, Node):
            return
        nested = isinstance(node, (FuncItem, ClassDef)) and node is not scope
        depth += nested
        if depth == 0:
            self._record(node, end)
        elif isinstance(node, CallExpr):
            self._stop(node)
        for attribute in layout(self.layouts, type(node)):
            child = getattr(node, attribute, None)
            if child is not None and not isinstance(child, (str, int, float)):
                self.walk(child, scope, depth, end)

    def _record(self, node: Node, end: int) -> None:
        if isinstance(node, CallExpr):
            self._stop(node)
        if isinstance(node, WithStmt):
            body_end = _last_line(node.body)
            for item, target in zip(node.expr, node.target):
                if isinstance(item, CallExpr) and is_patch_call(item) and not through_mocker(item):
                    root: Expression = target if isinstance(target, NameExpr) else item
                    first = node.body.body[0].line if node.body.body else node.line + 1
                    self.facts.windows.append(PatchWindow(item, first, body_end, root, until_end=False))

    def top_level(self, statements: list[Statement], end: int) -> None:
        """Patches started by statements of the function's own body (not in a branch or loop)."""
        for statement in statements:
            started = _started_patch(statement)
            if started is not None:
                call, root = started
                self.facts.windows.append(PatchWindow(call, statement.line + 1, end, root, until_end=True))

    def _stop(self, call: CallExpr) -> None:
        if isinstance(call.callee, MemberExpr) and call.callee.name in STOPPERS:
            self.facts.stops = True


def _started_patch(node: Node) -> tuple[CallExpr, Expression] | None:
    """`mocker.patch(...)` / `patch(...).start()` as a statement, or bound to one name."""
    value: Expression | None = None
    target: Expression | None = None
    if isinstance(node, ExpressionStmt):
        value = node.expr
    elif isinstance(node, AssignmentStmt) and len(node.lvalues) == 1 and isinstance(node.lvalues[0], NameExpr):
        value, target = node.rvalue, node.lvalues[0]
    if not isinstance(value, CallExpr):
        return None
    if is_patch_call(value) and through_mocker(value):
        return value, target if target is not None else value
    callee = value.callee
    if isinstance(callee, MemberExpr) and callee.name == "start" and isinstance(callee.expr, CallExpr):
        patch = callee.expr
        if is_patch_call(patch) and not through_mocker(patch):
            return patch, target if target is not None else value
    return None


def _last_line(block: Block) -> int:
    last = block.body[-1] if block.body else block
    end = last.end_line if last.end_line is not None else last.line
    return max(end, block.end_line or 0)


class PatchCache:
    def __init__(self, size: int = 128) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, int], tuple[object, PatchFacts]] = OrderedDict()
        self._layouts: dict[type, tuple[str, ...]] = {}

    def facts(self, scope: FuncItem) -> PatchFacts:
        key = (id(scope), id(scope.body))
        cached = self._entries.get(key)
        if cached is not None and cached[0] is scope.body:
            self._entries.move_to_end(key)
            return cached[1]
        facts = PatchFacts()
        end = _last_line(scope.body)
        scanner = _Scanner(facts, self._layouts)
        scanner.walk(scope.body, scope, 0, end)
        scanner.top_level(scope.body.body, end)
        self._entries[key] = (scope.body, facts)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return facts


PATCHES: Final = PatchCache()


@dataclass(frozen=True)
class Active:
    window: PatchWindow
    patch: patches.PatchCall
    root: Expression  # the mock: the patch call, or the variable it is bound to


def active_patch(api: CheckerPluginInterface, ref: Expression) -> Active | None:
    """The patch in place at `ref` (an attribute read through its owner) whose target `ref`
    names: the innermost one, when it is certain."""
    scopes = scopes_of(api)
    if not scopes or isinstance(scopes[0], MypyFile) or not isinstance(ref, MemberExpr):
        return None
    scope = scopes[0]
    facts = PATCHES.facts(scope)
    best: Active | None = None
    for window in facts.windows:
        if not window.first <= ref.line <= window.last:
            continue
        if window.until_end and facts.stops:
            continue
        patch = patches.read_patch_call(api, window.call)
        if patch is None or patch.attribute != ref.name or not _names_owner(ref.expr, patch.owner):
            continue
        if best is None or window.first >= best.window.first:
            best = Active(window, patch, window.root)
    if best is None:
        return None
    if "new" in best.patch.keywords:
        return None  # `new=X`: X, which the patch call hands on (provenance: an escape)
    created = LIFECYCLES.facts(scope).created
    if ref.name in created or ANY_NAME in created:
        return None  # `pkg.mod.fetch = other` (or a patch with create=) may have replaced it
    return best


def _names_owner(expr: Expression, owner: Owner) -> bool:
    """`pkg.mod` for a module owner; `Client` or `Client()` (an exact instance) for a class."""
    if isinstance(owner, MypyFile):
        return isinstance(expr, RefExpr) and expr.node is owner
    assert isinstance(owner, TypeInfo)
    if isinstance(expr, RefExpr):
        return expr.node is owner
    return isinstance(expr, CallExpr) and isinstance(expr.callee, RefExpr) and expr.callee.node is owner


def rebase(api: CheckerPluginInterface, expr: Expression) -> Expression | None:
    """`expr` with the patched attribute it starts from replaced by the patch's mock
    (`pkg.mod.Client().fetch` -> `m().fetch`), or None when it starts from none."""
    return _rebase(api, expr, 0)


def _rebase(api: CheckerPluginInterface, expr: Expression, depth: int) -> Expression | None:
    if depth > 16:
        return None
    if isinstance(expr, MemberExpr):
        active = active_patch(api, expr)
        if active is not None:
            return active.root
        inner = _rebase(api, expr.expr, depth + 1)
        return _member(inner, expr) if inner is not None else None
    if isinstance(expr, CallExpr):
        inner = _rebase(api, expr.callee, depth + 1)
        return _call(inner, expr) if inner is not None else None
    if isinstance(expr, AwaitExpr):
        inner = _rebase(api, expr.expr, depth + 1)
        if inner is None:
            return None
        awaited = AwaitExpr(inner)
        awaited.set_line(expr)
        return awaited
    return None


def _member(base: Expression, original: MemberExpr) -> MemberExpr:
    member = MemberExpr(base, original.name)
    member.set_line(original)
    return member


def _call(callee: Expression, original: CallExpr) -> CallExpr:
    call = CallExpr(callee, [], [], [])
    call.set_line(original)
    return call
