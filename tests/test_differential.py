"""Never louder than plain mypy on correct code.

Over a corpus of correct, mock-heavy programs (every test-data case that expects no error, and
a generated code base from benchmarks/generate.py), mypy with the plugin must report nothing
that mypy without it does not: the plugin's precise mock types must not leak into mypy's own
checks.  (examples/ is held to the same rule by tests/test_examples.py, which pins its output
to the seeded bugs; tests/test_benchmark_smoke.py checks another generated code base.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

from tests.oracle_runner import Case, parse_test_file

ROOT = Path(__file__).resolve().parent.parent
TEST_FILES = sorted((ROOT / "test-data").glob("check-*.test"))
ERROR = re.compile(r"^(?P<where>[^:]+:\d+): error: (?P<message>.*)$")
FLAGS = re.compile(r"^# flags: (.*)$", flags=re.MULTILINE)


def correct_cases() -> list[Case]:
    """Cases with no expected diagnostic: the programs are correct (the oracle runs them)."""
    return [case for path in TEST_FILES for case in parse_test_file(path) if not case.expected_lines]


def write_case(case: Case, directory: Path) -> list[str]:
    """The case's modules on disk; returns the paths to check.  The main program is a test
    module (its unannotated test parameters are typed from fixtures, as in a suite)."""
    (directory / "test_main.py").write_text("\n".join(case.main) + "\n")
    for name, lines in case.files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n")
    return ["test_main.py"]


def mypy_errors(directory: Path, targets: list[str], *, plugin: bool, cache: Path, flags: list[str]) -> list[str]:
    config = directory / ("with-plugin.ini" if plugin else "plain.ini")
    config.write_text(
        "[mypy]\n"
        + ("plugins = mypy_async_strict\n" if plugin else "")
        + f"mypy_path = {ROOT}\n"
        + "check_untyped_defs = True\nshow_error_codes = True\n"
    )
    stdout, stderr, _ = api.run(
        ["--config-file", str(config), "--cache-dir", str(cache), "--no-error-summary", *flags, *targets]
    )
    assert "Traceback" not in stderr, stderr
    return sorted(line for line in stdout.splitlines() if ERROR.match(line))


def added_errors(directory: Path, targets: list[str], cache: Path, flags: list[str] = []) -> list[str]:
    """Errors with the plugin that plain mypy does not report (plain runs only when needed)."""
    with_plugin = mypy_errors(directory, targets, plugin=True, cache=cache / "plugin", flags=flags)
    if not with_plugin:
        return []
    plain = set(mypy_errors(directory, targets, plugin=False, cache=cache / "plain", flags=flags))
    return [line for line in with_plugin if line not in plain]


CORRECT = correct_cases()


@pytest.fixture(scope="session")
def shared_cache(request: pytest.FixtureRequest) -> Path:
    """One mypy cache per session and mode: the standard library is checked once."""
    return Path(request.config.cache.mkdir("differential"))  # type: ignore[union-attr]


@pytest.mark.parametrize("case", CORRECT, ids=lambda case: f"{case.file}::{case.name}")
def test_plugin_adds_nothing_on_a_correct_case(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path
) -> None:
    targets = write_case(case, tmp_path)
    match = FLAGS.search("\n".join(case.main))
    flags = match.group(1).split() if match else []
    monkeypatch.chdir(tmp_path)
    assert added_errors(tmp_path, targets, shared_cache, flags) == []


def test_the_comparison_sees_an_added_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> None:
    """The check itself: a diagnostic only the plugin gives is reported as added."""
    (tmp_path / "main.py").write_text(
        "from unittest.mock import MagicMock\n"
        "async def test_it() -> None:\n"
        "    await MagicMock()()\n"
    )
    monkeypatch.chdir(tmp_path)
    added = added_errors(tmp_path, ["main.py"], shared_cache)
    assert len(added) == 1 and added[0].startswith("main.py:3: error:") and "[mock-await]" in added[0]


def test_plugin_adds_nothing_on_generated_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> None:
    """A generated mock-heavy code base (benchmarks/generate.py, another seed than the
    benchmark smoke test's): correct code, on which the plugin adds no error."""
    from tests.test_benchmark_smoke import load_generator

    code = tmp_path / "code"
    manifest = load_generator().generate(code, 3000, 7)
    monkeypatch.chdir(code)
    targets = [str(name) for name in manifest["check"]]
    assert added_errors(code, targets, tmp_path / "cache") == []
