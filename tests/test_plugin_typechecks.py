"""The plugin's own code passes `mypy --strict` (it is a mypy plugin, after all)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_plugin_passes_mypy_strict(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path),
            "mypy_async_strict", "tests/oracle_runner.py", "tests/model_probe.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
