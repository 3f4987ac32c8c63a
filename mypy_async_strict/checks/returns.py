"""`mock-return`: a coroutine object made the return value of an AsyncMock.

An AsyncMock's call is a coroutine of its own whose result is `return_value`; so with
`AsyncMock(return_value=fetch_user())`, `await m()` gives the coroutine object made by
`fetch_user()`, not a user, and that coroutine is never awaited.  The same holds for
`m.fetch.return_value = fetch_user()` on an AsyncMock child, `configure_mock(**{"fetch.
return_value": fetch_user()})`, and `patch.object(C, "fetch", return_value=fetch_user())` over an
`async def` (patch makes the AsyncMock).
"""

from __future__ import annotations

from typing import Callable

from mypy.nodes import (
    ARG_STAR,
    ARG_STAR2,
    CallExpr,
    Context,
    Expression,
    MemberExpr,
    RefExpr,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    Overloaded,
    ProperType,
    Type,
    TypeOfAny,
    get_proper_type,
)

from mypy_async_strict import errorcodes, fullnames
from mypy_async_strict.checks.misuse import Shape, shape_of
from mypy_async_strict.knowledge import patches
from mypy_async_strict.knowledge.certainty import judge
from mypy_async_strict.knowledge.provenance import (
    CALL,
    Event,
    EventKind,
    Path,
    ScanCache,
    StoredReturn,
    is_patch_call,
    path_of,
    scopes_of,
)
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import (
    CallOutcome,
    Kind,
    Member,
    call_outcome,
    child_state,
)
from mypy_async_strict.render import render
from mypy_async_strict.specs.classsource import ModuleClassSource
from mypy_async_strict.specs.members import lookup_member, returns_plain_value


def check_coroutine_return(
    api: CheckerPluginInterface,
    cache: ScanCache,
    expr: Context,
    result: Type,
    unless: Callable[[], bool] | None = None,
) -> None:
    """Report `expr`, a call that makes a coroutine, when it becomes an AsyncMock's return value."""
    if not isinstance(expr, CallExpr) or shape_of(result) is not Shape.COROUTINE:
        return
    scopes = scopes_of(api)
    if not scopes:
        return
    stored = cache.facts(scopes[0]).return_values.get(id(expr))
    if stored is None or not _awaited_call_returns(api, cache, stored):
        return
    if unless is not None and unless():
        return
    message = (
        f'"{render(expr)}" makes a coroutine object: awaiting the AsyncMock\'s call gives this '
        "coroutine itself, not its result, and it is never awaited"
    )
    hint = (
        f"Set return_value to the result itself, or side_effect={render(expr.callee)} to run the "
        "function on every call"
    )
    api.fail(message, expr, code=errorcodes.MOCK_RETURN)  # (the argument may be checked twice)
    api.msg.note(hint, expr, code=errorcodes.MOCK_RETURN)


def _awaited_call_returns(api: CheckerPluginInterface, cache: ScanCache, stored: StoredReturn) -> bool:
    """Whether the mock that gets the return value is certainly an AsyncMock whose awaited
    result should not be awaitable (nothing declares it awaitable), and nothing else decides
    what its calls give (a `side_effect` wins over `return_value`)."""
    owner = stored.owner
    if isinstance(owner, CallExpr) and stored.member is None:
        if _configures_calls_otherwise(owner) or _configured_later(api, cache, owner, None):
            return False
        if is_patch_call(owner):
            return _patch_makes_async_mock(api, owner)
        return _constructs_async_mock(owner)
    if isinstance(owner, CallExpr):
        return False  # `AsyncMock(spec=C, **{"x.return_value": ...})`: the spec is not typed yet
    target = owner if stored.member is None else MemberExpr(owner, stored.member)
    if stored.member is not None:
        # `owner.member` as it is just before the `configure_mock(...)` that stores the value.
        target.line = (stored.via.line if stored.via is not None else owner.line) - 1
        verdict = judge(api, cache, target)
        if not verdict.certain or verdict.replacement is not None:
            return False  # `get` was replaced (by a sync mock, maybe) before
    if _configured_later(api, cache, target, stored):
        return False
    mock = _mock_at(api, cache, owner, stored.member)
    return mock is not None and call_outcome(mock.state) is CallOutcome.COROUTINE and (
        _awaited_result_is_plain(mock.stands_for)
    )


def _mock_at(
    api: CheckerPluginInterface, cache: ScanCache, owner: Expression, member: str | None
) -> MockType | None:
    lookup = getattr(api, "lookup_type_or_none", None)
    owner_type = lookup(owner) if lookup is not None else None
    mock = mocktypes.decode(owner_type) if owner_type is not None else None
    if mock is None or member is None:
        return mock
    spec_member = (
        lookup_member(mock.state, mock.stands_for, member, ModuleClassSource(api))
        if mock.state.specced
        else None
    )
    child = child_state(mock.state, spec_member.nature if spec_member is not None else Member.DATA)
    if child is None:
        return None
    stands_for = spec_member.typ if spec_member is not None else AnyType(TypeOfAny.special_form)
    return MockType(child, stands_for)


def _awaited_result_is_plain(stands_for: ProperType) -> bool:
    """Nothing says that what the real function's await gives is itself awaitable."""
    if isinstance(stands_for, AnyType):
        return True  # unspecced: a coroutine as the result of an await is no one's intent
    if isinstance(stands_for, Overloaded):
        return all(_awaited_result_is_plain(item) for item in stands_for.items)
    if not isinstance(stands_for, CallableType):
        return False
    ret = get_proper_type(stands_for.ret_type)
    if not isinstance(ret, Instance) or shape_of(ret) is not Shape.COROUTINE or len(ret.args) != 3:
        return False
    return returns_plain_value(stands_for.copy_modified(ret_type=ret.args[2]))


def _configures_calls_otherwise(call: CallExpr) -> bool:
    """`side_effect=`/`wraps=`/`**kwargs` next to `return_value=`: they decide the calls."""
    for name, kind in zip(call.arg_names, call.arg_kinds):
        if name in ("side_effect", "wraps", "new", "new_callable", "spec", "spec_set", "autospec"):
            return True
        if kind == ARG_STAR2 or kind == ARG_STAR:
            return True
    return False


def _configured_later(
    api: CheckerPluginInterface, cache: ScanCache, target: Expression, stored: StoredReturn | None
) -> bool:
    """Another configuration of the calls of the mock at `target` (or made by the constructor
    `target`) anywhere in the function: `m.x.side_effect = ...` wins over the return value."""
    scopes = scopes_of(api)
    if not scopes:
        return True
    facts = cache.facts(scopes[0])
    if facts.foreign_configuration:
        return True
    if isinstance(target, CallExpr):
        bound = [var for var, values in facts.definitions.items() if target in values]
        if not bound:
            return False  # used in place: nothing else reaches it
        paths = [Path(var, ()) for var in bound]
    else:
        path = path_of(target)
        if path is None:
            return True
        paths = [path]
    for path in paths:
        for event in facts.events:
            if event.path.root is not path.root:
                continue
            at = event.path.segments
            below = at[: len(path.segments) + 1] == path.segments + (CALL,)
            above = path.segments[: len(at)] == at and len(at) <= len(path.segments)
            if below and not _is_this_store(event, stored):
                return True
            if above and event.kind is EventKind.SUBTREE and not _is_this_store(event, stored):
                return True
    return False


def _is_this_store(event: Event, stored: StoredReturn | None) -> bool:
    """The assignment `owner.return_value = <the coroutine>`, or the `configure_mock(...)`
    call, that stores this return value."""
    if stored is None:
        return False
    if stored.via is not None and event.target is stored.via:
        return True
    return (
        isinstance(event.target, MemberExpr)
        and event.target.name == "return_value"
        and event.target.expr is stored.owner
    )
def _constructs_async_mock(call: CallExpr) -> bool:
    callee = call.callee
    if isinstance(callee, RefExpr) and callee.fullname == fullnames.ASYNC_MOCK:
        return True
    return isinstance(callee, MemberExpr) and callee.name == Kind.ASYNC_MOCK.value


def _patch_makes_async_mock(api: CheckerPluginInterface, call: CallExpr) -> bool:
    patch_call = patches.read_patch_call(api, call)
    if patch_call is None or "new" in patch_call.keywords:
        return False
    new_callable = patch_call.keywords.get("new_callable")
    if new_callable is not None:
        return patches.new_callable_kind(new_callable) is Kind.ASYNC_MOCK
    member = patches.patched_member(patch_call)
    return member is not None and member[0] is Member.ASYNC_FUNCTION and _awaited_result_is_plain(member[1])
