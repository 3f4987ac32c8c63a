"""Run mypy in a subprocess on a small project in tmp_path, with the working tree's plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BUGGY_TEST = """\
from unittest.mock import MagicMock

async def test_it() -> None:
    session = MagicMock()
    await session.execute()
"""


def write_project(project: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return project


def run_mypy(
    project: Path,
    *arguments: str,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
    plugin_from_tree: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`mypy ARGUMENTS` in `project` (the plugin and its stubs from the working tree unless
    `plugin_from_tree` is false), its own cache there, plugin exceptions not raised.

    The working tree goes on mypy's sys.path, not on PYTHONPATH: the interpreter of mypy's
    `python_executable` inherits the environment, and must see only its own packages."""
    environment = dict(os.environ)
    environment.pop("MYPY_ASYNC_STRICT_RAISE", None)
    environment.pop("MYPYPATH", None)
    environment.update(env or {})
    tree = f"sys.path.insert(1, {str(ROOT)!r}); " if plugin_from_tree else ""
    bootstrap = f"import sys; {tree}from mypy.__main__ import console_entry; console_entry()"
    return subprocess.run(
        [python, "-c", bootstrap, "--cache-dir", str(project / ".mypy_cache"), *arguments],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def tree_env() -> dict[str, str]:
    """The environment for `python -m mypy_async_strict` from the working tree."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def lines_with(completed: subprocess.CompletedProcess[str], marker: str) -> list[str]:
    return [line for line in completed.stdout.splitlines() if marker in line]
