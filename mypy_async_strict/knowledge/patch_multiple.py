"""`patch.multiple(target, fetch=DEFAULT, ping=DEFAULT)`: the mocks it makes, by name.

CPython (`_patch_multiple`) makes one `_patch` per keyword whose value is `DEFAULT`, each with
the call's `spec`/`spec_set`/`autospec`/`new_callable`; as a decorator it passes them as keyword
arguments named like the attributes.  Each mock is what `patch.object(target, name, ...)` with
the same options would make (an AsyncMock for an `async def`).

The dict that `with patch.multiple(...) as mocks` binds keeps its declared type: a TypedDict of
the mock types would not be a `dict` (`.values()` gives `object`, a `Dict[str, Any]` parameter
refuses it), and a `dict` of a union would make every key look like every mock.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    CallExpr,
    Expression,
    MemberExpr,
    MypyFile,
    RefExpr,
    StrExpr,
    TypeInfo,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import AnyType, Type, TypeOfAny

from mypy_async_strict import fullnames
from mypy_async_strict.knowledge import patches

OPTIONS: Final = frozenset({"spec", "create", "spec_set", "autospec", "new_callable"})


def mock_types(api: CheckerPluginInterface, call: CallExpr) -> dict[str, Type] | None:
    """The mock made for each `DEFAULT` keyword (`Any` where it is not known), or None when
    the call cannot be read."""
    if not call.args or call.arg_kinds[0] != ARG_POS:
        return None
    if any(kind not in (ARG_POS, ARG_NAMED) for kind in call.arg_kinds) or call.arg_kinds.count(ARG_POS) > 1:
        return None  # options given positionally, or **kwargs: not readable
    owner = _owner(api, call.args[0])
    if owner is None:
        return None
    options = {name: arg for name, arg in zip(call.arg_names, call.args) if name in OPTIONS}
    mocks: dict[str, Type] = {}
    for name, arg in zip(call.arg_names, call.args):
        if name is None or name in OPTIONS or not _is_default(arg):
            continue
        mock = patches.installed_mock_type(api, patches.PatchCall(owner, name, dict(options)))
        mocks[name] = mock if mock is not None else AnyType(TypeOfAny.special_form)
    return mocks


def _owner(api: CheckerPluginInterface, target: Expression) -> MypyFile | TypeInfo | None:
    """The module or class whose attributes are patched: a reference, or its dotted name."""
    if isinstance(target, RefExpr) and isinstance(target.node, (MypyFile, TypeInfo)):
        return target.node
    if not isinstance(target, StrExpr):
        return None
    modules = getattr(api, "modules", None)
    if not isinstance(modules, dict):
        return None
    module = modules.get(target.value)
    if isinstance(module, MypyFile):
        return module
    module_name, _, class_name = target.value.rpartition(".")
    parent = modules.get(module_name)
    symbol = parent.names.get(class_name) if isinstance(parent, MypyFile) else None
    return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None


def _is_default(expr: Expression) -> bool:
    """`DEFAULT`, `mock.DEFAULT` or `mocker.DEFAULT`: let the patch make the mock."""
    if isinstance(expr, RefExpr) and expr.fullname == fullnames.DEFAULT_SENTINEL:
        return True
    return isinstance(expr, MemberExpr) and expr.name == "DEFAULT"
