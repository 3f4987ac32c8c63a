"""The benchmark's code base is correct code, and the plugin treats it so in every mode.

A correctness check, not a timing one: benchmarks/generate.py makes a small mock-heavy async code
base (one domain: fixtures with MagicMock/AsyncMock(spec=...), create_autospec, mocker and
patch decorators, IsolatedAsyncioTestCase, ...), and mypy with the plugin must report nothing
on it: cold, warm (a second run on the same cache), with --num-workers 2 and through dmypy,
with the very same output each time.  Everything lives in tmp_path; the plugin is the working
tree's, copied there.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_generated_code_is_clean_and_the_same_in_every_mode(tmp_path: Path) -> None:
    code = tmp_path / "code"
    manifest = load_generator().generate(code, 2000, 0)
    assert manifest["lines"] < 6000, manifest
    # The working tree's plugin, importable by mypy's plugin loader and by its module finder.
    shutil.copytree(ROOT / "mypy_async_strict", tmp_path / "plugin" / "mypy_async_strict")
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\ncheck_untyped_defs = True\nplugins = mypy_async_strict\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("MYPY")}
    env["MYPY_ASYNC_STRICT_RAISE"] = "1"  # a surprise inside the plugin is a failure
    env["PYTHONPATH"] = env["MYPYPATH"] = str(tmp_path / "plugin")
    targets = [str(name) for name in manifest["check"]]

    def run(*arguments: str) -> str:
        completed = subprocess.run(
            [sys.executable, *arguments], cwd=code, env=env, capture_output=True, text=True, timeout=300
        )
        assert "Traceback" not in completed.stderr, completed.stderr
        return completed.stdout

    def mypy(cache: str, *options: str) -> str:
        return run("-m", "mypy", "--config-file", "../mypy.ini", "--cache-dir", cache, *options, *targets)

    cold = mypy("../cache")
    assert cold.startswith("Success: no issues found"), cold
    assert mypy("../cache") == cold  # warm: every module from the cache
    assert mypy("../cache-workers", "--num-workers", "2") == cold

    dmypy = ["-m", "mypy.dmypy", "--status-file", "../dmypy.json"]
    try:
        run(*dmypy, "start", "--", "--config-file", "../mypy.ini", "--cache-dir", "../cache-dmypy")
        assert run(*dmypy, "check", *targets) == cold
    finally:
        run(*dmypy, "stop")
