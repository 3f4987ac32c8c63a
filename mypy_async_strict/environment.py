"""Can mypy import the plugin's stubs (`mypy_async_strict/mocks.pyi`) in this run?

Every mock is given a type from those stubs, so mypy must find them through the search path of
the environment it checks: mypy_path and MYPYPATH, the site-packages of `python_executable`
(mypy's own interpreter unless configured), typeshed.  mypy computes that path before it loads
plugins, so the plugin cannot add to it; when the stubs are missing (or another version of them
is found), the plugin says what to do instead of staying silently off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mypy.options import Options

from mypy_async_strict import __version__, compat, fullnames

PACKAGE = Path(__file__).resolve().parent
OURS = PACKAGE / "mocks.pyi"


def stubs_problem(options: Options) -> str | None:
    """The error to report when mypy cannot use this plugin's stubs in this run, else None."""
    try:
        found = compat.find_module_path(options, fullnames.ANNOTATIONS_MODULE)
    except Exception as error:  # a search-path surprise must not stop mypy
        return f"mocks are not checked: looking for the plugin's stubs failed ({error!r})"
    if found is None:
        return _not_found(options)
    if _same_file(Path(found), OURS):
        return None
    return (
        f"mocks are not checked: mypy finds stubs of another version of mypy-async-strict at "
        f"{found}, which differ from this plugin's ({__version__}, at {OURS}). Install the same "
        f"version in both environments, or write this version's stubs with "
        f'"{sys.executable} -m mypy_async_strict stubs DIR" and put DIR first on mypy_path'
    )


def _not_found(options: Options) -> str:
    executable = options.python_executable
    elsewhere = bool(executable) and not _same_interpreter(str(executable), sys.executable)
    if options.no_site_packages:
        where = " (no_site_packages is set, so mypy does not look in site-packages)"
        install = "Unset no_site_packages"
    elif elsewhere:
        where = f" ({executable}, set by python_executable), where mypy-async-strict is not installed"
        install = f'Install it there ("{executable} -m pip install mypy-async-strict=={__version__}")'
    else:
        where = (
            f" ({sys.executable}): this copy of the plugin, at {PACKAGE}, is installed in a way "
            "mypy cannot follow (an editable install through an import hook?)"
        )
        install = "Reinstall it (pip install ., or pip install -e . from a current checkout)"
    return (
        "mocks are not checked: mypy cannot import the plugin's stubs (mypy_async_strict/mocks.pyi) "
        f"from the environment it checks{where}. {install}, or write the stubs with "
        f'"{sys.executable} -m mypy_async_strict stubs DIR" and add DIR to mypy_path'
    )


def _same_file(found: Path, ours: Path) -> bool:
    try:
        return found.resolve() == ours.resolve() or found.read_bytes() == ours.read_bytes()
    except OSError:
        return False


def _same_interpreter(one: str, other: str) -> bool:
    """As mypy decides (venvs' interpreters are often links to one binary: not resolved)."""
    return os.path.abspath(one) == os.path.abspath(other)
