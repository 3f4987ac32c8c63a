"""A mock handed to code that certainly awaits (enters, iterates) what the mock cannot give.

`db = MagicMock()` handed to `UserService(db)`, whose `get` awaits `self.db.execute(...)` on
every path from its entry: `await svc.get(1)` raises TypeError inside the service, because an
unspecced MagicMock's `execute(...)` returns a MagicMock.  The fix goes in the test, so the
error is reported on the test's line that runs the code (`await svc.get(1)`), naming the mock,
the member and where the callee uses it.  Only uses the callee's summary marks as certain are
considered, and only where the test awaits the call (a coroutine never awaited runs nothing).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Callable, Final

from mypy.nodes import CallExpr, Expression, MemberExpr, NameExpr, RefExpr, TypeInfo, Var
from mypy.plugin import CheckerPluginInterface
from mypy.types import AnyType, Type, TypeOfAny

from mypy_async_strict import errorcodes
from mypy_async_strict.checks.mismatch import patch_mismatch
from mypy_async_strict.knowledge.certainty import await_of, failure_expected, judge, setup_holder
from mypy_async_strict.knowledge.configured import Outcome as Configured
from mypy_async_strict.knowledge.configured import awaitable, configured_call
from mypy_async_strict.knowledge.handoffs import harmless, held_argument, resolve_function
from mypy_async_strict.knowledge.patched_members import (
    PatchedMember,
    events_leave_alone,
    patched_member,
    untouched_local,
)
from mypy_async_strict.knowledge.provenance import ScanCache, is_mock_constructor, path_of
from mypy_async_strict.knowledge.summaries import CALL, Summary, Use
from mypy_async_strict.knowledge.syntax import reference_to
from mypy_async_strict.knowledge.values import definition, known_mock
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import (
    CallOutcome,
    Member,
    Protocol,
    SpecMode,
    call_outcome,
    child_state,
    instance_state,
    return_value_state,
    supports_protocol,
)
from mypy_async_strict.render import article, render
from mypy_async_strict.specs.classsource import ModuleClassSource
from mypy_async_strict.specs.members import lookup_member

ANY: Final = AnyType(TypeOfAny.special_form)
PROTOCOLS: Final = {
    "with": Protocol.WITH,
    "async with": Protocol.ASYNC_WITH,
    "for": Protocol.FOR,
    "async for": Protocol.ASYNC_FOR,
}


class Found(enum.Enum):
    MOCK = "mock"  # a mock object (never awaitable)
    COROUTINE = "coroutine"  # an AsyncMock's call: awaitable, and nothing else
    VALUE = "value"  # a configured value of a known type


@dataclass(frozen=True)
class Handed:
    """What a use of the callee starts from in the test: the expression handed over, the path
    below it, and how the test reaches it (`svc.db` for the `db` that `svc` holds)."""

    expr: Expression
    rest: tuple[str, ...]
    via: Expression


@dataclass(frozen=True)
class Reached:
    found: Found
    mock: MockType | None = None
    value: Type | None = None
    source: Expression | None = None  # the configured expression
    patched: PatchedMember | None = None  # the path starts at a patched class member


def check_handoff_uses(
    api: CheckerPluginInterface, cache: ScanCache, call: CallExpr, unless: Callable[[], bool] | None = None
) -> None:
    """Report `await f(mock)` / `await svc.method()` when the callee certainly fails on the
    mock it was handed (`unless`, asked last, vetoes: the module may patch the callee)."""
    resolved = resolve_function(api, cache, call)
    if resolved is None:
        return
    function, summary, bound = resolved
    if not any(use.certain and len(use.path) >= 2 for use in summary.uses):
        return  # (before reading the test function: most callees use nothing they were given)
    at = await_of(api, cache, call)
    if at is None or failure_expected(api, cache, call.line):
        return
    for use in summary.uses:
        if not use.certain or len(use.path) < 2:
            continue
        handed = _argument(api, cache, call, summary, bound, use.path)
        if handed is None:
            continue
        reached = _reach(api, cache, handed, at.line)
        problem = _problem(use, reached) if reached is not None else None
        if reached is not None and problem is not None:
            if unless is None or not unless():
                _report(api, at, call, function, use, handed, problem, reached.patched)
            return  # the first failing use is where the callee stops


def _argument(
    api: CheckerPluginInterface,
    cache: ScanCache,
    call: CallExpr,
    summary: Summary,
    bound: bool,
    path: tuple[str, ...],
) -> Handed | None:
    """Where in the test the use starts."""
    params = summary.params[1:] if bound else summary.params
    root, rest = path[0], path[1:]
    if bound and summary.params and root == summary.params[0]:
        receiver = call.callee.expr if isinstance(call.callee, MemberExpr) else None
        if receiver is None or not rest:
            return None
        construction = _construction(api, cache, receiver)
        if construction is None:
            return _held_by_setup(api, cache, receiver, rest, call.line)
        held = held_argument(api, cache, construction, rest[0])
        return Handed(held, rest[1:], MemberExpr(receiver, rest[0])) if held is not None else None
    if root not in params:
        return None
    index = params.index(root)
    positional = [arg for arg, kind in zip(call.args, call.arg_kinds) if kind.is_positional()]
    if index < len(positional) and all(kind.is_positional() or kind.is_named() for kind in call.arg_kinds):
        return Handed(positional[index], rest, positional[index])
    for arg, name in zip(call.args, call.arg_names):
        if name == root:
            return Handed(arg, rest, arg)
    return None


def _held_by_setup(
    api: CheckerPluginInterface, cache: ScanCache, receiver: Expression, rest: tuple[str, ...], line: int
) -> Handed | None:
    """`self.service.get()` where the set-up built `self.service = UserService(self.db)`: the
    test's own `self.db` (what the service holds), when nothing set-ups, helpers or the test do
    to `self.service` may change what it holds there."""
    holder = setup_holder(api, cache, receiver)
    if holder is None or not isinstance(receiver, MemberExpr) or not isinstance(receiver.expr, NameExpr):
        return None
    test_self = receiver.expr.node
    if not isinstance(test_self, Var):
        return None
    below = (receiver.name, rest[0])
    if not events_leave_alone(api, cache, holder.events, test_self, below):
        return None
    held = held_argument(api, cache, holder.construction, rest[0])
    held_path = path_of(held) if held is not None else None
    if held is None or held_path is None:
        return None
    if held_path.root is holder.setup_self and CALL not in held_path.segments:
        start: Expression = reference_to(test_self, line)
        for segment in held_path.segments:
            start = MemberExpr(start, segment)
        start.set_line(line)
    elif isinstance(held, CallExpr) and is_mock_constructor(held):
        start = held  # a mock made in the construction's arguments: only the holder has it
    else:
        return None
    return Handed(start, rest[1:], MemberExpr(receiver, rest[0]))


def _construction(api: CheckerPluginInterface, cache: ScanCache, receiver: Expression | None) -> CallExpr | None:
    """`svc` bound once to `UserService(...)` in the test."""
    value = definition(api, cache, receiver) if isinstance(receiver, NameExpr) else receiver
    if not isinstance(value, CallExpr) or not isinstance(value.callee, RefExpr):
        return None
    return value if isinstance(value.callee.node, TypeInfo) else None


def _reach(api: CheckerPluginInterface, cache: ScanCache, handed: Handed, line: int) -> Reached | None:
    """What sits at `<handed.expr>.<handed.rest>` when the callee runs (at the test's `line`),
    when the plugin is certain of it."""
    mock = known_mock(api, cache, handed.expr)
    if mock is not None:
        return _walk(api, cache, handed.expr, mock, handed.rest, line)
    patched = _patched_instance_member(api, cache, handed, line)
    mock = mocktypes.decode(patched.mock_type) if patched is not None else None
    if patched is None or mock is None:
        return None
    if patch_mismatch(api, cache, patched.call) is not None:
        return None  # mock-async-mismatch reports the patch itself: the failure is said there
    reached = _walk(api, cache, patched.mock, mock, handed.rest[1:], line)
    return dataclasses.replace(reached, patched=patched) if reached is not None else None


def _patched_instance_member(
    api: CheckerPluginInterface, cache: ScanCache, handed: Handed, line: int
) -> PatchedMember | None:
    """`Store(...).incr` (or `store.incr`, `store` bound once to `Store(...)`) while the test
    patches `Store.incr`: the patch's mock, when nothing may have put another `incr` on the
    instance (the test, a helper, the code it was handed to)."""
    start, via = handed.expr, handed.via
    if not handed.rest or handed.rest[0] == CALL:
        return None
    construction = definition(api, cache, start) if isinstance(start, NameExpr) else start
    if not isinstance(construction, CallExpr) or _construction(api, cache, construction) is None:
        return None
    name = handed.rest[0]
    if isinstance(start, NameExpr):
        untouched = untouched_local(api, cache, start, (name,))  # its hand-offs included
    elif isinstance(via, MemberExpr):
        holder = _construction(api, cache, via.expr)  # only the holder has the inline instance
        untouched = holder is not None and harmless(api, cache, holder, start, (name,))
    else:
        untouched = True  # an inline argument of the call itself: only the callee has it
    if untouched and isinstance(via, MemberExpr) and isinstance(via.expr, NameExpr):
        untouched = untouched_local(api, cache, via.expr, (via.name, name))
    return patched_member(api, cache, construction, name, line) if untouched else None


def _walk(
    api: CheckerPluginInterface,
    cache: ScanCache,
    start: Expression,
    mock: MockType,
    segments: tuple[str, ...],
    line: int,
) -> Reached | None:
    """What the path below the mock `start` reaches (certainty.py judges each step)."""
    expr: Expression = start
    for segment in segments:
        expr = _synthetic(expr, segment, line)
        verdict = judge(api, cache, expr)
        if not verdict.certain:
            return None
        if verdict.replacement is not None:
            if segment != CALL:
                # The test put another mock there: mock-async-mismatch judges that line, and
                # the failure is reported once, where the fix goes.
                return None
            async_mock = call_outcome(mock.state) is CallOutcome.COROUTINE
            configured = configured_call(api, cache, verdict.replacement, verdict.side_effect, async_mock)
            if configured is None or configured.outcome is Configured.RAISES:
                return None
            if async_mock or configured.outcome is Configured.COROUTINE:
                return Reached(Found.COROUTINE)
            decoded = mocktypes.decode(configured.value) if configured.value is not None else None
            if decoded is None:
                return Reached(Found.VALUE, value=configured.value, source=configured.source)
            mock = decoded
            continue
        following = _default_step(api, mock, segment)
        if following is None:
            return None
        if isinstance(following, Found):
            return Reached(following)
        mock = following
    return Reached(Found.MOCK, mock=mock)


def _default_step(api: CheckerPluginInterface, mock: MockType, segment: str) -> MockType | Found | None:
    """The model's answer for one step below an unconfigured mock."""
    if segment == CALL:
        outcome = call_outcome(mock.state)
        if outcome is CallOutcome.COROUTINE:
            return Found.COROUTINE
        if outcome is CallOutcome.RETURN_VALUE:
            return MockType(return_value_state(mock.state), ANY)
        if outcome is CallOutcome.INSTANCE:
            item = getattr(mock.stands_for, "item", ANY)
            return MockType(instance_state(mock.state), item)
        return None
    if segment.startswith("__") or segment.startswith("["):
        return None
    if mock.state.specced:
        member = lookup_member(mock.state, mock.stands_for, segment, ModuleClassSource(api))
        if member.nature in (Member.MISSING, Member.UNKNOWN):
            return None
        state = child_state(mock.state, member.nature)
        return MockType(state, member.typ) if state is not None else None
    state = child_state(mock.state, Member.DATA)
    return MockType(state, ANY) if state is not None else None


def _synthetic(base: Expression, segment: str, line: int) -> Expression:
    """`base.segment` or `base()`, placed at the test's line (a query, not real code)."""
    expr: Expression = CallExpr(base, [], [], []) if segment == CALL else MemberExpr(base, segment)
    expr.set_line(line, column=-1)
    return expr


def _problem(use: Use, reached: Reached) -> str | None:
    """Why the use fails on what it reaches, or None."""
    if use.how == "await":
        if reached.found is Found.COROUTINE:
            return None
        if reached.found is Found.MOCK and reached.mock is not None:
            kind = reached.mock.state.kind.value
            return f"{article(kind)} {kind}, which is not awaitable"
        if reached.found is Found.VALUE and reached.value is not None and awaitable(reached.value) is False:
            source = render(reached.source) if reached.source is not None else "a value"
            return f"{source} (configured), which is not awaitable"
        return None
    protocol = PROTOCOLS.get(use.how)
    if protocol is None:
        return None
    if reached.found is Found.COROUTINE:
        return f"a coroutine, which \"{protocol.statement}\" cannot use"
    if reached.found is Found.MOCK and reached.mock is not None:
        state = reached.mock.state
        if state.mode is SpecMode.NONE and supports_protocol(state, protocol, None) is False:
            return f"{article(state.kind.value)} {state.kind.value} without {' or '.join(protocol.methods)}"
    return None


def _report(
    api: CheckerPluginInterface,
    at: Expression,
    call: CallExpr,
    function: str,
    use: Use,
    handed: Handed,
    problem: str,
    patched: PatchedMember | None = None,
) -> None:
    verb = {"await": "awaits"}.get(use.how, f'uses in "{use.how}"')
    used = ".".join(use.path[:1]) + "".join("(...)" if s == CALL else f".{s}" for s in use.path[1:])
    reached = render(handed.expr) + "".join("(...)" if s == CALL else f".{s}" for s in handed.rest)
    error_kind = "TypeError" if use.how == "await" else "an error"
    message = (
        f'"{render(call)}" raises {error_kind} at run time in {function}, line {use.line}): '
        f'it {verb} "{used}", and "{reached}" is {problem}'
    )
    error = api.fail(message, at, code=errorcodes.MOCK_AWAIT)
    hint = (
        f'"{render(handed.expr)}" is what the test hands over: spec it from the real class '
        "(MagicMock(spec=...), create_autospec(...)) so that its async methods become AsyncMock, "
        "or configure that member with an AsyncMock"
    )
    if patched is not None:
        named = f'"{patched.mock.name}" is the mock the patch of' if isinstance(patched.mock, NameExpr) else "The patch of"
        hint = (
            f'{named} "{patched.target}" installs: let the patch make an AsyncMock for the async method '
            "(drop new_callable or new), or configure it with an AsyncMock"
        )
    api.msg.note(hint, at, code=errorcodes.MOCK_AWAIT, parent_error=error)

