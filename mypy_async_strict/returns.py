"""`mock-return`: a coroutine object made the return value of an AsyncMock.

An AsyncMock's call is a coroutine of its own whose result is `return_value`; so with
`AsyncMock(return_value=fetch_user())`, `await m()` gives the coroutine object made by
`fetch_user()`, not a user, and that coroutine is never awaited.  The same holds for
`m.fetch.return_value = fetch_user()` on an AsyncMock child, `configure_mock(**{"fetch.
return_value": fetch_user()})`, and `patch.object(C, "fetch", return_value=fetch_user())` over an
`async def` (patch makes the AsyncMock).
"""

from __future__ import annotations

from mypy.nodes import CallExpr, Context, MemberExpr, RefExpr
from mypy.plugin import CheckerPluginInterface
from mypy.types import Type

from mypy_async_strict import errorcodes, fullnames, mocktypes, patches
from mypy_async_strict.certainty import scopes_of
from mypy_async_strict.classsource import ModuleClassSource
from mypy_async_strict.members import lookup_member
from mypy_async_strict.misuse import Shape, shape_of
from mypy_async_strict.model import CallOutcome, Kind, Member, call_outcome, child_state
from mypy_async_strict.provenance import ScanCache, StoredReturn, is_patch_call
from mypy_async_strict.render import render


def check_coroutine_return(
    api: CheckerPluginInterface, cache: ScanCache, expr: Context, result: Type
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
    message = (
        f'"{render(expr)}" makes a coroutine object: awaiting the AsyncMock\'s call gives this '
        "coroutine itself, not its result, and it is never awaited"
    )
    hint = (
        f"Set return_value to the result itself, or side_effect={render(expr.callee)} to run the "
        "function on every call"
    )
    error = api.fail(message, expr, code=errorcodes.MOCK_RETURN)
    api.msg.note(hint, expr, code=errorcodes.MOCK_RETURN)


def _awaited_call_returns(api: CheckerPluginInterface, cache: ScanCache, stored: StoredReturn) -> bool:
    """Whether the mock that gets the return value is certainly an AsyncMock (or specced from
    a coroutine function): its calls wrap `return_value` in a coroutine."""
    owner = stored.owner
    if isinstance(owner, CallExpr) and stored.member is None:
        if is_patch_call(owner):
            return _patch_makes_async_mock(api, owner)
        return _constructs_async_mock(owner)
    if isinstance(owner, CallExpr):
        return False  # `AsyncMock(spec=C, **{"x.return_value": ...})`: the spec is not typed yet
    lookup = getattr(api, "lookup_type_or_none", None)
    owner_type = lookup(owner) if lookup is not None else None
    mock = mocktypes.decode(owner_type) if owner_type is not None else None
    if mock is None:
        return False
    if stored.member is None:
        return call_outcome(mock.state) is CallOutcome.COROUTINE
    member = (
        lookup_member(mock.state, mock.stands_for, stored.member, ModuleClassSource(api))
        if mock.state.specced
        else None
    )
    child = child_state(mock.state, member.nature if member is not None else Member.DATA)
    return child is not None and call_outcome(child) is CallOutcome.COROUTINE


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
    return member is not None and member[0] is Member.ASYNC_FUNCTION
