"""The plugin works in every layout where mypy can import its stubs, and says what to do where it
cannot: real virtual environments, built in tmp_path (slow: marked `layouts`, run by .ci/run;
pip's cache is reused).

- mypy and the plugin installed into the project's venv;
- an editable install of a checkout (`pip install -e .`: a plain .pth path entry);
- the pre-commit layout: mypy and the plugin in an isolated venv (the hook's
  additional_dependencies), checking a project venv through python_executable;
- pipx: `pipx install mypy`, `pipx inject mypy mypy-async-strict`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mypy.version import __version__ as mypy_version

from tests.mypy_runs import BUGGY_TEST, ROOT, lines_with, write_project

pytestmark = pytest.mark.layouts

MYPY = f"mypy=={mypy_version}"
CONFIG = "[mypy]\nplugins = mypy_async_strict\n"


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("MYPY_ASYNC_STRICT_RAISE", "MYPYPATH", "PYTHONPATH", "VIRTUAL_ENV")}
    environment.update(env or {})
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=environment, capture_output=True, text=True, timeout=900
    )


def checked(completed: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def venv(path: Path, *packages: str | Path, pip: bool = True) -> Path:
    """A virtual environment at `path` with `packages`; its bin directory."""
    checked(run(sys.executable, "-m", "venv", *([] if pip else ["--without-pip"]), path))
    bin_dir = path / ("Scripts" if os.name == "nt" else "bin")
    if packages:
        checked(run(bin_dir / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages))
    return bin_dir


def copy_checkout(target: Path, *extra: str) -> Path:
    """What building the package needs (and `extra` directories), copied out of the working
    tree: nothing is written there."""
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, target / name)
    for name in ("mypy_async_strict", *extra):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache"))
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = copy_checkout(tmp_path_factory.mktemp("source") / "checkout")
    out = tmp_path_factory.mktemp("wheel")
    checked(run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check", "-w", out, source))
    [built] = out.glob("mypy_async_strict-*.whl")
    return built


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project", {"mypy.ini": CONFIG, "test_users.py": BUGGY_TEST})


def assert_checks_mocks(completed: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in completed.stdout + completed.stderr, completed.stdout + completed.stderr
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert len(lines_with(completed, "[mock-await]")) == 1, completed.stdout
    assert lines_with(completed, "[mock-setup]") == [], completed.stdout


def test_the_wheel_carries_the_license_and_the_stubs(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert {"mypy_async_strict/mocks.pyi", "mypy_async_strict/__init__.pyi", "mypy_async_strict/py.typed"} <= set(names)
    assert not any(name.startswith(("tests/", "examples/")) for name in names)


def test_mypy_and_the_plugin_in_the_project_venv(tmp_path: Path, wheel: Path, project: Path) -> None:
    bin_dir = venv(tmp_path / "venv", MYPY, wheel)
    assert_checks_mocks(run(bin_dir / "mypy", "test_users.py", cwd=project))


def test_editable_install_of_a_checkout(tmp_path: Path, project: Path) -> None:
    checkout = copy_checkout(tmp_path / "checkout")
    bin_dir = venv(tmp_path / "venv", MYPY, "-e", checkout)
    site_packages = next((tmp_path / "venv").glob("lib/python3*/site-packages"))
    [pth] = site_packages.glob("__editable__.mypy_async_strict-*.pth")
    assert pth.read_text().strip() == str(checkout), "a plain path entry, which mypy follows"
    assert not list(site_packages.glob("__editable___mypy_async_strict*finder.py"))
    assert_checks_mocks(run(bin_dir / "mypy", "test_users.py", cwd=project))
    # The working copy is what runs: an edit of the checkout shows without reinstalling.
    with (checkout / "mypy_async_strict" / "notices.py").open("a") as notices:
        notices.write("\nraise ImportError('edited checkout')\n")
    broken = run(bin_dir / "mypy", "--no-incremental", "test_users.py", cwd=project)
    assert "edited checkout" in broken.stdout + broken.stderr


def test_pre_commit_layout(tmp_path: Path, wheel: Path, project: Path) -> None:
    """pre-commit installs mypy and the hook's additional_dependencies into an isolated venv."""
    hook_env = venv(tmp_path / "hook-env", MYPY, wheel)
    # Checking the files with the hook's own environment: works.
    assert_checks_mocks(run(hook_env / "mypy", "test_users.py", cwd=project))
    # Checking them against the project's venv (python_executable), where the plugin is not
    # installed: mypy cannot import the plugin's stubs there; an error says what to do.
    project_python = venv(tmp_path / "project-venv", pip=False) / "python"
    (project / "mypy.ini").write_text(CONFIG + f"python_executable = {project_python}\n")
    failed = run(hook_env / "mypy", "test_users.py", cwd=project)
    assert failed.returncode == 1 and "Traceback" not in failed.stdout + failed.stderr
    [setup] = lines_with(failed, "[mock-setup]")
    assert f"({project_python}, set by python_executable), where mypy-async-strict is not installed" in setup
    # Fix 1: the stubs in a directory of their own, on mypy_path.
    stubs = checked(run(hook_env / "python", "-m", "mypy_async_strict", "stubs", tmp_path / "stubs")).stdout.strip()
    (project / "mypy.ini").write_text(CONFIG + f"python_executable = {project_python}\nmypy_path = {stubs}\n")
    assert_checks_mocks(run(hook_env / "mypy", "--no-incremental", "test_users.py", cwd=project))
    # Fix 2: the plugin installed into the project's venv too.
    (project / "mypy.ini").write_text(CONFIG + f"python_executable = {project_python}\n")
    checked(run(hook_env / "python", "-m", "pip", "--python", project_python, "install", "-q", "--no-deps", wheel))
    assert_checks_mocks(run(hook_env / "mypy", "--no-incremental", "test_users.py", cwd=project))


PRE_COMMIT_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: mypy
        name: mypy
        entry: mypy
        language: python
        types_or: [python, pyi]
        require_serial: true
        additional_dependencies: ["{mypy}", "{wheel}"]
"""


def test_pre_commit_hook_with_the_plugin_as_an_additional_dependency(
    tmp_path: Path, wheel: Path, project: Path
) -> None:
    """pre-commit itself: the hook's isolated environment gets mypy and the plugin (mirrors-mypy
    does the same with `additional_dependencies`; a local hook needs no download of a repo)."""
    tools = venv(tmp_path / "tools", "pre-commit")
    (project / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG.format(mypy=MYPY, wheel=wheel))
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_CONFIG_GLOBAL": os.devnull}
    checked(run("git", "init", "-q", cwd=project, env=env))
    checked(run("git", "add", ".", cwd=project, env=env))
    hooked = run(tools / "pre-commit", "run", "--all-files", cwd=project, env=env)
    assert hooked.returncode == 1, hooked.stdout + hooked.stderr
    assert "[mock-await]" in hooked.stdout and "[mock-setup]" not in hooked.stdout, hooked.stdout
    assert "Traceback" not in hooked.stdout + hooked.stderr


def test_pipx_inject(tmp_path: Path, wheel: Path, project: Path) -> None:
    tools = venv(tmp_path / "tools", "pipx")
    env = {"PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin"), "PIPX_MAN_DIR": str(tmp_path / "man")}
    checked(run(tools / "pipx", "install", "--python", sys.executable, MYPY, env=env))
    checked(run(tools / "pipx", "inject", "mypy", wheel, env=env))
    assert_checks_mocks(run(tmp_path / "bin" / "mypy", "test_users.py", cwd=project, env=env))


def test_the_readmes_first_commands_work_pasted_in_one_go(tmp_path: Path) -> None:
    """The two blocks of "Try it", run one after the other by `bash -e` in a copy of the
    checkout: they install, run mypy over examples/ (exit status 1, as the README says), end
    where they started, and set up the test suite (collected here, not run: .ci/run runs it)."""
    readme = (ROOT / "README.md").read_text().split("## Try it", 1)[1].split("## ", 1)[0]
    first, second = [part.split("```", 1)[0] for part in readme.split("```bash\n")[1:3]]
    assert second.rstrip().endswith("python -m pytest")
    script = first + "pwd\n" + second.rstrip() + " --collect-only -q -p no:cacheprovider\n"
    checkout = copy_checkout(tmp_path / "checkout", "examples", "tests", "test-data")
    shutil.copy(ROOT / "conftest.py", checkout / "conftest.py")
    completed = run("bash", "-e", "-c", script, cwd=checkout)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "mypy exit status 1 (1 expected: the seeded bugs)" in completed.stdout, completed.stdout
    assert completed.stdout.count(": error: ") == 9, completed.stdout
    assert "Found 9 errors in 4 files" in completed.stdout
    assert f"\n{checkout}\n" in completed.stdout
    assert " tests collected" in completed.stdout
