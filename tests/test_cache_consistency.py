"""Cold and warm runs must agree: mypy frees checked modules' trees and loads unchanged modules
from its cache without bodies or decorator expressions, so whatever the plugin knows of another
module must come from symbol tables and recorded metadata, never from syntax trees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

JOBS = '''
import asyncio
import functools
from typing import Any, Callable, Coroutine, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

def in_thread(fn: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return await asyncio.to_thread(fn, *args, **kwargs)
    return wrapper

class Worker:
    @in_thread
    def load(self, key: str) -> int:
        return 1

    async def save(self, key: str) -> None:
        pass

    def size(self) -> int:
        return 0

class Registry:
    for _name in ("read", "write"):
        locals()[_name] = True

class Client:
    def __init__(self) -> None:
        self.url = "http://x"

Client.later = 1  # type: ignore[attr-defined]
'''

TEST = '''
from unittest.mock import MagicMock
from work.jobs import Client, Registry, Worker

async def test_it() -> None:
    worker = MagicMock(spec=Worker)
    await worker.load("k")
    worker.load.assert_awaited_once_with("k")
    await worker.size()
    print(MagicMock(spec=Registry).read, MagicMock(spec=Client).later)
    MagicMock(spec=Client).url
'''


def run_mypy(project: Path, cache: Path) -> list[str]:
    env = {**os.environ, "MYPYPATH": f"{ROOT}{os.pathsep}{project}"}
    completed = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--cache-dir", str(cache),
            "--config-file", str(ROOT / "test-data" / "mypy.ini"), "test_it.py",
        ],
        cwd=project, env=env, capture_output=True, text=True,
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    return [line for line in completed.stdout.splitlines() if ": error:" in line]


def test_warm_runs_agree_with_cold_ones(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "__init__.py").write_text("")
    (tmp_path / "work" / "jobs.py").write_text(JOBS)
    test_file = tmp_path / "test_it.py"
    test_file.write_text(TEST)
    cache = tmp_path / "cache"
    cold = run_mypy(tmp_path, cache)
    test_file.write_text(TEST + "\n# edited: work.jobs now comes from the cache\n")
    warm = run_mypy(tmp_path, cache)
    assert cold == warm
    # The decorated `load` is unknown (its wrapper may be sync), `size` is a plain def, the
    # dynamic body and the later store hide `read` and `later`, `url` is set in __init__.
    assert [line.split("[")[-1] for line in cold] == ["mock-await]", "mock-spec]"]
