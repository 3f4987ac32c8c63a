"""Patch decorators: `@patch.object(C, "fetch")` on a test passes the mock it installs as an
extra positional argument.

CPython (`_patch.decoration_helper`) appends one argument per patch that makes its own mock (no
`new`), in the order the patches were applied: bottom-up, so the decorator nearest the `def`
fills the first parameter (after `self`).  pytest leaves exactly those parameters to the patches.
A parameter filled this way is a fresh mock, configured only by the patch's keywords and by
the test itself, so the plugin types it like `with patch.object(...) as m`.

Only the simple, certain layout is modelled: every decorator of the test is a patch (or a
`pytest.mark`/`unittest.skip*` marker), no `patch.multiple` (it passes keywords), no class-level
patch decorator, and the test is a plain function or method.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import (
    ARG_OPT,
    ARG_POS,
    CallExpr,
    Decorator,
    Expression,
    FakeInfo,
    FuncDef,
    FuncItem,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    TypeInfo,
    Var,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import Type

from mypy_async_strict import fullnames
from mypy_async_strict.knowledge import patches
from mypy_async_strict.knowledge.provenance import (
    is_patch_call,
    is_patch_multiple,
    scopes_of,
    through_mocker,
)
from mypy_async_strict.render import article, dotted_name

MARKER_PREFIXES: Final = (
    "pytest.mark.",
    "_pytest.mark.",
    "unittest.skip",
    "unittest.case.skip",
    "unittest.expectedFailure",
    "unittest.case.expectedFailure",
)


def injected_patch(module: MypyFile, scope: FuncItem, var: Var) -> CallExpr | None:
    """The patch decorator whose mock the parameter `var` of the test `scope` receives."""
    if not isinstance(scope, FuncDef) or not scope.is_decorated or not scope.name.startswith("test"):
        return None  # only tests are called by a runner with no arguments of its own
    decorator = _decorator_of(module, scope)
    if decorator is None:
        return None
    injecting = _injecting_patches(decorator.original_decorators)
    if injecting is None:
        return None
    for multiple in _multiple_patches(decorator.original_decorators):
        if var.name in _default_names(multiple):
            return multiple  # `@patch.multiple(C, fetch=DEFAULT)` passes `fetch=<mock>`
    first = 0 if scope.is_static or isinstance(scope.info, FakeInfo) else 1
    parameters = scope.arguments[first : first + len(injecting)]
    for parameter, patch in zip(parameters, injecting):
        if parameter.kind not in (ARG_POS, ARG_OPT):
            return None
        if parameter.variable is var:
            return patch
    return None


def decorator_patching(
    api: CheckerPluginInterface, module: MypyFile, test: FuncDef, owner: TypeInfo, attribute: str
) -> tuple[Var, CallExpr, patches.PatchCall] | None:
    """The parameter of `test` that a patch decorator of `owner.attribute` fills (and that
    decorator), when it is the only decorator of the test patching it."""
    decorator = _decorator_of(module, test) if test.is_decorated and test.name.startswith("test") else None
    if decorator is None:
        return None
    injecting = _injecting_patches(decorator.original_decorators)
    if injecting is None:
        return None
    same = []
    for call in decorator.original_decorators:
        read = patches.read_patch_call(api, call) if isinstance(call, CallExpr) and is_patch_call(call) else None
        if read is not None and read.owner is owner and read.attribute == attribute:
            same.append(call)
    if len(same) != 1 or not any(call is same[0] for call in injecting):
        return None
    first = 0 if test.is_static or isinstance(test.info, FakeInfo) else 1
    for parameter, call in zip(test.arguments[first : first + len(injecting)], injecting):
        if call is same[0] and parameter.kind in (ARG_POS, ARG_OPT):
            read = patches.read_patch_call(api, call)
            return (parameter.variable, call, read) if read is not None else None
    return None


def injected_mock_type(api: CheckerPluginInterface, patch: CallExpr, name: str) -> Type | None:
    """The mock `patch` passes to the parameter `name`."""
    if is_patch_multiple(patch):
        from mypy_async_strict.knowledge.patch_multiple import mock_types

        mocks = mock_types(api, patch)
        return mocks.get(name) if mocks is not None else None
    return patches.installed_mock_type(api, patches.read_patch_call(api, patch))


def patch_for_parameter(api: CheckerPluginInterface, expr: Expression) -> CallExpr | None:
    """The patch decorator that fills the parameter `expr` names (in the checked function or
    one enclosing it), if one does."""
    if not isinstance(expr, NameExpr) or not isinstance(expr.node, Var):
        return None
    scopes = scopes_of(api)
    module = scopes[-1] if scopes else None
    if not isinstance(module, MypyFile):
        return None
    for scope in scopes:
        if isinstance(scope, FuncItem) and any(a.variable is expr.node for a in scope.arguments):
            return injected_patch(module, scope, expr.node)
    return None


def order_hint(api: CheckerPluginInterface, expr: Expression, kind: str) -> str | None:
    """For a parameter a patch decorator fills: which patch, and the bottom-up rule."""
    patch = patch_for_parameter(api, expr)
    call = patches.read_patch_call(api, patch) if patch is not None else None
    if call is None or not isinstance(expr, NameExpr):
        return None
    return (
        f'"{expr.name}" gets the mock that patches "{call.target_name}", {article(kind)} {kind} '
        "(stacked patch decorators pass their mocks bottom-up: the one nearest the def first)"
    )




def _decorator_of(module: MypyFile, func: FuncDef) -> Decorator | None:
    """The Decorator node of a module-level function or a method (nested functions: None)."""
    if isinstance(func.info, FakeInfo):
        symbol = module.names.get(func.name)
    else:
        if func.info.defn.decorators:
            return None  # a class-level patch adds its mocks after the method's own
        symbol = func.info.names.get(func.name)
    node = symbol.node if symbol is not None else None
    return node if isinstance(node, Decorator) and node.func is func else None


def _injecting_patches(decorators: list[Expression]) -> list[CallExpr] | None:
    """The patches that pass a mock, bottom-up (the order of the extra arguments); None when
    a decorator may change the arguments in a way the plugin does not model."""
    found: list[CallExpr] = []
    for decorator in reversed(decorators):
        if _is_marker(decorator):
            continue
        if not isinstance(decorator, CallExpr) or through_mocker(decorator):
            return None
        if not is_patch_call(decorator) and not is_patch_multiple(decorator):
            return None
        if _is_multiple(decorator):
            continue  # passes keyword arguments, not positional ones
        if not _passes_new(decorator):
            found.append(decorator)
    return found


def _is_marker(expr: Expression) -> bool:
    """`@pytest.mark.asyncio`, `@pytest.mark.parametrize(...)`, `@unittest.skipIf(...)`: they
    leave the arguments alone (`pytest.mark.*` by name: its attributes are dynamic)."""
    target = expr.callee if isinstance(expr, CallExpr) else expr
    fullname = target.fullname if isinstance(target, RefExpr) else ""
    return (fullname or dotted_name(target) or "").startswith(MARKER_PREFIXES)


def _is_multiple(call: CallExpr) -> bool:
    return isinstance(call.callee, MemberExpr) and call.callee.name == "multiple"


def _multiple_patches(decorators: list[Expression]) -> list[CallExpr]:
    return [d for d in decorators if isinstance(d, CallExpr) and is_patch_multiple(d)]


def _default_names(call: CallExpr) -> set[str]:
    return {
        name
        for name, arg in zip(call.arg_names, call.args)
        if name is not None and isinstance(arg, RefExpr) and arg.fullname == fullnames.DEFAULT_SENTINEL
    }


def _passes_new(call: CallExpr) -> bool:
    """`new` given (by keyword or position, and not `DEFAULT`): the patch passes nothing."""
    positional = [arg for arg, name in zip(call.args, call.arg_names) if name is None]
    is_object = isinstance(call.callee, MemberExpr) and call.callee.name == "object"
    news = [arg for arg, name in zip(call.args, call.arg_names) if name == "new"]
    news += positional[2 if is_object else 1 :][:1]
    return any(not (isinstance(new, RefExpr) and new.fullname == fullnames.DEFAULT_SENTINEL) for new in news)
