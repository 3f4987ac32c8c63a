"""The run-time oracle: execute test-data cases under a real CPython and report what happened.

Run as `python tests/oracle_runner.py FILE.test ...` by any CPython 3.10+ (stdlib only, no mypy).
For every case it prints one JSON line saying, for each line with an expected error (`# E:`),
whether running it raised or left a coroutine never awaited, and whatever else went wrong.

How a case runs: its `[file ...]` modules are written to a fresh directory; the main program is
executed as module `main` with every expected-error statement wrapped so that its failure is
recorded and execution goes on; then every top-level function named `main` or `test*` is called
(coroutine functions through `asyncio.run`).  Directives in the main program, as comments:
  `# oracle: requires PKG`         skip the case where PKG cannot be imported
  `# oracle: python >= 3.12`       skip the case on older interpreters
  `# oracle: fails`                this line fails at run time (its error code is disabled)
A line with `# type: ignore[<plugin code>]` is expected to fail as well.

A coroutine dropped after its statement ran (stored as a mock's return value, collected later) is
traced back to the line that made it through coroutine origin tracking.

`mock-async-mismatch` lines are the exception: putting a sync mock where the spec has an
`async def` raises nothing by itself.  There the oracle records the object at the replaced
attribute (`m.x = ...`, or the attribute a `patch.object(target, "x", ...)` patches) before and
after the statement, and the line counts as confirmed when one is a coroutine function or
AsyncMock and the other is not (`swapped`).
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import gc
import importlib
import inspect
import json
import os
import re
import sys
import tempfile
import traceback
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# An expected error, a silenced plugin error, or one whose code the case disables: all fail.
EXPECTED_ERROR = re.compile(
    r"#\s*E(?:\[\w+\])?:|#\s*type:\s*ignore\[(?:mock|async)-|#\s*oracle:\s*fails"
)
MISMATCH = "mock-async-mismatch"
SECTION = re.compile(r"^\[(\w+)(?:\s+(.*?))?\]\s*$")
DIRECTIVE = re.compile(r"#\s*oracle:\s*(.*)$")
NEVER_AWAITED = "was never awaited"
# With coroutine origin tracking on, the warning names the line that made the coroutine.
ORIGIN_DEPTH = 12
CREATED_AT = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Case:
    file: str
    name: str
    line: int
    main: list[str]
    files: dict[str, list[str]] = field(default_factory=dict)

    @property
    def expected_lines(self) -> list[int]:
        # A comment-only line continues the expectations of the code line above it.
        return [
            n
            for n, text in enumerate(self.main, start=1)
            if EXPECTED_ERROR.search(text) and not text.lstrip().startswith("#")
        ]

    @property
    def mismatch_lines(self) -> list[int]:
        return [n for n in self.expected_lines if MISMATCH in self.main[n - 1]]

    @property
    def directives(self) -> list[str]:
        found = []
        for text in self.main:
            match = DIRECTIVE.search(text)
            if match:
                found.append(match.group(1).strip())
        return found


def parse_test_file(path: Path) -> list[Case]:
    """The cases of a mypy `.test` file: main program and `[file]` sections."""
    cases: list[Case] = []
    current: Case | None = None
    target: list[str] | None = None
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        match = SECTION.match(text)
        if match:
            kind, argument = match.group(1), (match.group(2) or "").strip()
            if kind == "case":
                if argument.endswith("-skip"):
                    current, target = None, None
                    continue
                current = Case(path.name, argument, number, [])
                cases.append(current)
                target = current.main
            elif kind == "file" and current is not None:
                target = current.files.setdefault(argument, [])
            else:
                target = None
            continue
        if target is not None:
            # mypy's data files treat `--` lines as comments; keep line numbers with a blank.
            target.append("" if text.startswith("--") else text)
    return cases


def skip_reason(case: Case) -> str | None:
    for directive in case.directives:
        words = directive.split()
        if words[:1] == ["requires"] and len(words) == 2:
            try:
                importlib.import_module(words[1])
            except ImportError:
                return f"{words[1]} cannot be imported by this interpreter"
        elif words[:1] == ["python"] and len(words) == 3 and words[1] == ">=":
            wanted = tuple(int(part) for part in words[2].split("."))
            if sys.version_info[: len(wanted)] < wanted:
                return f"needs Python >= {words[2]}"
    return None


# -- instrumentation ---------------------------------------------------------------------


@dataclass
class LineOutcome:
    reached: bool = False
    raised: str | None = None
    unawaited: bool = False
    swapped: bool = False  # mismatch lines: the attribute changed between sync and async


class Oracle:
    def __init__(self, filename: str = "") -> None:
        self.filename = filename
        self.lines: dict[int, LineOutcome] = {}
        self.swaps: dict[int, Swap] = {}
        # never-awaited warnings seen in one watched statement but made on another line
        self.elsewhere: list[str] = []

    def origin(self, message: str) -> int | None:
        """The line of the case's main program that made the coroutine (its innermost frame
        there: an AsyncMock's coroutine is made inside unittest.mock), if it is known."""
        lines = [
            int(match.group("line"))
            for match in CREATED_AT.finditer(message)
            if match.group("file") == self.filename
        ]
        return lines[-1] if lines else None

    def watch(self, line: int) -> Watch:
        return Watch(self, line)

    def swap(self, line: int, attribute: Any) -> Swap:
        swap = Swap(self, line, attribute)
        self.swaps[line] = swap
        return swap

    def sample(self, line: int) -> None:
        """Inside a `with patch.object(...)` body: the patch is in place now."""
        self.swaps[line].sample()


class Watch:
    """Records whether the wrapped statement raised or dropped a coroutine; swallows failure."""

    def __init__(self, oracle: Oracle, line: int) -> None:
        self.oracle = oracle
        self.line = line
        self.outcome = oracle.lines.setdefault(line, LineOutcome())

    def __enter__(self) -> None:
        self.outcome.reached = True
        self.catcher = warnings.catch_warnings(record=True)
        self.records = self.catcher.__enter__()
        warnings.simplefilter("always")

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> bool:
        gc.collect()
        self.catcher.__exit__(None, None, None)
        for record in self.records:
            message = str(record.message)
            if NEVER_AWAITED not in message:
                continue
            origin = self.oracle.origin(message)
            if origin is None or origin == self.line:
                self.outcome.unawaited = True
            else:
                self.oracle.elsewhere.append(message)  # a coroutine made on another line
        if exc is not None:
            self.outcome.raised = f"{type(exc).__name__}: {exc}"
        return True


def _async_natured(value: object) -> bool:
    """Whether calling `value` gives a coroutine: an AsyncMock (or a mock specced from a
    coroutine function, which mixes AsyncMock's behaviour in), or a real coroutine function.
    (inspect.iscoroutinefunction is fooled by other mocks: their `__code__.co_flags & ...` is
    a truthy mock.)"""
    from unittest.mock import AsyncMockMixin, NonCallableMock

    if isinstance(value, NonCallableMock):
        return isinstance(value, AsyncMockMixin)
    return inspect.iscoroutinefunction(value)


class Swap(Watch):
    """A watched statement that replaces an attribute: was it sync before and async after, or
    the other way round?"""

    def __init__(self, oracle: Oracle, line: int, attribute: Any) -> None:
        super().__init__(oracle, line)
        self.attribute = attribute
        self.sampled = False

    def __enter__(self) -> None:
        super().__enter__()
        self.before = _async_natured(self.attribute())

    def sample(self) -> None:
        if not self.sampled:
            self.sampled = True
            self.outcome.swapped = self.before != _async_natured(self.attribute())

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> bool:
        if exc is None:
            self.sample()
        return super().__exit__(exc_type, exc, tb)


class _Wrapper(ast.NodeTransformer):
    """Wraps the innermost statement at each expected line in `with __oracle__.watch(line):`."""

    def __init__(self, lines: set[int], mismatch_lines: set[int]) -> None:
        self.lines = lines
        self.mismatch_lines = mismatch_lines

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for name in ("body", "orelse", "finalbody"):
            statements = getattr(node, name, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                setattr(node, name, [self._wrap(s) for s in statements])
        if isinstance(node, ast.Try) or _is_try_star(node):
            for handler in node.handlers:  # type: ignore[attr-defined]
                handler.body = [self._wrap(s) for s in handler.body]
        return node

    def _wrap(self, statement: ast.stmt) -> ast.stmt:
        if statement.lineno not in self.lines or _contains_expected_statement(statement, self.lines):
            return statement
        line = statement.lineno
        attribute = _replaced_attribute(statement) if line in self.mismatch_lines else None
        if attribute is not None:
            watch = ast.parse(f"with __oracle__.swap({line}, lambda: {attribute}): pass").body[0]
            if isinstance(statement, (ast.With, ast.AsyncWith)):
                sample = ast.parse(f"__oracle__.sample({line})").body[0]
                statement.body.insert(0, ast.copy_location(sample, statement.body[0]))
        else:
            watch = ast.parse(f"with __oracle__.watch({line}): pass").body[0]
        assert isinstance(watch, ast.With)
        watch.body = [statement]
        return ast.copy_location(watch, statement)


def _replaced_attribute(statement: ast.stmt) -> str | None:
    """Source of the attribute a mismatch statement replaces: `m.x` of `m.x = ...`,
    `getattr(target, "x")` for a `patch.object(target, "x", ...)` call in it, or the dotted name
    of a `patch("pkg.mod.x", ...)`."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        if isinstance(statement.targets[0], ast.Attribute):
            return ast.unparse(statement.targets[0])
    for node in ast.walk(statement):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "object"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
        ):
            return f"getattr({ast.unparse(node.args[0])}, {node.args[1].value!r})"
        if (
            isinstance(node, ast.Call)
            and _callee_name(node.func) == "patch"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return f"__import__('pkgutil').resolve_name({node.args[0].value!r})"
    return None


def _callee_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _is_try_star(node: ast.AST) -> bool:
    return type(node).__name__ == "TryStar"


def _contains_expected_statement(statement: ast.stmt, lines: set[int]) -> bool:
    """A compound statement whose body has its own statement at the same line (`if x: y`)."""
    for child in ast.walk(statement):
        if child is not statement and isinstance(child, ast.stmt) and child.lineno == statement.lineno:
            return True
    return False


def instrument(
    source: str, filename: str, lines: set[int], mismatch_lines: frozenset[int] = frozenset()
) -> types.CodeType:
    tree = _Wrapper(lines, set(mismatch_lines)).visit(ast.parse(source, filename))
    ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec")


# -- running -------------------------------------------------------------------------------


def run_case(case: Case) -> dict[str, object]:
    result: dict[str, object] = {
        "file": case.file,
        "case": case.name,
        "python": ".".join(map(str, sys.version_info[:3])),
        "expected": case.expected_lines,
        "skipped": skip_reason(case),
        "lines": {},
        "unexpected": [],
        "unexecuted": [],
    }
    if result["skipped"]:
        return result
    oracle = Oracle()
    unexpected: list[str] = []
    executed: set[int] = set()
    before = set(sys.modules)
    with tempfile.TemporaryDirectory() as directory, warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        _write_files(Path(directory), case)
        sys.path.insert(0, directory)
        try:
            _execute(case, oracle, Path(directory), unexpected, executed)
        finally:
            gc.collect()
            sys.path.remove(directory)
            for name in set(sys.modules) - before:
                del sys.modules[name]
    dropped = [str(r.message) for r in records if NEVER_AWAITED in str(r.message)] + oracle.elsewhere
    for message in dropped:
        origin = oracle.origin(message)
        if origin is not None and origin in oracle.lines:
            oracle.lines[origin].unawaited = True  # made on an expected line, dropped later
        else:
            unexpected.append(f"coroutine never awaited outside an expected line: {message}")
    result["lines"] = {str(line): vars(outcome) for line, outcome in oracle.lines.items()}
    result["unexpected"] = unexpected
    result["unexecuted"] = sorted(_statement_lines(case) - executed)
    return result


def _statement_lines(case: Case) -> set[int]:
    """Lines of statements in the entry points (`test*`, `main`): each must run, or the oracle
    proved nothing there.  Spec classes' methods and helpers need not run.

    A line may opt out with `# oracle: unreached` (a branch that is not meant to run).
    """
    tree = ast.parse("\n".join(case.main) + "\n")
    expected = set(case.expected_lines)
    lines: set[int] = set()
    skipped: set[int] = set()  # bodies of compound statements expected to fail (`with coro():`)
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno in expected and hasattr(node, "body"):
            skipped.update(
                inner.lineno for inner in ast.walk(node) if isinstance(inner, ast.stmt) and inner is not node
            )
    for function in tree.body:
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            function.name == "main" or function.name.startswith("test")
        ):
            for statement in function.body:
                for node in ast.walk(statement):
                    # `pass` claims nothing (an empty loop's body may rightly never run);
                    # `global`/`nonlocal` are declarations, which never run.
                    if isinstance(node, ast.stmt) and not isinstance(node, (ast.Pass, ast.Global, ast.Nonlocal)):
                        lines.add(node.lineno)
    lines -= skipped - expected
    return {line for line in lines if "oracle: unreached" not in case.main[line - 1]}


def _write_files(directory: Path, case: Case) -> None:
    for name, lines in case.files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n")


def _execute(
    case: Case, oracle: Oracle, directory: Path, unexpected: list[str], executed: set[int]
) -> None:
    source = "\n".join(case.main) + "\n"
    filename = str(directory / "main.py")
    module = types.ModuleType("main")
    module.__file__ = filename
    module.__dict__["__oracle__"] = oracle
    sys.modules["main"] = module
    oracle.filename = filename

    def trace(frame: types.FrameType, event: str, arg: object) -> Any:
        if frame.f_code.co_filename != filename:
            return None  # trace only the case's own lines, not unittest.mock's
        if event == "line":
            executed.add(frame.f_lineno)
        return trace

    sys.settrace(trace)
    depth = sys.get_coroutine_origin_tracking_depth()
    sys.set_coroutine_origin_tracking_depth(ORIGIN_DEPTH)
    try:
        _run_module(case, module, source, filename, unexpected, oracle)
    finally:
        sys.settrace(None)
        sys.set_coroutine_origin_tracking_depth(depth)


def _run_module(
    case: Case,
    module: types.ModuleType,
    source: str,
    filename: str,
    unexpected: list[str],
    oracle: Oracle,
) -> None:
    try:
        code = instrument(source, filename, set(case.expected_lines), frozenset(case.mismatch_lines))
        exec(code, module.__dict__)
    except BaseException:
        unexpected.append("module body raised:\n" + traceback.format_exc(limit=-3))
        return
    for name, function in list(module.__dict__.items()):
        if not _is_entry_point(name, function, filename):
            continue
        try:
            if inspect.iscoroutinefunction(function):
                asyncio.run(function())
            else:
                function()
        except BaseException:
            unexpected.append(f"{name}() raised:\n" + traceback.format_exc(limit=-3))


def _is_entry_point(name: str, function: object, filename: str) -> bool:
    if not (name == "main" or name.startswith("test")) or not inspect.isfunction(function):
        return False
    if inspect.unwrap(function).__code__.co_filename != filename:
        return False  # imported, not the case's own (a patch decorator's wrapper is unwrapped)
    parameters = list(inspect.signature(function).parameters.values())[_patch_arguments(function) :]
    by_keyword = {p.attribute_name for p in getattr(function, "patchings", []) if p.attribute_name}
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in by_keyword
        for p in parameters
    )


def _patch_arguments(function: object) -> int:
    """How many leading parameters patch decorators fill (as pytest counts them)."""
    from unittest.mock import DEFAULT

    patchings = getattr(function, "patchings", [])
    return len([p for p in patchings if not p.attribute_name and p.new is DEFAULT])


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))  # the package's run-time annotations (mypy_async_strict.mocks)
    setattr(builtins, "reveal_type", lambda value: value)
    setattr(builtins, "reveal_locals", lambda: None)
    os.environ.setdefault("PYTHONASYNCIODEBUG", "0")
    for argument in argv:
        for case in parse_test_file(Path(argument)):
            print(json.dumps(run_case(case)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
