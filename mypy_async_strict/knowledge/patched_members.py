"""A real instance whose class has a member patched for the test: `Store("url").incr` while
`@patch.object(Store, "incr", new_callable=MagicMock)` is in place is the patch's mock.

A mock is no descriptor: an instance finds the class attribute itself, so code handed a fresh
`Store(...)` calls the mock (without `self`).  Certain only when the instance cannot hold the
name itself: every class of its MRO up to the patched one is read (no `self.incr = ...` in a
method, no `setattr`, no `__getattribute__`, no slots of that name, a static body), and none of
them before the patched class defines the name.

The patch is one of the test's own: a decorator that passes its mock to a parameter the test
never rebinds, or a `with patch.object(...) as m:` block around the line (patched_refs.py).
And the instance keeps the class's member: the checks of handoff_uses.py ask
`untouched_local`/`events_leave_alone` whether the test, or code it hands the instance (or its
holder) to, may have put another value there.
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy.nodes import CallExpr, Expression, FuncDef, MemberExpr, MypyFile, NameExpr, RefExpr, TypeInfo, Var
from mypy.plugin import CheckerPluginInterface
from mypy.types import Type

from mypy_async_strict.knowledge import patches
from mypy_async_strict.knowledge.handoffs import harmless
from mypy_async_strict.knowledge.lifecycle import ANY_NAME
from mypy_async_strict.knowledge.patch_decorators import decorator_patching
from mypy_async_strict.knowledge.patched_refs import active_patch
from mypy_async_strict.knowledge.provenance import Event, EventKind, ScanCache, scopes_of
from mypy_async_strict.knowledge.syntax import reference_to
from mypy_async_strict.specs.classfacts import recorded


@dataclass(frozen=True)
class PatchedMember:
    mock: Expression  # the patch's mock in the test (its parameter, its `as` name, the call)
    mock_type: Type  # what the patch installs
    target: str  # `Store.incr`, for messages
    call: CallExpr  # the patch call


def patched_member(
    api: CheckerPluginInterface, cache: ScanCache, construction: CallExpr, name: str, line: int
) -> PatchedMember | None:
    """The patch's mock that `construction.<name>` is at the test's `line`, when certain."""
    callee = construction.callee
    info = callee.node if isinstance(callee, RefExpr) else None
    if not isinstance(info, TypeInfo) or name.startswith("__"):
        return None
    scopes = scopes_of(api)
    if not scopes or not isinstance(scopes[0], FuncDef) or not isinstance(scopes[-1], MypyFile):
        return None
    ref = MemberExpr(construction, name)
    ref.set_line(line)
    active = active_patch(api, ref)
    if active is not None:
        found: tuple[Expression, CallExpr, patches.PatchCall] | None = (active.root, active.window.call, active.patch)
    else:
        found = _decorator_mock(api, cache, scopes[0], scopes[-1], info, name, line)
    if found is None:
        return None
    mock, call, patch = found
    owner = patch.owner
    if not isinstance(owner, TypeInfo) or not _instance_finds(info, owner, name):
        return None
    mock_type = patches.installed_mock_type(api, patch)
    return PatchedMember(mock, mock_type, patch.target_name, call) if mock_type is not None else None


def _decorator_mock(
    api: CheckerPluginInterface, cache: ScanCache, test: FuncDef, module: MypyFile, info: TypeInfo, name: str, line: int
) -> tuple[Expression, CallExpr, patches.PatchCall] | None:
    """The parameter a patch decorator of the test fills with the mock of `<a class of
    info's MRO>.<name>`, never rebound in the test."""
    for base in info.mro:
        found = decorator_patching(api, module, test, base, name)
        if found is None:
            continue
        var, call, patch = found
        if cache.facts(test).definitions.get(var) != [None]:
            return None
        return reference_to(var, line), call, patch
    return None


def _instance_finds(info: TypeInfo, owner: TypeInfo, name: str) -> bool:
    """Whether an instance of `info` certainly finds `owner`'s class attribute `name`."""
    if owner not in info.mro:
        return False
    before_owner = True
    for base in info.mro:
        if base is owner:
            before_owner = False
        if base.fullname == "builtins.object":
            continue
        facts = recorded(base)
        if facts is None or facts.dynamic:
            return False  # a class whose source the plugin did not read, or code in its body
        if name in facts.on_instances or ANY_NAME in facts.on_instances:
            return False
        if facts.literal_slots is not None and name in facts.literal_slots:
            return False
        if "__getattribute__" in base.names:
            return False
        if before_owner and name in base.names:
            return False  # a subclass defines its own
    return True


def untouched_local(api: CheckerPluginInterface, cache: ScanCache, ref: NameExpr, below: tuple[str, ...]) -> bool:
    """Whether the test's local `ref` (bound once, never aliased) keeps `<ref>.<below>` as it
    was made: every event of the test on that path is a hand-off to code that leaves it alone."""
    scopes = scopes_of(api)
    var = ref.node
    if not scopes or not isinstance(var, Var):
        return False
    facts = cache.facts(scopes[0])
    if len(facts.definitions.get(var) or []) != 1:
        return False
    aliases = (value for values in facts.definitions.values() for value in values)
    if any(isinstance(value, NameExpr) and value.node is var for value in aliases):
        return False
    return events_leave_alone(api, cache, facts.events, var, below)


def events_leave_alone(
    api: CheckerPluginInterface, cache: ScanCache, events: list[Event], root: Var, below: tuple[str, ...]
) -> bool:
    """Whether every event at, above or below `<root>.<below>` is a hand-off to code that
    leaves that path alone (handoffs.py)."""
    for event in events:
        segments = event.path.segments
        if event.path.root is not root or (below[: len(segments)] != segments and segments[: len(below)] != below):
            continue
        if event.kind is not EventKind.ESCAPE or event.into is None or not isinstance(event.target, Expression):
            return False
        if len(segments) > len(below) or not harmless(api, cache, event.into, event.target, event.via + below[len(segments) :]):
            return False
    return True
