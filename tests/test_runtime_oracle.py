"""Run-time truth: every test-data case, executed under each CPython 3.10-3.13 on the machine.

Each line where a case expects an error must really fail at run time (raise, or leave a coroutine
never awaited; a `mock-async-mismatch` line must put a sync object where an async one was, or the
other way round); every other line, and every case without expected errors, must run clean.
Interpreters that are absent are skipped, never failed.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from tests.oracle_runner import Case, parse_test_file

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "oracle_runner.py"
TEST_FILES = sorted((ROOT / "test-data").glob("check-*.test"))
VERSIONS = ("3.10", "3.11", "3.12", "3.13")


def find_interpreter(version: str) -> str | None:
    """A CPython `version` on this machine: the running one, pyenv's, or one on PATH."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for candidate in sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python"), reverse=True):
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(f"python{version}")


@lru_cache(maxsize=None)
def oracle_results(version: str) -> dict[tuple[str, str], dict[str, object]]:
    interpreter = find_interpreter(version)
    assert interpreter is not None
    completed = subprocess.run(
        [interpreter, str(RUNNER), *map(str, TEST_FILES)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return {(str(r["file"]), str(r["case"])): r for r in results}


def all_cases() -> list[Case]:
    return [case for path in TEST_FILES for case in parse_test_file(path)]


CASES = all_cases()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.file}::{case.name}")
def test_case_matches_run_time(case: Case, version: str) -> None:
    if find_interpreter(version) is None:
        pytest.skip(f"CPython {version} is not installed here")
    result = oracle_results(version).get((case.file, case.name))
    assert result is not None, "the oracle did not report this case"
    if result["skipped"]:
        pytest.skip(str(result["skipped"]))
    problems = list(result["unexpected"])  # type: ignore[arg-type]
    for line in result["unexecuted"]:  # type: ignore[attr-defined]
        problems.append(f"line {line}: never ran, so the oracle checked nothing there")
    lines: dict[str, dict[str, object]] = result["lines"]  # type: ignore[assignment]
    for line in case.expected_lines:
        outcome = lines.get(str(line))
        if outcome is None or not outcome["reached"]:
            problems.append(f"line {line}: expected to fail, but never ran")
        elif line in case.mismatch_lines:
            if outcome["raised"] or not outcome["swapped"]:
                problems.append(
                    f"line {line}: expected to swap sync and async, but did not "
                    f"(raised: {outcome['raised']}): {case.main[line - 1].strip()}"
                )
        elif not outcome["raised"] and not outcome["unawaited"]:
            problems.append(f"line {line}: expected to fail, but ran clean: {case.main[line - 1].strip()}")
    assert not problems, f"{case.file}::{case.name} on CPython {version}:\n" + "\n".join(problems)


def run_oracle(test_file: Path) -> dict[str, Any]:
    """The runner's report on a one-case data file, under this interpreter."""
    completed = subprocess.run(
        [sys.executable, str(RUNNER), str(test_file)], capture_output=True, text=True, check=True
    )
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


def test_oracle_catches_a_false_expectation(tmp_path: Path) -> None:
    """The oracle itself must fail a case that claims an error on code that works."""
    bogus = tmp_path / "check-bogus.test"
    bogus.write_text(
        "[case testBogus]\n"
        "from unittest.mock import AsyncMock\n"
        "async def test_it() -> None:\n"
        "    await AsyncMock()()  # E: made-up error\n"
        "    await AsyncMock().x  # E: real failure\n"
    )
    result = run_oracle(bogus)
    assert result["lines"]["3"] == {"reached": True, "raised": None, "unawaited": False, "swapped": False}
    assert result["lines"]["4"]["raised"].startswith("TypeError")


def test_oracle_checks_a_mismatch_claim(tmp_path: Path) -> None:
    """A mismatch claim holds only where the replaced attribute changes between sync and async."""
    case = tmp_path / "check-swap.test"
    case.write_text(
        "[case testSwap]\n"
        "from unittest.mock import AsyncMock, MagicMock, patch\n"
        "class S:\n"
        "    async def run(self) -> None: ...\n"
        "def test_it() -> None:\n"
        "    m = MagicMock(spec=S)\n"
        "    m.run = MagicMock()  # E: [mock-async-mismatch]\n"
        "    m.run = AsyncMock()  # E: [mock-async-mismatch]\n"
        "    m.run = AsyncMock()  # E: [mock-async-mismatch]\n"
        "    with patch.object(S, 'run', new_callable=MagicMock):  # E: [mock-async-mismatch]\n"
        "        pass\n"
        "    with patch.object(S, 'run'):  # E: [mock-async-mismatch]\n"
        "        pass\n"
    )
    lines = run_oracle(case)["lines"]
    swapped = {line: outcome["swapped"] for line, outcome in lines.items()}
    assert swapped == {"6": True, "7": True, "8": False, "9": True, "11": False}


def test_oracle_traces_a_dropped_coroutine_to_its_line(tmp_path: Path) -> None:
    """A coroutine dropped after its statement counts for the line that made it, and only there."""
    case = tmp_path / "check-origin.test"
    case.write_text(
        "[case testOrigin]\n"
        "async def fetch() -> int:\n"
        "    return 1\n"
        "async def test_it() -> None:\n"
        "    kept = fetch()  # E: claimed, but awaited below\n"
        "    dropped = [fetch()]  # E: claimed, and dropped\n"
        "    await kept\n"
        "    stray = fetch()\n"
        "    del dropped, stray\n"
    )
    result = run_oracle(case)
    assert result["lines"]["4"]["unawaited"] is False
    assert result["lines"]["5"]["unawaited"] is True
    assert len(result["unexpected"]) == 1 and "line 7" in result["unexpected"][0]
