"""The one place for mypy's internals beyond the plugin API, and for the supported versions.

Supported and tested: the minor versions in TESTED_MYPY, the newest 1.x line and every 2.x
(.ci/run runs the whole suite under the newest, and the data-driven cases and the examples
under each older one).  Attributes that only 2.x has (`MypyFile.raw_data`,
`FuncDef.def_or_infer_vars`) are read with getattr where they are read.  The test harness's
`mypy.test` helpers and mypy's own wording differ between versions: see
tests/test_data_cases.py.  What the plugin reaches beyond the plugin API to report on itself,
the module finder and the error list, goes through here, so that a mypy that moves them needs
one change; so do the types that differ between versions.
"""

from __future__ import annotations

import re
from typing import Final

from mypy.errorcodes import ErrorCode
from mypy.errors import Errors
from mypy.nodes import Context
from mypy.options import Options
from mypy.plugin import CheckerPluginInterface
from mypy.types import AnyType, Type, TypeOfAny, get_proper_type

# The oldest and newest (major, minor) the test suite runs under; README and pyproject agree.
TESTED_MYPY: Final = ((1, 20), (2, 4))


def mypy_minor(version: str) -> tuple[int, int] | None:
    """(major, minor) of a mypy version string ("2.4.1", "2.5.0+dev.1a2b3c"), or None."""
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match.group(1)), int(match.group(2))) if match else None


def is_tested(version: str) -> bool:
    minor = mypy_minor(version)
    return minor is not None and TESTED_MYPY[0] <= minor <= TESTED_MYPY[1]


def tested_range() -> str:
    (low_major, low_minor), (high_major, high_minor) = TESTED_MYPY
    return f"{low_major}.{low_minor} to {high_major}.{high_minor}"


def find_module_path(options: Options, module: str) -> str | None:
    """Where mypy, with these options, finds `module` (a path), or None.

    The search paths are computed as `mypy.build` computes them before it loads plugins: from
    mypy_path and MYPYPATH, the checked environment's site-packages (python_executable), and
    typeshed.
    """
    from mypy.build import default_data_dir
    from mypy.modulefinder import FindModuleCache, compute_search_paths

    search_paths = compute_search_paths([], options, default_data_dir())
    found = FindModuleCache(search_paths, None, options).find_module(module)
    return found if isinstance(found, str) else None


def report_once(
    api: object,
    context: Context | None,
    message: str,
    *,
    code: ErrorCode | None = None,
    severity: str = "error",
) -> bool:
    """Report `message` at `context` unless the same message was reported in this build.

    False when it cannot be reported where the user sees it (a module whose errors mypy
    silences, such as an installed library): the caller tries again at its next hook.  mypy
    forgets the reported messages when a build (or a daemon update) starts.
    """
    errors = _errors_of(api)
    if errors is None or context is None:
        return False
    if errors.file in getattr(errors, "ignored_files", ()):
        return False
    if message in getattr(errors, "only_once_messages", ()):
        return True
    errors.report(
        context.line, context.column, message, code=code, severity=severity, only_once=True
    )
    return True


def _errors_of(api: object) -> Errors | None:
    """The Errors of a checker or semantic analyzer plugin interface."""
    errors = getattr(api, "errors", None)
    if not isinstance(errors, Errors):
        errors = getattr(getattr(api, "msg", None), "errors", None)
    return errors if isinstance(errors, Errors) else None


def unannotated_coroutine_call(api: CheckerPluginInterface, result: Type) -> Type | None:
    """The coroutine a call of an unannotated `async def` makes, when mypy typed the call `Any`.

    mypy 2.3 and later type such a call `Coroutine[Any, Any, Any]`; older versions type it
    `Any`.  The checks read the call as the coroutine it is at run time; mypy keeps its own
    type for the call.
    """
    if not isinstance(get_proper_type(result), AnyType):
        return None
    anything = AnyType(TypeOfAny.unannotated)
    return api.named_generic_type("typing.Coroutine", [anything, anything, anything])


def check_under_way(api: object) -> object | None:
    """An object that is the same throughout one check of a module and new for the next.

    mypy's checker makes a new scope when it starts (and the daemon resets its checker, with a
    new scope, before it re-checks a module or one of its functions).  None when unknown.
    """
    return getattr(api, "scope", None)
