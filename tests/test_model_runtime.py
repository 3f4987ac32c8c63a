"""The mock model (mypy_async_strict/model.py) agrees with unittest.mock on every CPython here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.test_runtime_oracle import VERSIONS, find_interpreter

PROBE = Path(__file__).resolve().parent / "model_probe.py"


@pytest.mark.parametrize("version", VERSIONS)
def test_model_matches_unittest_mock(version: str) -> None:
    interpreter = find_interpreter(version)
    if interpreter is None:
        pytest.skip(f"CPython {version} is not installed here")
    completed = subprocess.run(
        [interpreter, str(PROBE)], capture_output=True, text=True, check=True, timeout=120
    )
    report = json.loads(completed.stdout)
    assert report["checked"] > 100
    assert report["mismatches"] == []
