"""Is a callee part of the application under test?  Then a mock passed to it is used, not
reconfigured.

Production code receives a mock as a stand-in for its dependency and calls it; it does not
import `unittest.mock`, so it cannot put a new mock (let alone an AsyncMock) in the place of one of
the mock's attributes.  So after `await OrderService(session).checkout()`, `session.add` is still
the MagicMock the spec made, and `session.add.assert_awaited_once()` still raises.

Application code is a module of the build that is source (not a stub, not an installed
library), not the test module itself, not named like test support (`tests`, `conftest`,
`test_*`, `*_test`, `testing`, `fixtures`, `mocks`, or a configured `test_dirs` name), and that
refers to no mocking library.
"""

from __future__ import annotations

import os
from typing import Final

from mypy.nodes import (
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    LambdaExpr,
    MypyFile,
    OverloadedFuncDef,
    RefExpr,
    TypeInfo,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import CallableType, Overloaded, get_proper_type

from mypy_async_strict import settings
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.rules import SpecMode, Target
from mypy_async_strict.specs.classsource import installed

TEST_SUPPORT_PARTS: Final = frozenset(
    {
        "tests", "test", "testing", "_testing", "testutils", "test_utils", "conftest",
        "fixtures", "mocks", "fakes", "stubs", "doubles", "factories", "helpers", "support",
    }
)
MOCKING_MODULES: Final = ("unittest", "mock", "pytest_mock", "pytest", "_pytest", "asynctest")


def passes_to_application(api: CheckerPluginInterface, call: CallExpr | None, current: str) -> bool:
    """Whether `call` (which gets a mock as an argument) is a call into application code."""
    if call is None:
        return False
    if any(_is_callback(api, arg) for arg in call.args):
        return False  # the application may call it back with the mock: test code again
    if _may_wire_mocks(api, call):
        return False  # it may put one of the test's mocks into another (`bus.on_message = handler`)
    module = _callee_module(api, call.callee)
    return module is not None and module.fullname != current and _is_application(module)


def _may_wire_mocks(api: CheckerPluginInterface, call: CallExpr) -> bool:
    """Two or more mocks, one of them callable-like (unspecced, or standing for a function):
    production code may install it as the other's attribute (`bus.on_message = handler`)."""
    lookup = getattr(api, "lookup_type_or_none", None)
    mocks = []
    for arg in call.args:
        arg_type = lookup(arg) if lookup is not None else None
        mock = mocktypes.decode(arg_type) if arg_type is not None else None
        if mock is not None:
            mocks.append(mock)
    return len(mocks) > 1 and any(
        mock.state.mode is SpecMode.NONE or mock.state.target is Target.FUNCTION for mock in mocks
    )


def _is_callback(api: CheckerPluginInterface, arg: Expression) -> bool:
    if isinstance(arg, LambdaExpr):
        return True
    if isinstance(arg, RefExpr) and isinstance(arg.node, (FuncDef, Decorator, OverloadedFuncDef)):
        return True
    lookup = getattr(api, "lookup_type_or_none", None)
    arg_type = get_proper_type(lookup(arg)) if lookup is not None else None
    return isinstance(arg_type, (CallableType, Overloaded))


def _callee_module(api: CheckerPluginInterface, callee: Expression) -> MypyFile | None:
    fullname = None
    if isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo):
        fullname = callee.node.module_name + "." + callee.node.name
    elif isinstance(callee, RefExpr) and isinstance(callee.node, (FuncDef, Decorator, OverloadedFuncDef)):
        fullname = callee.node.fullname
    else:
        lookup = getattr(api, "lookup_type_or_none", None)
        callee_type = get_proper_type(lookup(callee)) if lookup is not None else None
        if isinstance(callee_type, CallableType) and isinstance(callee_type.definition, FuncDef):
            fullname = callee_type.definition.fullname
    return _module_of(api, fullname) if fullname else None


def _module_of(api: CheckerPluginInterface, fullname: str) -> MypyFile | None:
    modules = getattr(api, "modules", None)
    if not isinstance(modules, dict):
        return None
    name = fullname
    while "." in name:
        name = name.rpartition(".")[0]
        module = modules.get(name)
        if isinstance(module, MypyFile):
            return module
    return None


def _is_application(module: MypyFile) -> bool:
    if module.is_stub or installed(module.path):
        return False
    parts = module.fullname.split(".") + _directories(module.path)
    if any(_test_like(part) for part in parts):
        return False
    return not any(_mocking(symbol.node) for symbol in module.names.values())


def _directories(path: str) -> list[str]:
    """The directories of the module's file (`tests/helpers.py` is test support even when
    `tests` is not a package)."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        path = relative if not relative.startswith("..") else path
    parts = path.replace("\\", "/").split("/")
    return parts[:-1]


def _test_like(part: str) -> bool:
    return (
        part in TEST_SUPPORT_PARTS
        or part in settings.current().test_dirs  # the configured `test_dirs`
        or part.startswith("test_")
        or part.endswith(("_test", "_tests"))
    )


def _mocking(node: object) -> bool:
    fullname = getattr(node, "fullname", None)
    if not isinstance(fullname, str):
        return False
    return any(fullname == name or fullname.startswith(name + ".") for name in MOCKING_MODULES)
