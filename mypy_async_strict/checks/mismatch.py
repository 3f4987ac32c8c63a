"""`mock-async-mismatch`: a sync mock put where the spec has an `async def`, or an AsyncMock put
where the spec has a plain function that returns a plain value.

CPython keeps whatever is put there.  After `session.execute = MagicMock()` on a mock specced
from a class whose `execute` is `async def`, every `await session.execute(...)` raises
TypeError (the spec would have made it an AsyncMock).  After `session.close = AsyncMock()` over
a plain `def close() -> None`, `session.close()` returns a coroutine that code calling a plain
method never awaits.  The same holds for `patch.object(C, "fetch", new_callable=MagicMock)` and
`new=MagicMock()`.

Reported only when nothing can make the calls right: the new mock has no return value, side
effect or `wraps`, and no later code configures it.
"""

from __future__ import annotations

import enum
from typing import Final, Union

from mypy.nodes import ARG_STAR2, CallExpr, Expression, MemberExpr, Var
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext
from mypy.messages import format_type_bare
from mypy.types import ProperType, Type

from mypy_async_strict import errorcodes
from mypy_async_strict.knowledge import patches
from mypy_async_strict.knowledge.certainty import handoffs_of, reconfigured_after
from mypy_async_strict.knowledge.configured import Outcome, awaitable, configured_call
from mypy_async_strict.knowledge.provenance import (
    CALL,
    EventKind,
    Path,
    ScanCache,
    configuring_call,
    constructor_events,
    is_mock_constructor,
    scopes_of,
    through_mocker,
)
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.rules import (
    CallOutcome,
    Member,
    MockState,
    SpecMode,
    Target,
    call_outcome,
    child_state,
)
from mypy_async_strict.render import article, render
from mypy_async_strict.specs.classsource import ModuleClassSource
from mypy_async_strict.specs.members import lookup_member, returns_plain_value

CallContext = Union[FunctionContext, MethodContext]


class Mismatch(enum.Enum):
    SYNC_FOR_ASYNC = "sync for async"
    ASYNC_FOR_SYNC = "async for sync"


def mismatch(
    nature: Member,
    expected: CallOutcome,
    member_type: ProperType,
    new: MockState,
    new_call: CallExpr | None,
    gives_plain_values: bool = False,
) -> Mismatch | None:
    """How the new mock's calls differ from what the spec's member gives, if they certainly do.

    `new_call` is the constructor that made the new mock (None: made by patch itself, with
    nothing configured); `gives_plain_values`, that what it configures its calls to give is
    certainly not awaitable.  An AsyncMock's calls return coroutines however it is configured.
    """
    outcome = call_outcome(new)
    if expected is CallOutcome.COROUTINE and outcome is CallOutcome.RETURN_VALUE:
        if new_call is not None and _configures_calls(new_call) and not gives_plain_values:
            return None  # return_value=<a Future>, side_effect=<async fn>, wraps=...: may be right
        return Mismatch.SYNC_FOR_ASYNC
    if (
        nature is Member.SYNC_FUNCTION
        and expected is CallOutcome.RETURN_VALUE
        and outcome is CallOutcome.COROUTINE
        and returns_plain_value(member_type)
    ):
        return Mismatch.ASYNC_FOR_SYNC
    return None


def _configures_calls(call: CallExpr) -> bool:
    """Whether the constructor's arguments decide what its calls return."""
    call = configuring_call(call)
    if sum(1 for name in call.arg_names if name is None) > 1:
        return True  # Mock(spec, side_effect, return_value, wraps, ...) positionally
    for event in constructor_events(call, Path(call, ()), call.line):
        if event.kind is EventKind.SUBTREE and not event.path.segments:
            return True  # wraps=, or keywords that cannot be read
        if event.path.segments[:1] == (CALL,):
            return True
    return False


def plain_value_given(api: CheckerPluginInterface, cache: ScanCache, call: CallExpr) -> Type | None:
    """`Mock(return_value=ada)`, `Mock(side_effect=[1, 2])`: what the constructor configures its
    calls to give, when every keyword that decides it is read (configured.py) and the value is
    certainly not awaitable; else None."""
    call = configuring_call(call)
    if any(name is None for name in call.arg_names[1:]) or any(kind == ARG_STAR2 for kind in call.arg_kinds):
        return None
    configuring = [
        (name, arg) for name, arg in zip(call.arg_names, call.args) if name in ("return_value", "side_effect", "wraps")
    ]
    if not configuring or any(name == "wraps" for name, _ in configuring):
        return None
    effect = next((arg for name, arg in configuring if name == "side_effect"), None)
    value = effect if effect is not None else configuring[0][1]
    configured = configured_call(api, cache, value, side_effect=effect is not None, async_mock=False)
    if configured is None or configured.outcome is not Outcome.VALUE or configured.value is None:
        return None
    return configured.value if awaitable(configured.value) is False else None


# patch.object keywords passed on to `new_callable(...)`: they may configure its calls.
CONFIGURING_PATCH_KEYWORDS: Final = frozenset({"return_value", "side_effect", "wraps", "spec", "spec_set", "autospec"})


class MismatchChecks:
    """Checks run after the constructor and patch hooks (see `safety.followed_by`)."""

    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache

    def check_assignment(self, ctx: CallContext, new_type: Type) -> None:
        """After a constructor hook: `m.x = <this constructor call>` over the wrong kind."""
        call = ctx.context
        new = mocktypes.decode(new_type)
        if new is None or not isinstance(call, CallExpr):
            return
        target = self._assigned_to(ctx, call)
        if target is None:
            return
        lookup = getattr(ctx.api, "lookup_type_or_none", None)
        parent_type = lookup(target.expr) if lookup is not None else None
        parent = mocktypes.decode(parent_type) if parent_type is not None else None
        if parent is None or not parent.state.specced:
            return
        source = ModuleClassSource(ctx.api)
        member = lookup_member(parent.state, parent.stands_for, target.name, source)
        expected = child_state(parent.state, member.nature)
        if expected is None:
            return
        plain = plain_value_given(ctx.api, self.cache, call)
        found = mismatch(member.nature, call_outcome(expected), member.typ, new.state, call, plain is not None)
        if found is None or reconfigured_after(ctx.api, self.cache, target, call.line):
            return
        returned = f'"{format_type_bare(plain, ctx.api.options)}" (as configured)' if plain is not None else None
        report(ctx, found, target, new.state, render(target), returned=returned)

    def check_patch(self, ctx: MethodContext, result: Type) -> None:
        """After a patch.object hook: `new_callable=`/`new=` of the wrong kind."""
        found = patch_mismatch(ctx.api, self.cache, ctx.context)
        if found is None or not isinstance(ctx.context, CallExpr):
            return
        mismatched, state, call = found
        callee = ctx.context.callee
        patcher = "patch.object" if isinstance(callee, MemberExpr) and callee.name == "object" else "patch"
        report(ctx, mismatched, ctx.context, state, call.target_name, patcher=patcher)

    def _assigned_to(self, ctx: CallContext, call: CallExpr) -> MemberExpr | None:
        """`m.x` when the constructor call is the whole value of `m.x = <call>`."""
        scopes = scopes_of(ctx.api)
        if not scopes:
            return None
        for event in self.cache.facts(scopes[0]).events:
            if event.kind is EventKind.REPLACE and event.value is call:
                return event.target if isinstance(event.target, MemberExpr) else None
        return None


def patch_mismatch(
    api: CheckerPluginInterface, cache: ScanCache, context: object
) -> tuple[Mismatch, MockState, patches.PatchCall] | None:
    """The mismatch `check_patch` reports for a patch call (`new_callable=`/`new=` of the wrong
    kind, and nothing that may configure the mock's calls), or None.  A failure the patch
    causes elsewhere is reported there, once: where the fix goes."""
    call = patches.read_patch_call(api, context)
    if call is None or not isinstance(context, CallExpr):
        return None
    member = patches.patched_member(call)
    new = _patch_replacement(api, call)
    if member is None or new is None:
        return None
    nature, member_type = member
    expected = CallOutcome.COROUTINE if nature is Member.ASYNC_FUNCTION else CallOutcome.RETURN_VALUE
    state, constructor = new
    found = mismatch(nature, expected, member_type, state, constructor)
    if found is None or bound_name_reconfigured(api, cache, context):
        return None
    return found, state, call


def _patch_replacement(api: CheckerPluginInterface, call: patches.PatchCall) -> tuple[MockState, CallExpr | None] | None:
    """The mock the patch puts in place, when `new=`/`new_callable=` choose it."""
    new = call.keywords.get("new")
    if new is not None:
        lookup = getattr(api, "lookup_type_or_none", None)
        new_type = lookup(new) if lookup is not None else None
        decoded = mocktypes.decode(new_type) if new_type is not None else None
        if decoded is None or not isinstance(new, CallExpr) or not is_mock_constructor(new):
            return None
        return decoded.state, new
    new_callable = call.keywords.get("new_callable")
    if new_callable is None or set(call.keywords) & CONFIGURING_PATCH_KEYWORDS:
        return None
    kind = patches.new_callable_kind(new_callable)
    if kind is None:
        return None
    return MockState(kind, SpecMode.NONE, Target.NOTHING), None


def bound_name_reconfigured(
    api: CheckerPluginInterface, cache: ScanCache, patch_call: CallExpr
) -> bool:
    """For `with patch.object(...) as m` / `m = patch.object(...).start()` / `m =
    mocker.patch.object(...)`: whether code may configure `m`'s calls.  An unbound patch (whose
    mock is reachable only through the patched attribute), a patcher kept in a variable (its
    `start()` may be called anywhere), or a configuration the plugin does not follow counts as
    possibly configured."""
    scopes = scopes_of(api)
    if not scopes:
        return True
    facts = cache.facts(scopes[0])
    if facts.foreign_configuration:
        return True
    bound: list[Var] = [
        var
        for var, values in facts.definitions.items()
        if any(_makes(value, patch_call) for value in values)
    ]
    if len(bound) != 1 or len(facts.definitions[bound[0]]) != 1:
        return True
    holds_patcher = (
        facts.definitions[bound[0]][0] is patch_call
        and id(patch_call) not in facts.with_items
        and not through_mocker(patch_call)
    )
    if holds_patcher:
        return True
    var = bound[0]
    calls = handoffs_of(api, cache, Path(var, (CALL,)))
    for event in facts.events:
        if event.path.root is not var:
            continue
        if event.path.segments[:1] == (CALL,) or not event.path.segments:
            if event.kind is not EventKind.ESCAPE or not calls(event):
                return True
        if event.kind is EventKind.SUBTREE:
            return True
    return False


def _makes(value: Expression | None, patch_call: CallExpr) -> bool:
    return value is patch_call or (
        isinstance(value, CallExpr) and configuring_call(value) is patch_call and value is not patch_call
    )


def report(
    ctx: CallContext,
    found: Mismatch,
    where: Expression,
    new: MockState,
    name: str,
    patcher: str | None = None,
    returned: str | None = None,
) -> None:
    """`patcher`: "patch" or "patch.object" when a patch puts the mock there; `returned`, what
    the new mock's calls are configured to give."""
    kind = new.kind.value
    where_said = "" if patcher else " in the spec"
    putter = f"{patcher} puts" if patcher else "this puts"
    if found is Mismatch.SYNC_FOR_ASYNC:
        message = (
            f'"{name}" is "async def"{where_said}, but {putter} {article(kind)} {kind} in its '
            f'place: its calls return {returned or "a " + _returned(new)}, and "await {name}(...)" raises TypeError'
        )
        hint = (
            f"Drop new_callable/new: {patcher} makes an AsyncMock for an async def (or pass new_callable=AsyncMock)"
            if patcher
            else f'Use AsyncMock(...) for "{name}" (or set its return_value to an awaitable)'
        )
    else:
        message = (
            f'"{name}" is a plain "def"{where_said}, but {putter} an AsyncMock in its place: its '
            "calls return coroutines, which code calling a plain function never awaits"
        )
        hint = f'Use MagicMock(...) for "{name}", with return_value set to what the real one returns'
    error = ctx.api.fail(message, where, code=errorcodes.MOCK_ASYNC_MISMATCH)
    ctx.api.msg.note(hint, where, code=errorcodes.MOCK_ASYNC_MISMATCH, parent_error=error)


def _returned(state: MockState) -> str:
    return "MagicMock" if state.kind.magic else "Mock"
