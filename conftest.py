"""Root conftest: mypy's data-driven test collector, and plugin surprises raised in tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Test the working tree, not an installed copy.
sys.path.insert(0, str(ROOT))
os.environ["MYPY_ASYNC_STRICT_RAISE"] = "1"

pytest_plugins = ["mypy.test.data"]
