"""Run test-data/check-*.test through mypy's own DataSuite, with the plugin enabled.

Each case is a module checked by the real mypy; its inline `# E:` / `# N:` comments are the
complete expected output.  `tests/test_runtime_oracle.py` runs the same cases under CPython.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from pathlib import Path
from typing import Any

from mypy import build
from mypy.errors import CompileError
from mypy.main import process_options
from mypy.modulefinder import BuildSource
from mypy.test.config import test_temp_dir
from mypy.test.data import DataDrivenTestCase, DataSuite, FileOperation
from mypy.test.helpers import (
    assert_string_arrays_equal,
    normalize_error_messages,
    perform_file_operations,
)
from mypy.test.update_data import update_testcase_output

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "test-data"
DEFAULT_CONFIG = TEST_DATA / "mypy.ini"
FLAGS = re.compile(r"^# flags: (.*)$", flags=re.MULTILINE)
# mypy < 1.20 has no parallel workers: no --mypy-num-workers, no build(worker_env=...).
HAS_WORKERS = "worker_env" in inspect.signature(build.build).parameters
# mypy's own wording that changed between the supported versions: (pattern, one spelling).
MYPY_WORDING = [
    # mypy 1.x does not name the codes of an ignore comment that does not cover an error.
    (re.compile(r'not covered by "type: ignore\[[^\]]*\]" comment'), 'not covered by "type: ignore" comment'),
]


class PluginCheckSuite(DataSuite):
    data_prefix = str(TEST_DATA)
    files = sorted(p.name for p in TEST_DATA.glob("check-*.test"))

    def run_case(self, testcase: DataDrivenTestCase) -> None:
        if "incremental" in testcase.name.lower():
            steps = testcase.find_steps()
            for step in range(1, max([2, *testcase.output2]) + 1):
                operations = steps[step - 2] if 0 <= step - 2 < len(steps) else []
                self.run_once(testcase, operations, step)
        else:
            self.run_once(testcase, [], 0)

    def run_once(
        self, testcase: DataDrivenTestCase, operations: list[FileOperation], step: int
    ) -> None:
        source = "\n".join(testcase.input)
        if step > 1:
            perform_file_operations(operations)
        match = FLAGS.search(source)
        flags = match.group(1).split() if match else []
        if "--config-file" not in flags:
            flags += ["--config-file", str(DEFAULT_CONFIG)]
        _, options = process_options(flags, require_targets=False)
        options.show_traceback = True
        options.error_summary = False
        num_workers = (testcase.config.getoption("--mypy-num-workers", 0) or 0) if HAS_WORKERS else 0
        if HAS_WORKERS:
            options.num_workers = num_workers
        # mypy finds the [file]s through alt_lib_path, which plugins cannot see: the plugin looks
        # for the modules dotted patch targets name on mypy_path, as it would in a real project.
        options.mypy_path.insert(0, test_temp_dir)
        # One cache per session: the standard library is checked once, not once per case.
        options.incremental = True
        options.cache_dir = str(_session_cache_dir(testcase, step))
        extra: dict[str, Any] = {}
        if num_workers:  # workers are fresh processes: the plugin must be importable
            extra["worker_env"] = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
        # `main` is a test module beside the `[file]` modules (in tmp/), as a test module sits
        # beside its conftest.py; messages keep calling it `main`.
        main = os.path.join(test_temp_dir, "test_main.py")
        if step <= 1:
            Path(main).write_text(source)
        try:
            result = build.build(
                sources=[BuildSource(main, "__main__", None if step else source), *_file_sources(testcase)],
                options=options,
                alt_lib_path=test_temp_dir,
                **extra,
            )
            actual = result.errors
        except CompileError as error:
            actual = error.messages
        actual = [line.replace(main + ":", "main:", 1) for line in normalize_error_messages(actual)]
        expected = testcase.output if step < 2 else testcase.output2.get(step, [])
        if step < 2:
            expected = _order_like(expected, testcase.output_inline_start, actual)
        if expected != actual and testcase.config.getoption("--update-data", False):
            update_testcase_output(testcase, actual, incremental_step=step)
        actual, expected = _same_wording(actual), _same_wording(expected)
        if num_workers:
            from mypy.test.helpers import remove_typevar_ids  # type: ignore[attr-defined,unused-ignore]

            actual, expected = remove_typevar_ids(actual), remove_typevar_ids(expected)
        assert_string_arrays_equal(expected, actual, f"{testcase.file}:{testcase.line} step {step}")


def _file_sources(testcase: DataDrivenTestCase) -> list[BuildSource]:
    """The case's `[file]` modules, checked as sources, as a project's own modules are (mypy
    reads the bodies of modules it only follows lazily)."""
    sources = []
    for path, _ in testcase.files:
        if path.endswith(".py") and path != "main":
            relative = os.path.relpath(path, test_temp_dir)
            module = relative[: -len(".py")].replace(os.sep, ".").removesuffix(".__init__")
            sources.append(BuildSource(path, module, None))
    return sources


def _same_wording(lines: list[str]) -> list[str]:
    for pattern, spelling in MYPY_WORDING:
        lines = [pattern.sub(spelling, line) for line in lines]
    return lines


def _session_cache_dir(testcase: DataDrivenTestCase, step: int) -> Path:
    """A cache shared by the cases of this run (incremental cases keep their own)."""
    if step:
        return Path(".mypy_cache").resolve()
    shared = Path(testcase.config.cache.mkdir("mypy-async-strict-cache"))  # type: ignore[union-attr]
    return shared


def _order_like(expected: list[str], inline_start: int, actual: list[str]) -> list[str]:
    """Inline expectations from [file] sections are gathered per file; follow mypy's order."""
    head, inline = expected[:inline_start], expected[inline_start:]
    first: dict[str, int] = {}
    for index, line in enumerate(actual):
        first.setdefault(line.split(":", 1)[0], index)
    return head + sorted(inline, key=lambda line: first.get(line.split(":", 1)[0], -1))
