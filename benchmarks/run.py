"""Overhead of the plugin against plain mypy: time and peak memory, measured in one run.

    python benchmarks/run.py [--modules 40] [--tests 25]

Generates a synthetic async test suite (services with async and sync methods, tests that build
specced and unspecced mocks, configure them and await them), then runs mypy on it cold (no
cache), with and without the plugin, each in a fresh process, and prints the ratios.  Numbers
vary by machine; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVICE = '''
class Session{n}:
    async def execute(self, query: str) -> list[int]:
        return []
    async def commit(self) -> None:
        pass
    def begin(self) -> object:
        return object()
    timeout: float = 1.0

class Service{n}:
    def __init__(self, session: Session{n}) -> None:
        self.session = session
    async def run(self) -> int:
        rows = await self.session.execute("q")
        await self.session.commit()
        return len(rows)
'''

TEST = '''
async def test_{n}_{t}() -> None:
    session = MagicMock(spec=Session{n})
    session.execute.return_value = [1, 2]
    service = Service{n}(session)
    assert await service.run() == 2
    session.commit.assert_awaited_once()
    other = AsyncMock()
    await other.fetch({t})
    plain = MagicMock()
    plain.value = {t}
    auto = create_autospec(Session{n}, instance=True)
    await auto.execute("q")
    result = await session.execute("again")
    assert result == [1, 2]
'''


APPLICATION = '''
async def handler_{n}_{t}(service: Service{n}, items: list[int]) -> int:
    total = 0
    for item in sorted(items):
        total += await service.run() + len(str(item)).bit_length()
    async with asyncio.Lock():
        names = ", ".join(str(i) for i in items)
    return total + len(names.split(","))
'''


def generate(directory: Path, modules: int, tests: int, application: bool = False) -> None:
    """Mock-heavy tests, or (application=True) async application code with no mocks at all."""
    package = directory / "suite"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for n in range(modules):
        if application:
            body = ["import asyncio", SERVICE.format(n=n)]
            body += [APPLICATION.format(n=n, t=t) for t in range(tests)]
        else:
            body = ["from unittest.mock import AsyncMock, MagicMock, create_autospec", SERVICE.format(n=n)]
            body += [TEST.format(n=n, t=t) for t in range(tests)]
        (package / f"test_{n}.py").write_text("\n".join(body))


def run_mypy(directory: Path, with_plugin: bool) -> tuple[float, float, str]:
    config = directory / ("plugin.ini" if with_plugin else "plain.ini")
    lines = ["[mypy]", f"mypy_path = {ROOT}"]
    if with_plugin:
        lines.append("plugins = mypy_async_strict")
    config.write_text("\n".join(lines) + "\n")
    # mypy leaves through os._exit, so a small parent measures the child's peak memory.
    measure = (
        "import resource, subprocess, sys; "
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stdout.write(done.stdout); "
        "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
    )
    command = [
        sys.executable, "-c", measure,
        sys.executable, "-m", "mypy", "--config-file", str(config), "--no-incremental", "suite",
    ]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=directory, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    rss = next(
        int(line.split()[1]) for line in completed.stderr.splitlines() if line.startswith("MAXRSS")
    )
    summary = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""
    return elapsed, rss / 1024, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--tests", type=int, default=25)
    options = parser.parse_args()
    for application in (False, True):
        with tempfile.TemporaryDirectory() as temporary:
            directory = Path(temporary)
            generate(directory, options.modules, options.tests, application)
            kind = "application code, no mocks" if application else "mock-heavy async tests"
            print(f"suite: {kind}: {options.modules} modules x {options.tests} functions")
            run_mypy(directory, with_plugin=False)  # warm the OS file cache for both runs
            plain_time, plain_rss, plain_summary = run_mypy(directory, with_plugin=False)
            plugin_time, plugin_rss, plugin_summary = run_mypy(directory, with_plugin=True)
        print(f"  plain mypy:   {plain_time:6.2f} s  {plain_rss:7.1f} MiB  {plain_summary}")
        print(f"  with plugin:  {plugin_time:6.2f} s  {plugin_rss:7.1f} MiB  {plugin_summary}")
        print(f"  time ratio:   {plugin_time / plain_time:.2f}x")
        print(f"  memory ratio: {plugin_rss / plain_rss:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
