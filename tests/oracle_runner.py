"""The run-time oracle: execute test-data cases under a real CPython and report what happened.

Run as `python tests/oracle_runner.py FILE.test ...` by any CPython 3.10+ (stdlib only, no mypy).
For every case it prints one JSON line saying, for each line with an expected error (`# E:`),
whether running it raised or left a coroutine never awaited, and whatever else went wrong.

How a case runs: its `[file ...]` modules are written to a fresh directory; the main program is
executed as module `main` with every expected-error statement wrapped so that its failure is
recorded and execution goes on; then its tests run as pytest would run them (see "pytest"
below): every top-level function named `main` or `test*`, and the `test*` methods of `Test*`
classes, each with its fixtures set up and torn down around it; coroutine functions (tests and
fixtures) run in the test's event loop.  Directives in the main program, as comments:
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

pytest: the runner does not need pytest.  Where pytest, pytest-asyncio or pytest-mock cannot be
imported, a stand-in from tests/oracle_shims/ is written into the case's directory (never over a
real install; the report's `shimmed` names them), so `import pytest`, `@pytest.fixture(...)`,
`@pytest.mark.*`, `pytest.param`, `pytest.raises`, `pytest_asyncio.fixture` and
`from pytest_mock import MockerFixture` work everywhere.  Fixtures are recognised by what
`@pytest.fixture` leaves (pytest >= 8.4's FixtureFunctionDefinition, whose function
`_get_wrapped_function()` gives; older pytest's marked wrapper; the stand-in mimics the
former).  A test's parameters (past `self` and those patch decorators fill; not those with a
default) are resolved by name, nearest first: fixture methods of its class (bound to the test's
instance, a fresh one per test), the main module's fixtures, the root conftest.py's (imported
before the main module, as pytest imports it; a deeper conftest.py is imported too, but its
fixtures belong to its directory, not to the main module), then built-ins: `request` (small:
`param`, `fixturename`, `function`, `cls`, `instance`, `getfixturevalue`, `addfinalizer`),
`mocker` (also `class_mocker`, ..., `session_mocker`: pytest-mock's MockerFixture built with a
stand-in config, else the stand-in's; `stopall()` at teardown), `monkeypatch` (`undo()` at
teardown), `tmp_path`, `pytestconfig`.  A fixture requesting its own name gets the next outer
definition; other requests resolve from the test's view, as in pytest.  Autouse fixtures (outer
levels first), `@pytest.mark.usefixtures`, then the parameters are set up, higher scopes first;
a plain fixture's value is its result, a generator's its first yield (the rest runs at
teardown, in reverse order of setup, whether the test passed or not); `async def` fixtures and
async generators are run in the test's event loop (pytest-asyncio's auto mode, whatever the
decorator).  `@pytest.mark.parametrize` (also `indirect=`) and `@pytest.fixture(params=...)`
run the test once per combination.  xunit-style set-up runs as pytest runs it: setup_module /
teardown_module (and setUpModule / tearDownModule) once around the module's tests,
setup_class / teardown_class around a class's, setup_method / teardown_method and
setup_function / teardown_function as autouse fixtures ahead of the class's or module's own.

Scopes are ignored: every fixture is set up afresh for each test (no case relies on sharing
yet; a case that does would see its module-scoped state reset per test).  Not modelled:
skip/xfail marks (the test runs), `request.node` beyond its name, capture fixtures (capsys,
caplog), plugins' hooks.  A failure in a fixture's setup or teardown is reported like a test's;
a main-module fixture that ran must run every line, as a test must, and coroutines it drops
count for the line that made them.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import gc
import importlib
import importlib.util
import inspect
import itertools
import json
import os
import re
import shutil
import sys
import tempfile
import traceback
import types
import warnings
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
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
        "shimmed": [],
    }
    if result["skipped"]:
        return result
    oracle = Oracle()
    unexpected: list[str] = []
    executed: set[int] = set()
    ran: set[str] = set()
    for name in SHIMMED:
        importable(name)  # imported once, before the snapshot: kept for every case
    before = set(sys.modules)
    path_before = list(sys.path)
    with tempfile.TemporaryDirectory() as directory, warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        _write_files(Path(directory), case)
        result["shimmed"] = _write_shims(Path(directory), case)
        sys.path.insert(0, directory)
        try:
            _execute(case, oracle, Path(directory), unexpected, executed, ran)
        finally:
            gc.collect()
            sys.path[:] = path_before
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
    result["unexecuted"] = sorted(_statement_lines(case, ran) - executed)
    return result


def _statement_lines(case: Case, ran: AbstractSet[str] = frozenset()) -> set[int]:
    """Lines of statements in the entry points (top-level `test*` and `main`, and the test
    methods and main-module fixtures that ran, by qualified name in `ran`): each must run, or
    the oracle proved nothing there.  Spec classes' methods and helpers need not run.

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
    for qualname, function in _functions(tree.body, ""):
        if qualname in ran or "." not in qualname and (function.name == "main" or function.name.startswith("test")):
            for statement in function.body:
                for node in ast.walk(statement):
                    # `pass` claims nothing (an empty loop's body may rightly never run);
                    # `global`/`nonlocal` are declarations, which never run.
                    if isinstance(node, ast.stmt) and not isinstance(node, (ast.Pass, ast.Global, ast.Nonlocal)):
                        lines.add(node.lineno)
    lines -= skipped - expected
    return {line for line in lines if "oracle: unreached" not in case.main[line - 1]}


def _functions(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The functions defined at module level and in classes, with their qualified names."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node.body, f"{prefix}{node.name}.")


def _write_files(directory: Path, case: Case) -> None:
    for name, lines in case.files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n")


def _execute(
    case: Case, oracle: Oracle, directory: Path, unexpected: list[str], executed: set[int], ran: set[str]
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
        _run_module(case, module, source, filename, unexpected, oracle, ran)
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
    ran: set[str],
) -> None:
    directory = Path(filename).parent
    try:
        conftests = _import_conftests(case, directory, before_main=True)
    except BaseException:
        unexpected.append("conftest.py raised on import:\n" + traceback.format_exc(limit=-3))
        return
    try:
        code = instrument(source, filename, set(case.expected_lines), frozenset(case.mismatch_lines))
        exec(code, module.__dict__)
    except BaseException:
        unexpected.append("module body raised:\n" + traceback.format_exc(limit=-3))
        return
    try:
        _import_conftests(case, directory, before_main=False)
    except BaseException:
        unexpected.append("conftest.py raised on import:\n" + traceback.format_exc(limit=-3))
        return
    levels = [{**_xunit_function_fixture(module), **_fixtures_of(vars(module), "main")}]
    levels += [_fixtures_of(vars(conftest), path) for path, conftest in conftests]
    levels.append(builtin_fixtures())
    items = list(_collect(module, filename))
    if not items:
        return
    # xunit-style module and class set-up: once around the module's and each class's tests
    if not _xunit(module, ("setUpModule", "setup_module"), module, "module set-up", unexpected):
        return
    for cls, group in itertools.groupby(items, key=lambda item: item.cls):
        if cls is not None and not _xunit(cls, ("setup_class",), cls, f"{cls.__name__}.setup_class", unexpected):
            continue
        for item in group:
            ran.add(item.qualname)
            for call in _calls(item, module, levels, unexpected):
                _run_call(call, unexpected, ran, filename)
        if cls is not None:
            _xunit(cls, ("teardown_class",), cls, f"{cls.__name__}.teardown_class", unexpected)
    _xunit(module, ("tearDownModule", "teardown_module"), module, "module teardown", unexpected)


# -- pytest: collection, fixtures, parametrization --------------------------------------------
#
# What pytest would do with the case's tests (see the module's docstring): collect them, resolve
# their fixtures by name nearest first, set the fixtures up around each call and tear them down.

SHIMS = Path(__file__).resolve().parent / "oracle_shims"
SHIMMED = ("pytest", "pytest_asyncio", "pytest_mock")
SCOPE_ORDER = {"session": 0, "package": 1, "module": 2, "class": 3, "function": 4}
BUILTIN = "built-in"
MISSING: Any = object()


@lru_cache(maxsize=None)
def importable(name: str) -> bool:
    """Whether the interpreter has `name` installed (imported now, kept for every case)."""
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _write_shims(directory: Path, case: Case) -> list[str]:
    """A stand-in for each of pytest, pytest_asyncio and pytest_mock that is not installed
    (never one that is, nor one the case writes itself); returns their names."""
    written = []
    for name in SHIMMED:
        if importable(name) or f"{name}.py" in case.files or any(f.startswith(f"{name}/") for f in case.files):
            continue
        shutil.copyfile(SHIMS / f"{name}.py", directory / f"{name}.py")
        written.append(name)
    return written


def _shim_module(name: str) -> types.ModuleType:
    """The oracle's stand-in for `name`, loaded beside the real one (a fallback)."""
    spec = importlib.util.spec_from_file_location(f"_oracle_shim_{name}", SHIMS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _import_conftests(case: Case, directory: Path, *, before_main: bool) -> list[tuple[str, types.ModuleType]]:
    """Import the case's conftest.py files as pytest does (default `prepend` import mode): the
    root one before the main module, as `conftest`; deeper ones after it, as `pkg.conftest`
    inside packages, else as `conftest` from their directory.  Returns the ones whose fixtures
    the main module sees: only the root one (pytest scopes a conftest's fixtures to its
    directory, and the main module lives at the root)."""
    found: list[tuple[str, types.ModuleType]] = []
    for name in sorted(case.files, key=lambda n: (n.count("/"), n)):
        path = Path(name)
        if path.name != "conftest.py" or (len(path.parts) == 1) != before_main:
            continue
        package = path.parent
        while package.parts and package.as_posix() + "/__init__.py" in case.files:
            package = package.parent
        if package == path.parent:  # not in a package: import from its own directory
            sys.modules.pop("conftest", None)
            folder = str(directory / path.parent)
            if folder not in sys.path:
                sys.path.insert(0, folder)
            module = importlib.import_module("conftest")
        else:
            module = importlib.import_module(".".join(path.relative_to(package).with_suffix("").parts))
        if len(path.parts) == 1:
            found.append((name, module))
    return found


@dataclass(eq=False)
class FixtureDef:
    name: str
    function: Any
    where: str  # "main", "conftest.py", "class TestX" or "built-in"
    scope: str = "function"
    autouse: bool = False
    params: tuple[object, ...] | None = None
    method: bool = False  # a fixture method: bound to the test's instance

    @property
    def argnames(self) -> list[str]:
        return argnames(self.function, method=self.method)


def argnames(function: Any, *, method: bool = False, patched: int = 0, keyword: frozenset[str] = frozenset()) -> list[str]:
    """The fixtures a function requests, as pytest's `getfuncargnames` reads them: parameters
    without a default, not positional-only, past `self` for methods and past the leading ones
    patch decorators fill (and not those patch.multiple passes by keyword)."""
    parameters = list(inspect.signature(function).parameters.values())
    names = [
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is p.empty
    ]
    if method and not any(p.kind is p.POSITIONAL_ONLY for p in parameters):
        names = names[1:]
    return [n for n in names[patched:] if n not in keyword]


def _fixture_parts(value: object) -> tuple[Any, Any] | None:
    """(marker, function) of a fixture object: pytest >= 8.4 (and the oracle's shim) wrap the
    function in a FixtureFunctionDefinition; older pytest marks a wrapper of it.  Read
    statically, so that a mock (which has every attribute) is not taken for one."""
    marker = _static(value, "_fixture_function_marker")
    if marker is not None:
        getter = getattr(value, "_get_wrapped_function", None)
        return marker, getter() if callable(getter) else getattr(value, "__wrapped__", None)
    marker = _static(value, "_pytestfixturefunction")
    if marker is not None:
        wrapped = getattr(value, "__pytest_wrapped__", None)
        return marker, getattr(wrapped, "obj", getattr(value, "__wrapped__", value))
    return None


def _static(value: object, name: str) -> Any:
    try:
        return inspect.getattr_static(value, name, None)
    except Exception:
        return None


def _fixtures_of(namespace: dict[str, Any], where: str, owner: type | None = None) -> dict[str, FixtureDef]:
    found: dict[str, FixtureDef] = {}
    for value in list(namespace.values()):
        parts = _fixture_parts(value)
        if parts is None:
            continue
        marker, function = parts
        method = owner is not None
        if isinstance(function, staticmethod):
            function, method = function.__func__, False
        elif isinstance(function, classmethod):
            function, method = function.__get__(None, owner), False
        if function is None:
            continue
        name = str(getattr(marker, "name", None) or getattr(function, "__name__", ""))
        scope = getattr(marker, "scope", "function")
        params = getattr(marker, "params", None)
        found[name] = FixtureDef(
            name=name,
            function=function,
            where=where,
            scope=scope if isinstance(scope, str) else "function",
            autouse=bool(getattr(marker, "autouse", False)),
            params=tuple(params) if params is not None else None,
            method=method,
        )
    return found


def _class_fixtures(cls: type) -> dict[str, FixtureDef]:
    found = _xunit_method_fixture(cls)
    for klass in reversed(cls.__mro__[:-1]):  # a subclass's definition overrides its base's
        found.update(_fixtures_of(dict(vars(klass)), f"class {cls.__name__}", owner=cls))
    return found


# -- xunit-style set-up (pytest calls these too) ---------------------------------------------


def _plain_function(holder: object, names: tuple[str, ...]) -> Any:
    """The first of `names` that `holder` has and that is not a fixture (pytest's rule)."""
    for name in names:
        value = getattr(holder, name, None)
        if value is not None and _fixture_parts(value) is None:
            return value
    return None


def _call_with_optional_argument(function: Any, argument: object) -> None:
    count = function.__code__.co_argcount - (1 if inspect.ismethod(function) else 0)
    if count:
        function(argument)
    else:
        function()


def _xunit(holder: object, names: tuple[str, ...], argument: object, label: str, unexpected: list[str]) -> bool:
    """Call the first of `names` that `holder` has (setup_module, setup_class, ...)."""
    function = _plain_function(holder, names)
    if function is None:
        return True
    if inspect.isclass(holder):
        function = getattr(function, "__func__", function)  # setup_class(cls): given the class
    try:
        _call_with_optional_argument(function, argument)
    except BaseException:
        unexpected.append(f"{label} raised:\n" + traceback.format_exc(limit=-3))
        return False
    return True


def _xunit_method_fixture(cls: type) -> dict[str, FixtureDef]:
    """setup_method/teardown_method as pytest runs them: an autouse fixture of the class."""
    setup = _plain_function(cls, ("setup_method",))
    teardown = _plain_function(cls, ("teardown_method",))
    if setup is None and teardown is None:
        return {}

    def xunit_setup_method_fixture(request: Any) -> Iterator[None]:
        if setup is not None:
            _call_with_optional_argument(getattr(request.instance, "setup_method"), request.function)
        yield
        if teardown is not None:
            _call_with_optional_argument(getattr(request.instance, "teardown_method"), request.function)

    name = f"_xunit_setup_method_fixture_{cls.__qualname__}"
    return {name: FixtureDef(name, xunit_setup_method_fixture, f"class {cls.__name__}", autouse=True)}


def _xunit_function_fixture(module: types.ModuleType) -> dict[str, FixtureDef]:
    """setup_function/teardown_function: an autouse fixture of the module, for functions only."""
    setup = _plain_function(module, ("setup_function",))
    teardown = _plain_function(module, ("teardown_function",))
    if setup is None and teardown is None:
        return {}

    def xunit_setup_function_fixture(request: Any) -> Iterator[None]:
        if request.cls is not None:
            yield
            return
        if setup is not None:
            _call_with_optional_argument(setup, request.function)
        yield
        if teardown is not None:
            _call_with_optional_argument(teardown, request.function)

    name = "_xunit_setup_function_fixture_main"
    return {name: FixtureDef(name, xunit_setup_function_fixture, "main", autouse=True)}


# -- built-in fixtures -------------------------------------------------------------------------


class PytestConfig:
    """What plugins read from pytest's config outside a pytest run: unset ini options."""

    def getini(self, name: str) -> object:
        return False if name.startswith("mock_") else ""

    def getoption(self, name: str, default: object = None) -> object:
        return default


def _mocker() -> Iterator[Any]:
    """pytest-mock's MockerFixture where it is installed and can be built outside pytest, else
    the oracle's stand-in (the same surface, on unittest.mock); patches stop at teardown."""
    pytest_mock: Any = importlib.import_module("pytest_mock")  # the real one or the shim
    try:
        mocker = pytest_mock.MockerFixture(PytestConfig())
    except Exception:
        mocker = _shim_module("pytest_mock").MockerFixture(PytestConfig())
    yield mocker
    mocker.stopall()


def _monkeypatch() -> Iterator[Any]:
    pytest: Any = importlib.import_module("pytest")
    factory = getattr(pytest, "MonkeyPatch", None) or _shim_module("pytest").MonkeyPatch
    patcher = factory()
    yield patcher
    patcher.undo()


def _tmp_path() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="tmp_path-") as directory:
        yield Path(directory)


def _pytestconfig() -> PytestConfig:
    return PytestConfig()


def builtin_fixtures() -> dict[str, FixtureDef]:
    found = {
        name: FixtureDef(name, _mocker, BUILTIN)
        for name in ("mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker")
    }
    found["monkeypatch"] = FixtureDef("monkeypatch", _monkeypatch, BUILTIN)
    found["tmp_path"] = FixtureDef("tmp_path", _tmp_path, BUILTIN)
    found["pytestconfig"] = FixtureDef("pytestconfig", _pytestconfig, BUILTIN)
    return found


# -- collection ------------------------------------------------------------------------------


@dataclass
class Item:
    """A test as collected: the function (a patch decorator's wrapper kept) and its class."""

    name: str  # test_x, or TestX::test_y
    qualname: str  # the function's own qualified name (TestBase.test_y for an inherited one)
    function: Any
    cls: type | None
    static: bool = False  # a staticmethod test: no instance is passed

    @property
    def argnames(self) -> list[str]:
        by_keyword = frozenset(p.attribute_name for p in getattr(self.function, "patchings", []) if p.attribute_name)
        return argnames(
            self.function,
            method=self.cls is not None and not self.static,
            patched=_patch_arguments(self.function),
            keyword=by_keyword,
        )


def _collect(module: types.ModuleType, filename: str) -> Iterator[Item]:
    for name, value in list(vars(module).items()):
        if inspect.isclass(value) and name.startswith("Test") and _collectable_class(value, module):
            yield from _class_items(value)
        elif _is_entry_point(name, value, filename):
            yield Item(name, inspect.unwrap(value).__qualname__, value, None)


def _is_entry_point(name: str, function: object, filename: str) -> bool:
    if not (name == "main" or name.startswith("test")) or not inspect.isfunction(function):
        return False
    # imported, not the case's own (a patch decorator's wrapper is unwrapped)
    return bool(inspect.unwrap(function).__code__.co_filename == filename)


def _collectable_class(cls: type, module: types.ModuleType) -> bool:
    if cls.__module__ != module.__name__ or not getattr(cls, "__test__", True):
        return False
    if "__init__" in _own_names(cls) or "__new__" in _own_names(cls):
        return False  # pytest: "cannot collect test class because it has a __init__ constructor"
    import unittest

    return not issubclass(cls, unittest.TestCase)


def _own_names(cls: type) -> set[str]:
    """Names the class and its bases (not `object`) define."""
    return {name for klass in cls.__mro__[:-1] for name in vars(klass)}


def _class_items(cls: type) -> Iterator[Item]:
    seen: set[str] = set()
    for klass in cls.__mro__[:-1]:
        for name, raw in list(vars(klass).items()):
            if not name.startswith("test") or name in seen:
                continue
            seen.add(name)
            static = isinstance(raw, staticmethod)
            function = raw.__func__ if static else raw
            if not inspect.isfunction(function) or _fixture_parts(raw) is not None:
                continue
            yield Item(f"{cls.__name__}::{name}", inspect.unwrap(function).__qualname__, function, cls, static)


def _patch_arguments(function: object) -> int:
    """How many leading parameters patch decorators fill (as pytest counts them)."""
    from unittest.mock import DEFAULT

    patchings = getattr(function, "patchings", [])
    return len([p for p in patchings if not p.attribute_name and p.new is DEFAULT])


def _marks(item: Item, module: types.ModuleType) -> list[Any]:
    """The item's marks, nearest first: the function's, its class's, the module's."""
    found: list[Any] = []
    for holder in (item.function, item.cls, module):
        marks = getattr(holder, "pytestmark", []) if holder is not None else []
        for mark in marks if isinstance(marks, (list, tuple)) else [marks]:
            found.append(getattr(mark, "mark", mark))
    return found


# -- parametrization -------------------------------------------------------------------------


@dataclass
class Call:
    """One run of an item: the fixture levels it sees, the names its closure sets up, and the
    values parametrization gives."""

    item: Item
    id: str
    levels: list[dict[str, FixtureDef]]
    closure: list[str] = field(default_factory=list)
    direct: dict[str, object] = field(default_factory=dict)
    indirect: dict[str, object] = field(default_factory=dict)
    fixture_params: dict[int, object] = field(default_factory=dict)  # id(FixtureDef) -> param


# One parameter set: (argname -> value, indirect argnames) of a mark, or a fixture's param.
Choice = tuple[str, object, object]  # ("direct" | "indirect", argname, value) | ("fixture", definition, value)


def _calls(item: Item, module: types.ModuleType, module_levels: list[dict[str, FixtureDef]], unexpected: list[str]) -> list[Call]:
    """The runs of an item: one, or one per combination of parametrize marks' sets and params
    of parametrized fixtures in its closure (a parametrize mark naming a fixture overrides it)."""
    levels = ([_class_fixtures(item.cls)] if item.cls is not None else []) + module_levels
    marks = _marks(item, module)
    usefixtures = [arg for mark in marks if getattr(mark, "name", None) == "usefixtures" for arg in mark.args]
    autouse = [f.name for level in reversed(levels) for f in level.values() if f.autouse]
    try:
        requested = item.argnames
        dimensions: list[list[list[Choice]]] = [
            _parametrize(mark) for mark in marks if getattr(mark, "name", None) == "parametrize"
        ]
    except Exception:
        unexpected.append(f"{item.name}: cannot collect:\n" + traceback.format_exc(limit=-3))
        return []
    initial = list(dict.fromkeys(autouse + usefixtures + requested))
    direct = {str(c[1]) for dimension in dimensions for choices in dimension for c in choices if c[0] == "direct"}
    closure, definitions = _closure(initial, levels, direct)
    for definition in definitions:
        if definition.params is not None:
            dimensions.append([[("fixture", definition, param)] for param in definition.params])
    calls: list[Call] = []
    for indices in itertools.product(*(range(len(dimension)) for dimension in dimensions)):
        call = Call(item, item.name, levels, closure)
        if dimensions:
            call.id = f"{item.name}[{'-'.join(map(str, indices))}]"
        for dimension, index in zip(dimensions, indices):
            for kind, key, value in dimension[index]:
                if kind == "fixture":
                    call.fixture_params[id(key)] = value
                elif kind == "indirect":
                    call.indirect[str(key)] = value
                else:
                    call.direct[str(key)] = value
        calls.append(call)
    return calls


def _parametrize(mark: Any) -> list[list[Choice]]:
    """A parametrize mark's parameter sets."""
    arguments = dict(zip(("argnames", "argvalues"), mark.args))
    arguments.update(mark.kwargs)
    names_given = arguments["argnames"]
    if isinstance(names_given, str):
        names = [n.strip() for n in names_given.split(",") if n.strip()]
    else:
        names = list(names_given)
    indirect_given = arguments.get("indirect", False)
    indirect = set(names) if indirect_given is True else set(indirect_given or ())
    sets: list[list[Choice]] = []
    for given in arguments["argvalues"]:
        fields = getattr(type(given), "_fields", ())
        if tuple(fields[:3]) == ("values", "marks", "id"):  # pytest.param(...)
            values = tuple(given.values)
        else:
            values = (given,) if len(names) == 1 else tuple(given)
        sets.append([("indirect" if n in indirect else "direct", n, v) for n, v in zip(names, values)])
    return sets


def _chain(name: str, levels: list[dict[str, FixtureDef]]) -> list[FixtureDef]:
    """The definitions of `name` a test sees, nearest first."""
    return [level[name] for level in levels if name in level]


def _closure(
    initial: list[str], levels: list[dict[str, FixtureDef]], direct: set[str]
) -> tuple[list[str], list[FixtureDef]]:
    """The names a test's closure sets up (pytest's order: the initial names, then what they
    request), and every definition it may run (outer ones extended by own-name requests too)."""
    names = list(initial)
    definitions: list[FixtureDef] = []
    pending = [(name, 0) for name in initial if name not in direct]
    seen: set[tuple[str, int]] = set()
    while pending:
        name, index = pending.pop(0)
        chain = _chain(name, levels)
        if (name, index) in seen or index >= len(chain):
            continue
        seen.add((name, index))
        definitions.append(chain[index])
        try:
            requested = chain[index].argnames
        except (TypeError, ValueError):
            continue
        for argument in requested:
            if argument == name:
                pending.append((name, index + 1))
            elif argument not in direct:
                pending.append((argument, 0))
            if argument not in names:
                names.append(argument)
    return names, definitions


# -- running one test ------------------------------------------------------------------------


class FixtureError(Exception):
    pass


class EventLoop:
    """The test's event loop, made on first need: async fixtures and an async test run in it
    (as pytest-asyncio runs them, in auto mode), sync code outside it; closed like asyncio.run
    closes its loop."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None

    def run(self, awaitable: Any) -> Any:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        loop, self.loop = self.loop, None
        if loop is None:
            return
        try:
            tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            for task in tasks:
                if not task.cancelled() and task.exception() is not None:
                    loop.call_exception_handler(
                        {"message": "unhandled exception during test teardown", "exception": task.exception(), "task": task}
                    )
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


class Request:
    """A small `request`: the requesting fixture's name and param, the test, getfixturevalue,
    addfinalizer."""

    def __init__(self, run: Run, requester: tuple[str, int] | None, param: object) -> None:
        self._run = run
        self._requester = requester
        self.fixturename = requester[0] if requester is not None else None
        if param is not MISSING:
            self.param = param
        item = run.call.item
        self.function = item.function
        self.cls = item.cls
        self.instance = run.instance
        self.module = sys.modules.get("main")
        self.node = types.SimpleNamespace(name=run.call.id, nodeid=f"main.py::{run.call.id}")
        self.config = PytestConfig()
        self.scope = "function"

    def getfixturevalue(self, name: str) -> Any:
        return self._run.value(name, self._requester)

    def addfinalizer(self, finalizer: Any) -> None:
        self._run.finalizers.append(("a request.addfinalizer finalizer", finalizer))


class Run:
    """One call of a test: its fixtures set up (each definition once), the test called, the
    fixtures torn down in reverse."""

    def __init__(self, call: Call, instance: object) -> None:
        self.call = call
        self.instance = instance
        self.loop = EventLoop()
        self.cache: dict[tuple[str, int], object] = {}
        self.active: set[tuple[str, int]] = set()
        self.finalizers: list[tuple[str, Any]] = []
        self.ran_fixtures: list[Any] = []

    def value(self, name: str, requester: tuple[str, int] | None) -> Any:
        if name == "request":
            return Request(self, requester, MISSING)
        if requester is not None and requester[0] == name:
            index = requester[1] + 1  # a fixture requesting its own name: the next outer one
        elif name in self.call.direct:
            return self.call.direct[name]
        else:
            index = 0
        chain = _chain(name, self.call.levels)
        if index >= len(chain):
            available = sorted({n for level in self.call.levels for n in level} | {"request"})
            raise FixtureError(f"fixture {name!r} not found (available: {', '.join(available)})")
        key = (name, index)
        if key in self.cache:
            return self.cache[key]
        if key in self.active:
            raise FixtureError(f"recursive dependency involving fixture {name!r} detected")
        self.active.add(key)
        try:
            value = self._setup(chain[index], key)
        finally:
            self.active.discard(key)
        self.cache[key] = value
        return value

    def _setup(self, definition: FixtureDef, key: tuple[str, int]) -> Any:
        param = self.call.fixture_params.get(id(definition), MISSING)
        if key[1] == 0 and key[0] in self.call.indirect:
            param = self.call.indirect[key[0]]
        function = definition.function
        if definition.method and self.instance is not None:
            function = function.__get__(self.instance)
        kwargs = {
            argument: Request(self, key, param) if argument == "request" else self.value(argument, key)
            for argument in definition.argnames
        }
        label = f"fixture {definition.name!r} ({definition.where})"
        self.ran_fixtures.append(definition.function)
        if inspect.isasyncgenfunction(function):
            generator = function(**kwargs)
            value = self.loop.run(_first_async(generator, label))
            self.finalizers.append((label, lambda: self.loop.run(_last_async(generator, label))))
            return value
        if inspect.iscoroutinefunction(function):
            return self.loop.run(function(**kwargs))
        if inspect.isgeneratorfunction(function):
            generator = function(**kwargs)
            try:
                value = next(generator)
            except StopIteration:
                raise FixtureError(f"{label} did not yield a value") from None
            self.finalizers.append((label, lambda: _last(generator, label)))
            return value
        return function(**kwargs)

    def setup_all(self) -> dict[str, Any]:
        """Every fixture in the closure, the higher-scoped first (pytest's order), then the
        test's own arguments."""

        def scope(name: str) -> int:
            chain = _chain(name, self.call.levels)
            if name in self.call.direct or not chain:
                return SCOPE_ORDER["function"]
            return SCOPE_ORDER.get(chain[0].scope, SCOPE_ORDER["function"])

        for name in sorted(self.call.closure, key=scope):
            self.value(name, None)
        return {name: self.value(name, None) for name in self.call.item.argnames}

    def teardown(self, unexpected: list[str]) -> None:
        while self.finalizers:
            label, finalizer = self.finalizers.pop()
            try:
                finalizer()
            except BaseException:
                unexpected.append(f"{self.call.id}: teardown of {label} raised:\n" + traceback.format_exc(limit=-3))
        try:
            self.loop.close()
        except BaseException:
            unexpected.append(f"{self.call.id}: closing the event loop raised:\n" + traceback.format_exc(limit=-3))


async def _first_async(generator: Any, label: str) -> Any:
    try:
        return await generator.__anext__()
    except StopAsyncIteration:
        raise FixtureError(f"{label} did not yield a value") from None


async def _last_async(generator: Any, label: str) -> None:
    try:
        await generator.__anext__()
    except StopAsyncIteration:
        return
    raise FixtureError(f"{label} yielded more than once")


def _last(generator: Any, label: str) -> None:
    try:
        next(generator)
    except StopIteration:
        return
    raise FixtureError(f"{label} yielded more than once")


def _run_call(call: Call, unexpected: list[str], ran: set[str], filename: str) -> None:
    item = call.item
    try:
        instance = item.cls() if item.cls is not None else None
    except BaseException:
        unexpected.append(f"{call.id}: instantiating the class raised:\n" + traceback.format_exc(limit=-3))
        return
    run = Run(call, instance)
    try:
        try:
            kwargs = run.setup_all()
        except BaseException:
            unexpected.append(f"{call.id}: fixture setup raised:\n" + traceback.format_exc(limit=-3))
            return
        function = item.function
        if instance is not None and not item.static:
            function = function.__get__(instance)
        try:
            if inspect.iscoroutinefunction(function):
                run.loop.run(function(**kwargs))
            else:
                function(**kwargs)
        except BaseException:
            unexpected.append(f"{call.id}() raised:\n" + traceback.format_exc(limit=-3))
    finally:
        run.teardown(unexpected)
        for function in run.ran_fixtures:
            original = inspect.unwrap(function)
            code = getattr(original, "__code__", None)
            if code is not None and code.co_filename == filename:
                ran.add(original.__qualname__)


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
