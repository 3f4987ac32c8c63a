"""What the plugin knows a value is, wherever mypy's type for it is plain.

Hooks give an expression its precise mock type only where it is used in place (positions.py);
stored, it gets the type plain mypy gives it (`MagicMock`, or `Any`).  The precise type is
recorded either way, so that a later use of the stored value (`m.fetch` where `m` is a
`MagicMock` variable handed to the code under test) is typed from what the plugin knows, not
from the plain type.
"""

from __future__ import annotations

from typing import Callable, Final, TypeVar, Union

from mypy.nodes import (
    AwaitExpr,
    CallExpr,
    Expression,
    MemberExpr,
    MypyFile,
    NameExpr,
    Var,
)
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext
from mypy.types import Instance, Type, get_proper_type

from mypy_async_strict import fullnames
from mypy_async_strict.knowledge.certainty import fixture_constructor, pytest_fixture
from mypy_async_strict.knowledge.handoffs import held_argument
from mypy_async_strict.knowledge.provenance import (
    ScanCache,
    configuring_call,
    is_mock_constructor,
    is_patch_call,
    scopes_of,
)
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType

MAX_ALIAS_DEPTH: Final = 8
_Ctx = TypeVar("_Ctx", bound=Union[FunctionContext, MethodContext])


def settle(api: CheckerPluginInterface, cache: ScanCache, expr: Expression, precise: Type, plain: Type) -> Type:
    """Record `precise` as what `expr` is, and give back the type it gets: `precise` where it
    is used in place, `plain` (plain mypy's type) where it is stored."""
    scopes = scopes_of(api)
    module = scopes[-1] if scopes else None
    if not isinstance(module, MypyFile):
        return plain
    cache.remember(module, expr, precise)
    return precise if id(expr) in cache.facts(scopes[0]).in_place else plain


def settled(hook: Callable[[_Ctx], Type], cache: ScanCache) -> Callable[[_Ctx], Type]:
    """`hook` (a constructor's or a patch's), its result settled at the call it types."""

    def run(ctx: _Ctx) -> Type:
        result = hook(ctx)
        call = ctx.context
        if result is ctx.default_return_type or not isinstance(call, Expression):
            return result
        return settle(ctx.api, cache, call, result, ctx.default_return_type)

    return run


def precise_type(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Type | None:
    """The precise type the plugin gave `expr` (also where it was widened), else its type in
    mypy's type map."""
    scopes = scopes_of(api)
    module = scopes[-1] if scopes else None
    recorded = cache.recall(module, expr) if isinstance(module, MypyFile) else None
    if recorded is not None:
        return recorded
    lookup = getattr(api, "lookup_type_or_none", None)
    return lookup(expr) if lookup is not None else None


def known_mock(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> MockType | None:
    """The mock `expr` holds, from its type or, where that is plain, from its definition: a
    local variable bound once (to a mock constructor, a `with patch(...) as m`, an alias),
    `patch(...).start()`, or `await` of a mock call."""
    for _ in range(MAX_ALIAS_DEPTH):
        typ = _unwrap_patcher(precise_type(api, cache, expr))
        mock = mocktypes.decode(typ) if typ is not None else None
        if mock is not None:
            return mock
        if isinstance(expr, AwaitExpr):
            return awaited_mock(api, cache, expr.expr)
        fixture = _pytest_fixture(api, cache, expr)
        if fixture is not None:
            return fixture
        following = definition(api, cache, expr)
        if following is None:
            return None
        expr = following
    return None


def awaited_mock(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> MockType | None:
    """The mock that awaiting `expr` (a mock's call) gives, when the plugin typed that call."""
    typ = get_proper_type(precise_type(api, cache, expr))
    if isinstance(typ, Instance) and typ.type.fullname == "typing.Coroutine" and len(typ.args) == 3:
        return mocktypes.decode(typ.args[2])
    return None


def _unwrap_patcher(typ: Type | None) -> Type | None:
    """`patch.object(...)` is typed as a patcher of the mock it installs (`with ... as m`)."""
    proper = get_proper_type(typ)
    if isinstance(proper, Instance) and proper.type.fullname == fullnames.PATCH_PASS_ARG and proper.args:
        return proper.args[0]
    return typ


def definition(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Expression | None:
    """The expression whose value `expr` certainly has (one step): a local bound once, the
    mock `patch(...).start()` starts, a set-up's `self.x`, what a holder keeps (`svc.db`)."""
    if isinstance(expr, CallExpr) and isinstance(expr.callee, MemberExpr) and expr.callee.name == "start":
        patch = configuring_call(expr)
        return patch if patch is not expr and is_patch_call(patch) else None
    if isinstance(expr, MemberExpr):
        held = _held(api, cache, expr)
        return held if held is not None else fixture_constructor(api, cache, expr)
    if not isinstance(expr, NameExpr) or not isinstance(expr.node, Var):
        return None
    for scope in scopes_of(api):
        values = cache.facts(scope).definitions.get(expr.node)
        if values is not None:
            return values[0] if len(values) == 1 else None
    return None


def _held(api: CheckerPluginInterface, cache: ScanCache, expr: MemberExpr) -> Expression | None:
    """`svc.session` where `svc = UserService(session)` keeps its argument there (handoffs.py)."""
    holder = definition(api, cache, expr.expr) if isinstance(expr.expr, NameExpr) else None
    if not isinstance(holder, CallExpr) or is_mock_constructor(holder):
        return None
    return held_argument(api, cache, holder, expr.name)


def _pytest_fixture(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> MockType | None:
    """A test's parameter a pytest fixture fills with a mock (pytest_fixtures.py)."""
    if not isinstance(expr, NameExpr) or not isinstance(expr.node, Var):
        return None
    for scope in scopes_of(api):
        facts = cache.facts(scope)
        if expr.node in facts.definitions:
            resolved = pytest_fixture(api, cache, facts, expr.node)
            return resolved.mock if resolved is not None else None
    return None
