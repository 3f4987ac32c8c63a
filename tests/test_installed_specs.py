"""Spec classes from installed libraries: no name of `dir(cls)` may be called missing.

The plugin reads an installed library's classes from their source (specs/classsource.py), so
`MagicMock(spec=httpx.Response).headers` is `mock-spec`.  This checks the rule against CPython:
every class of httpx and anyio (what httpx needs) that mypy analyzes and the interpreter imports,
every name in the class's `dir()` must be present or unknown to the plugin, never missing.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from mypy import build
from mypy.main import process_options
from mypy.modulefinder import BuildSource
from mypy.nodes import MypyFile, TypeInfo
from mypy.types import Instance
from mypy.typevars import fill_typevars_with_any

from mypy_async_strict.model.rules import Kind, Member, MockState, SpecMode, Target
from mypy_async_strict.specs.classsource import ModuleClassSource
from mypy_async_strict.specs.members import lookup_member

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("httpx", "anyio")


def _modules(package: str) -> list[str]:
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if any(part in info.name for part in ("testing", "tests", "__main__")):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:
            continue
        names.append(info.name)
    return names


class _Api:
    def __init__(self, modules: dict[str, MypyFile]) -> None:
        self.modules = modules


def test_no_name_of_dir_is_called_missing(tmp_path: Path) -> None:
    for package in PACKAGES:
        pytest.importorskip(package)
    modules = [name for package in PACKAGES for name in _modules(package)]
    target = tmp_path / "target.py"
    target.write_text("".join(f"import {name}\n" for name in modules))
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nplugins = mypy_async_strict\nmypy_path = {ROOT}\nignore_missing_imports = True\n")
    _, options = process_options(["--config-file", str(config)], require_targets=False)
    options.incremental = False
    result = build.build([BuildSource(str(target), "target", None)], options)
    source = ModuleClassSource(_Api(result.files))  # type: ignore[arg-type]
    state = MockState(Kind.MAGIC_MOCK, SpecMode.SPEC, Target.INSTANCE)
    wrong: list[str] = []
    missing = 0
    for name, tree in result.files.items():
        if not name.startswith(PACKAGES):
            continue
        try:
            runtime = importlib.import_module(name)
        except Exception:
            continue  # needs what is not installed (httpx's command line needs click)
        for symbol_name, symbol in tree.names.items():
            info = symbol.node
            cls = getattr(runtime, symbol_name, None)
            if not isinstance(info, TypeInfo) or info.module_name != name or not isinstance(cls, type):
                continue
            instance = fill_typevars_with_any(info)
            if not isinstance(instance, Instance):
                continue
            present = {n for n in dir(cls) if not (n.startswith("__") and n.endswith("__"))}
            declared = {n for klass in info.mro[:-1] for n in klass.names if not n.startswith("__")}
            for attribute in sorted(present | declared):
                if lookup_member(state, instance, attribute, source).nature is Member.MISSING:
                    if attribute in present:
                        wrong.append(f"{info.fullname}.{attribute}")
                    else:
                        missing += 1
    assert wrong == []
    assert missing > 100  # the rule does find what class specs lack (`Response.headers`, ...)
