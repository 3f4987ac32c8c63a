"""Run one small project through every way mypy can check it, edit by edit, and compare.

A project (files by relative path) is written once per mode into its own directory, then each
step's edits (a module's new text, or None to delete it) are applied to every copy and each mode
checks it again:

* cold: a fresh cache directory at every step (nothing is read from an earlier run);
* warm: one cache directory across the steps (unchanged modules come from the cache, their
  syntax trees gone);
* workers: like warm, with `--num-workers 2` (separate worker processes check the modules);
* daemon: `dmypy start` once, then `dmypy check` after each step (fine-grained updates: only
  the targets whose dependencies fired are checked again).

The standard library's part of a cache does not depend on the project: `seed_cache()` makes it
once, and the cache-using modes start from a copy of it (so "cold" means that no module of the
project comes from a cache).  The daemon always starts from nothing.

The cold run is the reference: every other mode must report exactly its diagnostics at every
step.  Diagnostics are compared per file in mypy's order (files sorted by path, since the daemon
and the workers may print files in another order).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent
MODES: tuple[str, ...] = ("cold", "warm", "workers", "daemon")
TIMEOUT = 300
WORKER_START_FAILURE = "Failed to establish connection with worker"
WORKER_START_ATTEMPTS = 3
PARALLEL_MODES = 2  # modes checked side by side (each mypy run is one process, the workers two)
DIAGNOSTIC = re.compile(r"^(?P<file>[^:\s][^:]*):\d+(?::\d+)?: (?:error|note|warning):")
Files = Mapping[str, "str | None"]


@dataclass(frozen=True)
class Step:
    """Edits applied before a check: new module texts by relative path (None deletes)."""

    description: str
    edits: Files = field(default_factory=dict)


@dataclass
class ModeRun:
    mode: str
    steps: list[list[str]] = field(default_factory=list)  # diagnostics, per step


class ModeFailure(AssertionError):
    pass


def config_text(extra: str = "") -> str:
    """The project's mypy.ini: the plugin, and the checkout on mypy_path for its stubs."""
    return (
        "[mypy]\n"
        "plugins = mypy_async_strict\n"
        f"mypy_path = {ROOT}\n"
        "show_error_codes = True\n"
        f"{extra}"
    )


def environment() -> dict[str, str]:
    """The plugin importable in every process (workers and the daemon are fresh ones), and
    internal surprises raised instead of degraded to defaults."""
    path = os.pathsep.join([str(ROOT), *sys.path])
    env = {**os.environ, "PYTHONPATH": path, "MYPY_ASYNC_STRICT_RAISE": "1"}
    env.pop("MYPY_NUM_WORKERS", None)
    env.pop("MYPYPATH", None)
    return env


class _Project:
    """One mode's copy of the project."""

    def __init__(self, directory: Path, files: Files, config: str) -> None:
        self.directory = directory
        directory.mkdir(parents=True)
        (directory / "mypy.ini").write_text(config)
        self._clock = time.time()
        self.apply(files)

    def apply(self, edits: Files) -> None:
        # A strictly later mtime for every write: mypy and the daemon's file watcher compare
        # (mtime, size) before hashing, and two writes may land in the same second.
        self._clock += 2
        for relative, text in edits.items():
            path = self.directory / relative
            if text is None:
                path.unlink(missing_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            os.utime(path, (self._clock, self._clock))


class _Mode:
    name = ""

    def __init__(self, project: _Project, targets: Sequence[str], seed: Path | None) -> None:
        self.project = project
        self.targets = list(targets)
        self.seed = seed

    def _fresh_cache(self, cache: Path) -> Path:
        shutil.rmtree(cache, ignore_errors=True)
        if self.seed is not None:
            shutil.copytree(self.seed, cache)
        return cache

    def start(self) -> None:
        pass

    def check(self, step: int) -> list[str]:
        raise NotImplementedError

    def stop(self) -> None:
        pass

    def _run(self, arguments: Sequence[str]) -> list[str]:
        for attempt in range(WORKER_START_ATTEMPTS):
            completed = subprocess.run(
                [sys.executable, *arguments],
                cwd=self.project.directory,
                env=environment(),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            output = completed.stdout + completed.stderr
            # mypy gives a worker 3 seconds to start: a loaded machine misses that now and then.
            if WORKER_START_FAILURE not in output:
                break
            time.sleep(1 + attempt)
        if "Traceback" in output or "INTERNAL ERROR" in output or completed.returncode not in (0, 1):
            raise ModeFailure(f"{self.name}: {' '.join(arguments)} failed ({completed.returncode}):\n{output}")
        return normalize(completed.stdout)


class _Cold(_Mode):
    name = "cold"

    def check(self, step: int) -> list[str]:
        cache = self._fresh_cache(self.project.directory / f".cache-cold-{step}")
        return self._run(["-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(cache), *self.targets])


class _Warm(_Mode):
    name = "warm"
    extra: tuple[str, ...] = ()

    def start(self) -> None:
        self._fresh_cache(self.project.directory / ".cache-warm")

    def check(self, step: int) -> list[str]:
        cache = self.project.directory / ".cache-warm"
        return self._run(
            ["-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(cache), *self.extra, *self.targets]
        )


class _Workers(_Warm):
    name = "workers"
    extra = ("--num-workers", "2")


class _Daemon(_Mode):
    name = "daemon"

    def _dmypy(self, *arguments: str) -> list[str]:
        status = self.project.directory / ".dmypy.json"
        return self._run(["-m", "mypy.dmypy", "--status-file", str(status), *arguments])

    def start(self) -> None:
        cache = self.project.directory / ".cache-daemon"
        self._dmypy("start", "--", "--config-file", "mypy.ini", "--cache-dir", str(cache))
        self._started = True

    def check(self, step: int) -> list[str]:
        return self._dmypy("check", *self.targets)

    def stop(self) -> None:
        if getattr(self, "_started", False):
            try:
                self._dmypy("stop")
            except (ModeFailure, subprocess.TimeoutExpired):
                self._dmypy("kill")


MODE_CLASSES: dict[str, Callable[[_Project, Sequence[str], "Path | None"], _Mode]] = {
    "cold": _Cold,
    "warm": _Warm,
    "workers": _Workers,
    "daemon": _Daemon,
}


def normalize(stdout: str) -> list[str]:
    """Diagnostic lines only (no summary), files in path order, each file's lines in order."""
    lines = [line for line in stdout.splitlines() if DIAGNOSTIC.match(line)]
    return sorted(lines, key=_file_of)  # stable: each file's lines keep their order


def _file_of(line: str) -> str:
    match = DIAGNOSTIC.match(line)
    return match.group("file").replace("\\", "/") if match else ""


def run_modes(
    workdir: Path,
    files: Files,
    steps: Sequence[Step],
    targets: Sequence[str] = (".",),
    modes: Sequence[str] = MODES,
    config: str | None = None,
    seed: Path | None = None,
) -> dict[str, ModeRun]:
    """Check `files` and then each step's edits in every mode; diagnostics by mode and step
    (step 0 is the initial project).  `seed`: a cache made by `seed_cache` with the same config."""
    config = config if config is not None else config_text()
    runners = [MODE_CLASSES[mode](_Project(workdir / mode, files, config), targets, seed) for mode in modes]
    results = {runner.name: ModeRun(runner.name) for runner in runners}
    # The modes run side by side (separate directories, caches and daemons), step by step.
    with ThreadPoolExecutor(max_workers=PARALLEL_MODES) as pool:
        try:
            list(pool.map(lambda runner: runner.start(), runners))
            for index, step in enumerate([Step("initial"), *steps]):
                for runner in runners:
                    if index:
                        runner.project.apply(step.edits)
                checked = pool.map(lambda runner, step=index: runner.check(step), runners)
                for runner, diagnostics in zip(runners, checked):
                    results[runner.name].steps.append(diagnostics)
        finally:
            list(pool.map(lambda runner: runner.stop(), runners))
    return results


def disagreements(results: Mapping[str, ModeRun], steps: Sequence[Step], reference: str = "cold") -> list[str]:
    """Human-readable differences from the reference mode, one per (mode, step)."""
    expected = results[reference].steps
    names = ["initial", *(step.description for step in steps)]
    problems = []
    for mode, run in results.items():
        if mode == reference:
            continue
        for index, (want, got) in enumerate(zip(expected, run.steps)):
            if want != got:
                missing = [line for line in want if line not in got]
                extra = [line for line in got if line not in want]
                problems.append(
                    f"{mode} differs from {reference} at step {index} ({names[index]}):\n"
                    + "".join(f"  - {line}\n" for line in missing)
                    + "".join(f"  + {line}\n" for line in extra)
                )
    return problems


def assert_modes_agree(
    workdir: Path,
    files: Files,
    steps: Sequence[Step],
    targets: Sequence[str] = (".",),
    modes: Sequence[str] = MODES,
    config: str | None = None,
    seed: Path | None = None,
) -> list[list[str]]:
    """Every mode reports the cold run's diagnostics at every step; returns the cold ones."""
    modes = ["cold", *(mode for mode in modes if mode != "cold")]
    results = run_modes(workdir, files, steps, targets, modes, config, seed)
    problems = disagreements(results, steps)
    if problems:
        raise ModeFailure("\n".join(problems))
    return results["cold"].steps


SEED_IMPORTS = """\
import asyncio
import typing
import unittest
import unittest.mock

import pytest

import mypy_async_strict
"""


def seed_cache(directory: Path, config: str | None = None, imports: str = SEED_IMPORTS) -> Path:
    """A cache of what the projects import from outside (the standard library, pytest, the
    plugin's annotations), for `run_modes(seed=...)`; built with the same config."""
    project = _Project(directory / "project", {"seed.py": imports}, config if config is not None else config_text())
    cache = directory / "cache"
    _Cold(project, ["seed.py"], None)._run(
        ["-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(cache), "seed.py"]
    )
    return cache  # (its entry for seed.py is no module of any project)
