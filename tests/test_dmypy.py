"""The daemon (dmypy) path IDEs use: the plugin loads, reports, and survives re-checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUGGY = """\
from unittest.mock import MagicMock

async def test_it() -> None:
    m = MagicMock()
    await m.x()
"""
FIXED = BUGGY.replace("MagicMock()", "MagicMock(**{'x.side_effect': None})").replace(
    "await m.x()", "m.x()"
)


@pytest.fixture
def daemon(tmp_path: Path):  # type: ignore[no-untyped-def]
    status = tmp_path / "status.json"

    def dmypy(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status), *arguments],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    yield dmypy
    dmypy("stop")


def write_config(tmp_path: Path, extra: str = "") -> None:
    (tmp_path / "mypy.ini").write_text(
        f"[mypy]\nplugins = mypy_async_strict\nmypy_path = {ROOT}\n{extra}"
    )


def test_start_then_check_reports_and_rechecks(tmp_path: Path, daemon) -> None:  # type: ignore[no-untyped-def]
    write_config(tmp_path)
    source = tmp_path / "t.py"
    source.write_text(BUGGY)
    assert daemon("start", "--", "--config-file", "mypy.ini").returncode == 0
    first = daemon("check", "t.py")
    assert "[mock-await]" in first.stdout, first.stdout + first.stderr
    source.write_text(FIXED)
    second = daemon("check", "t.py")
    assert second.returncode == 0, second.stdout + second.stderr
    source.write_text(BUGGY)
    third = daemon("check", "t.py")
    assert "[mock-await]" in third.stdout, third.stdout + third.stderr


def test_dmypy_run_with_the_codes_in_the_plugins_section(tmp_path: Path, daemon) -> None:  # type: ignore[no-untyped-def]
    """`dmypy run` (what editors call) crashes with KeyError when mypy's own
    enable_error_code/disable_error_code name a plugin's code (mypy 2.4.1: the daemon compares
    options before it loads plugins); the plugin's section takes them instead."""
    (tmp_path / "mypy.ini").write_text(
        f"[mypy]\nplugins = mypy_async_strict\nmypy_path = {ROOT}\n\n"
        "[mypy.plugins.mypy_async_strict]\ndisable_error_code = mock-await\n"
    )
    (tmp_path / "t.py").write_text(BUGGY)
    first = daemon("run", "--", "t.py")
    assert first.returncode == 0, first.stdout + first.stderr
    (tmp_path / "t.py").write_text(BUGGY + "\n")
    again = daemon("run", "--", "t.py")
    assert again.returncode == 0, again.stdout + again.stderr


def test_dmypy_run_reports_setup_problems_on_every_run(tmp_path: Path, daemon) -> None:  # type: ignore[no-untyped-def]
    write_config(tmp_path, "\n[mypy.plugins.mypy_async_strict]\ntset_dirs = qa\n")
    (tmp_path / "t.py").write_text(BUGGY)
    for _ in range(2):
        checked = daemon("run", "--", "t.py")
        assert checked.returncode == 1, checked.stdout + checked.stderr
        assert checked.stdout.count("[mock-setup]") == 1, checked.stdout
        assert "Traceback" not in checked.stdout + checked.stderr


def test_disabled_code_works_with_start_then_check(tmp_path: Path, daemon) -> None:  # type: ignore[no-untyped-def]
    """The documented workaround for `dmypy run` crashing on plugin error codes in config."""
    write_config(tmp_path, "disable_error_code = mock-await\n")
    (tmp_path / "t.py").write_text(BUGGY)
    assert daemon("start", "--", "--config-file", "mypy.ini").returncode == 0
    checked = daemon("check", "t.py")
    assert checked.returncode == 0, checked.stdout + checked.stderr
