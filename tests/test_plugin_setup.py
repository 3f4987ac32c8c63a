"""Never louder, never silently off: the plugin's own problems are mypy errors or notes, once
per run, with the fix in the message; never a traceback, never a line on stderr.

- an invalid configuration: an error (`mock-setup`, exit status 1) naming the key;
- stubs mypy cannot import from the checked environment: an error saying what to do;
- an untested mypy version, a failure inside a hook: a note naming the versions;
- the settings reach the checks (the plugin's own enable_error_code) and the cache.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.mypy_runs import BUGGY_TEST, lines_with, run_mypy, tree_env, write_project

INI = "[mypy]\nplugins = mypy_async_strict\n"
TOML = '[tool.mypy]\nplugins = ["mypy_async_strict"]\n'


def assert_quiet(completed: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in completed.stdout + completed.stderr, completed.stdout + completed.stderr
    assert completed.stderr == "", completed.stderr


def test_unknown_key_is_one_error_with_exit_status_1(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "pyproject.toml": TOML + '\n[tool.mypy_async_strict]\ndisable_error_codes = ["async-truthy"]\n',
            "test_a.py": BUGGY_TEST,
            "test_b.py": BUGGY_TEST,
        },
    )
    for run in ("cold", "warm"):  # a warm cache must not hide (or repeat) it
        completed = run_mypy(tmp_path, "test_a.py", "test_b.py")
        assert completed.returncode == 1, completed.stdout
        assert_quiet(completed)
        setup = lines_with(completed, "[mock-setup]")
        assert len(setup) == 1, (run, completed.stdout)
        assert 'pyproject.toml:5: [tool.mypy_async_strict]: unknown option "disable_error_codes"' in setup[0]
        assert len(lines_with(completed, "[mock-await]")) == 2  # the checks still run
    (tmp_path / "pyproject.toml").write_text(TOML + '\n[tool.mypy_async_strict]\ndisable_error_code = ["async-truthy"]\n')
    fixed = run_mypy(tmp_path, "test_a.py", "test_b.py")
    assert lines_with(fixed, "[mock-setup]") == [] and len(lines_with(fixed, "[mock-await]")) == 2


def test_a_bad_value_in_mypy_ini_names_the_key(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "mypy.ini": INI + "\n[mypy.plugins.mypy_async_strict]\nenable_error_code = mock-awiat\n",
            "test_a.py": "from unittest.mock import MagicMock\n\ndef test_it() -> None:\n    MagicMock()\n",
        },
    )
    completed = run_mypy(tmp_path, "test_a.py")
    assert completed.returncode == 1
    assert_quiet(completed)
    [setup] = lines_with(completed, "[mock-setup]")
    assert 'mypy.ini:5: [mypy.plugins.mypy_async_strict]: "enable_error_code" takes the plugin\'s error codes' in setup


def test_settings_are_in_the_cache_fingerprint(tmp_path: Path) -> None:
    """The settings are part of what mypy fingerprints, so a change rechecks."""
    from mypy.options import Options
    from mypy.plugin import ReportConfigContext

    from mypy_async_strict.entry import ConfiguredPlugin

    config = write_project(
        tmp_path, {"pyproject.toml": TOML + '\n[tool.mypy_async_strict]\ndisable_error_code = ["async-truthy"]\n'}
    )
    options = Options()
    options.config_file = str(config / "pyproject.toml")
    plugin = ConfiguredPlugin(options)
    data = plugin.report_config_data(ReportConfigContext("m", "m.py", is_check=True))
    assert data["settings"]["disable_error_code"] == ["async-truthy"]
    assert data["setup"] == ""  # no setup problem: the cache is used as usual


UNSPECCED = {
    "repo.py": "class Repo:\n    async def fetch(self) -> int:\n        return 1\n\n"
    "def keep(repo: Repo) -> None:\n    pass\n",
    "test_it.py": "from unittest.mock import MagicMock\nfrom repo import keep\n\n"
    "def test_it() -> None:\n    keep(MagicMock())\n",
}


def test_the_plugins_section_enables_an_opt_in_code(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": TOML, **UNSPECCED})
    default = run_mypy(tmp_path, "test_it.py")
    assert_quiet(default)
    assert lines_with(default, "[mock-unspecced]") == [], default.stdout
    with (tmp_path / "pyproject.toml").open("a") as config:
        config.write('\n[tool.mypy_async_strict]\nenable_error_code = ["mock-unspecced"]\n')
    enabled = run_mypy(tmp_path, "test_it.py")
    assert_quiet(enabled)
    assert len(lines_with(enabled, "[mock-unspecced]")) == 1, enabled.stdout


def test_mypy_enable_error_code_works_too(tmp_path: Path) -> None:
    write_project(tmp_path, {"mypy.ini": INI + "enable_error_code = mock-unspecced\n", **UNSPECCED})
    completed = run_mypy(tmp_path, "test_it.py")
    assert_quiet(completed)
    assert len(lines_with(completed, "[mock-unspecced]")) == 1, completed.stdout


def bare_environment(tmp_path: Path) -> Path:
    """An interpreter whose environment has no mypy-async-strict (nor anything else)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    return tmp_path / "bare" / "bin" / "python"


def test_python_executable_without_the_plugin_is_an_error_with_the_fix(tmp_path: Path) -> None:
    python = bare_environment(tmp_path)
    project = write_project(
        tmp_path / "project", {"mypy.ini": INI + f"python_executable = {python}\n", "test_a.py": BUGGY_TEST}
    )
    completed = run_mypy(project, "test_a.py")
    assert completed.returncode == 1
    assert_quiet(completed)
    [setup] = lines_with(completed, "[mock-setup]")
    assert f"({python}, set by python_executable), where mypy-async-strict is not installed" in setup
    assert f'Install it there ("{python} -m pip install mypy-async-strict==' in setup
    assert "-m mypy_async_strict stubs DIR\" and add DIR to mypy_path" in setup
    # The fix the message gives: the stubs in a directory of their own, on mypy_path.
    stubs = subprocess.run(
        [sys.executable, "-m", "mypy_async_strict", "stubs", str(tmp_path / "stubs")],
        cwd=project, capture_output=True, text=True, check=True, env=tree_env(),
    )
    assert stubs.stdout.strip() == str(tmp_path / "stubs")
    with (project / "mypy.ini").open("a") as config:
        config.write(f"mypy_path = {tmp_path / 'stubs'}\n")
    fixed = run_mypy(project, "test_a.py")
    assert_quiet(fixed)
    assert lines_with(fixed, "[mock-setup]") == [] and len(lines_with(fixed, "[mock-await]")) == 1


def test_stubs_of_another_version_are_an_error(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "mypy_async_strict", "stubs", str(tmp_path / "stubs")],
        check=True, capture_output=True, env=tree_env(),
    )
    with (tmp_path / "stubs" / "mypy_async_strict" / "mocks.pyi").open("a") as stale:
        stale.write("\nclass Older: ...\n")
    project = write_project(
        tmp_path / "project",
        {"mypy.ini": INI + f"mypy_path = {tmp_path / 'stubs'}\n", "test_a.py": BUGGY_TEST},
    )
    completed = run_mypy(project, "test_a.py")
    assert completed.returncode == 1
    assert_quiet(completed)
    [setup] = lines_with(completed, "[mock-setup]")
    assert "mypy finds stubs of another version of mypy-async-strict" in setup


UNTESTED_MYPY = """\
from mypy_async_strict import plugin as real

def plugin(version: str) -> type:
    return real("9.1.0")
"""

FAILING_HOOK = """\
from mypy_async_strict import plugin as real
from mypy_async_strict.model import mocktypes

def boom(*args: object) -> None:
    raise RuntimeError("injected failure")

def plugin(version: str) -> type:
    mocktypes.encode = boom
    return real(version)
"""


def test_an_untested_mypy_version_is_one_note(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "mypy.ini": "[mypy]\nplugins = untested.py\n",
            "untested.py": UNTESTED_MYPY,
            "test_a.py": BUGGY_TEST,
            "test_b.py": BUGGY_TEST,
        },
    )
    completed = run_mypy(tmp_path, "test_a.py", "test_b.py")
    assert_quiet(completed)
    notes = lines_with(completed, "is tested with mypy")
    assert len(notes) == 1, completed.stdout
    assert ": note: mypy-async-strict " in notes[0] and "not with mypy 9.1.0" in notes[0]
    assert len(lines_with(completed, "[mock-await]")) == 2  # it still checks


def test_a_failing_hook_is_one_note_and_mypy_goes_on(tmp_path: Path) -> None:
    from mypy.version import __version__ as mypy_version

    write_project(
        tmp_path,
        {
            "mypy.ini": "[mypy]\nplugins = failing.py\n",
            "failing.py": FAILING_HOOK,
            "test_a.py": BUGGY_TEST,
            "test_b.py": BUGGY_TEST,
        },
    )
    completed = run_mypy(tmp_path, "test_a.py", "test_b.py")
    assert_quiet(completed)
    assert completed.returncode == 0, completed.stdout  # a note only: the mocks stay mypy's types
    notes = lines_with(completed, "failed inside one of its hooks")
    assert len(notes) == 1, completed.stdout
    assert f"(mypy {mypy_version}, Python " in notes[0]
    assert "MYPY_ASYNC_STRICT_RAISE=1" in notes[0]
    raised = run_mypy(tmp_path, "--no-incremental", "--show-traceback", "test_a.py", env={"MYPY_ASYNC_STRICT_RAISE": "1"})
    assert "RuntimeError: injected failure" in raised.stdout + raised.stderr
