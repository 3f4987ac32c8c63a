"""`python -m mypy_async_strict`: where the plugin is, and its stubs for environments without it.

mypy must import the plugin's stubs (`mypy_async_strict/mocks.pyi`) from the environment it
checks.  When that environment cannot have the plugin installed (mypy's `python_executable`
points elsewhere), `stubs` writes them into a directory of their own, to add to `mypy_path`.
This module never imports mypy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from mypy_async_strict import __version__

PACKAGE = Path(__file__).resolve().parent
STUB_FILES = ("__init__.pyi", "mocks.pyi", "py.typed")


def default_stubs_dir() -> Path:
    """A directory of this version's own, in the user's cache."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mypy-async-strict" / f"stubs-{__version__}"


def write_stubs(directory: Path) -> Path:
    """Copy the stubs to `directory/mypy_async_strict/` (replacing an older copy) and return
    `directory`, the path for mypy_path."""
    target = directory / "mypy_async_strict"
    target.mkdir(parents=True, exist_ok=True)
    for name in STUB_FILES:
        shutil.copyfile(PACKAGE / name, target / name)
    return directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mypy_async_strict",
        description="mypy-async-strict: where the plugin is, and its stubs for mypy_path.",
    )
    parser.add_argument("--version", action="version", version=f"mypy-async-strict {__version__}")
    commands = parser.add_subparsers(dest="command")
    stubs = commands.add_parser(
        "stubs",
        help="write the plugin's stubs to DIR/mypy_async_strict/ and print DIR (add it to mypy_path)",
    )
    stubs.add_argument(
        "directory",
        nargs="?",
        type=Path,
        help=f"where to write them (default: {default_stubs_dir()})",
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "stubs":
        directory = arguments.directory if arguments.directory is not None else default_stubs_dir()
        print(write_stubs(directory.resolve()))
        return 0
    print(f"mypy-async-strict {__version__}")
    print(f"package:     {PACKAGE}")
    print(f"interpreter: {sys.executable}")
    print("enable it with `plugins = mypy_async_strict` in mypy's configuration;")
    print("`python -m mypy_async_strict stubs [DIR]` writes its stubs for mypy_path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
