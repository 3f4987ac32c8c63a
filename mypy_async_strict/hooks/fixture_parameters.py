"""Unannotated test parameters that pytest fills with a mock get the mock's type.

`async def test_login(service, users, mocker):` is how real suites are written: to mypy every
parameter is `Any`, so no hook fires on `users.get_by_email.return_value`, `await
users.fetch()` or `mocker.patch(...)`, and the plugin would see nothing.  pytest decides what
each parameter is (the fixture of that name, pytest_fixtures.py), so the plugin gives the
parameter the type of the mock the fixture gives, and `mocker` pytest-mock's `MockerFixture`.

mypy sets parameter types when it starts checking a function body (`store_argument_type`),
and no plugin hook runs there.  So the plugin puts one statement at the top of such a test,
`__import__("mypy_async_strict.fixture_parameters")` (a typed builtin call with no effect on
checking): its call hook runs first in the body and sets the parameters' types.  The statement
is added where the plugin first sees the whole tree: after parsing (`get_additional_deps`), or,
in mypy's parallel mode where workers rebuild the tree, when the module's interface is written
(before any test body is checked).

The widening rule (positions.py) holds: a parameter gets the precise type only when every read
of it is in place and the test never rebinds it; otherwise it stays `Any`, as plain mypy has it.
"""

from __future__ import annotations

import functools
from typing import Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    GDEF,
    Import,
    ImportFrom,
    Argument,
    Block,
    CallExpr,
    ClassDef,
    Decorator,
    ExpressionStmt,
    FuncDef,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    Statement,
    StrExpr,
    Var,
)
from mypy.plugin import CheckerPluginInterface, FunctionContext
from mypy.server.subexpr import get_subexpressions
from mypy.types import Instance, Type

from mypy_async_strict import fullnames
from mypy_async_strict.checks.fixture_calls import check_fixture_calls
from mypy_async_strict.knowledge.certainty import pytest_fixture
from mypy_async_strict.knowledge.dependencies import Dependencies
from mypy_async_strict.knowledge.provenance import ScanCache, ScopeFacts, scopes_of
from mypy_async_strict.knowledge.pytest_fixtures import NOT_FIXTURES, is_test_module, provides
from mypy_async_strict.knowledge.syntax import all_statements, walk
from mypy_async_strict.model import mocktypes

MARKER: Final = "mypy_async_strict.fixture_parameters"
IMPORT_FUNCTION: Final = "builtins.__import__"
MOCKER_PARAMETER: Final = "mocker"
TEST_PREFIX: Final = "test"
TEST_CLASS_PREFIX: Final = "Test"


# -- marking (parse time, or before bodies are checked) -----------------------------------

def mark_tests(tree: MypyFile, import_function: FuncDef | None) -> list[FuncDef]:
    """Put the marker statement at the top of every test function of a test module that has
    unannotated fixture parameters; the tests marked (also those marked before)."""
    if not tree.defs or not is_test_module(tree.path) or _shadows_import(tree):
        return []
    marked = []
    for func in _test_functions(tree.defs):
        if _fixture_parameters(func):
            if not _is_marked(func):
                func.body.body.insert(0, _marker_statement(func.body, import_function))
            marked.append(func)
    return marked


def _test_functions(statements: list[Statement], in_class: bool = False) -> list[FuncDef]:
    found = []
    for statement in statements:
        func = statement.func if isinstance(statement, Decorator) else statement
        if isinstance(func, FuncDef) and func.name.startswith(TEST_PREFIX):
            found.append(func)
        elif isinstance(statement, ClassDef) and not in_class and statement.name.startswith(TEST_CLASS_PREFIX):
            found += _test_functions(statement.defs.body, in_class=True)
    return found


def _fixture_parameters(func: FuncDef) -> list[Argument]:
    """Parameters pytest fills from fixtures and the test leaves unannotated."""
    arguments = func.arguments[1:] if _is_method(func) else func.arguments
    return [
        argument
        for argument in arguments
        if argument.kind in (ARG_POS, ARG_NAMED)
        and argument.initializer is None
        and argument.type_annotation is None
        and argument.variable.name not in NOT_FIXTURES
    ]


def _is_method(func: FuncDef) -> bool:
    # At parse time `info` is not set yet: a first parameter named self/cls marks a method.
    return bool(func.arguments) and func.arguments[0].variable.name in ("self", "cls")


def _is_marked(func: FuncDef) -> bool:
    body = func.body.body
    return bool(body) and _marker_call(body[0]) is not None


def _marker_call(statement: Statement) -> CallExpr | None:
    if not isinstance(statement, ExpressionStmt) or not isinstance(statement.expr, CallExpr):
        return None
    call = statement.expr
    is_marker = (
        isinstance(call.callee, NameExpr)
        and call.callee.name == "__import__"
        and len(call.args) == 1
        and isinstance(call.args[0], StrExpr)
        and call.args[0].value == MARKER
    )
    return call if is_marker else None


def _marker_statement(body: Block, import_function: FuncDef | None) -> ExpressionStmt:
    """`__import__("mypy_async_strict.fixture_parameters")`, bound to the builtin already (it
    may be added after semantic analysis) and placed at the body's first line."""
    first = body.body[0] if body.body else body
    callee = NameExpr("__import__")
    callee.kind = GDEF
    callee.fullname = IMPORT_FUNCTION
    callee.node = import_function
    call = CallExpr(callee, [StrExpr(MARKER)], [ARG_POS], [None])
    statement = ExpressionStmt(call)
    for node in (callee, call.args[0], call, statement):
        node.set_line(first.line, first.column)
    return statement


def _shadows_import(tree: MypyFile) -> bool:
    """A module that names `__import__` itself might give the marker another meaning (read
    syntactically, the same before and after names are bound)."""
    if not _may_name_import(tree):
        return False
    nodes = walk(tree.defs, {})
    markers = {id(call.callee) for node in nodes if isinstance(node, ExpressionStmt) and (call := _marker_call(node))}
    for node in nodes:
        if isinstance(node, NameExpr) and node.name == "__import__" and id(node) not in markers:
            return True
        if isinstance(node, (FuncDef, ClassDef)) and node.name == "__import__":
            return True
        if isinstance(node, (Import, ImportFrom)) and any(
            "__import__" in (name, alias) for name, alias in (node.ids if isinstance(node, Import) else node.names)
        ):
            return True
    return False


def _may_name_import(tree: MypyFile) -> bool:
    """A cheap over-approximation of `_shadows_import` (False only when it is False): mypy's
    compiled walk finds every expression the generic walk finds (and more), so a module where
    no name `__import__` but the markers' callees, no definition and no import of that name
    appears needs no generic walk."""
    statements = all_statements(tree.defs)
    markers = set()
    for statement in statements:
        kind = type(statement)
        if kind is ExpressionStmt:
            call = _marker_call(statement)
            if call is not None:
                markers.add(id(call.callee))
        elif kind is FuncDef or kind is ClassDef:
            if statement.name == "__import__":  # type: ignore[attr-defined]
                return True
        elif kind is Decorator:
            if statement.func.name == "__import__":  # type: ignore[attr-defined]
                return True
        elif kind is Import or kind is ImportFrom:
            names = statement.ids if kind is Import else statement.names  # type: ignore[attr-defined]
            if any("__import__" in (name, alias) for name, alias in names):
                return True
    for expr in get_subexpressions(tree):
        if type(expr) is NameExpr and expr.name == "__import__" and id(expr) not in markers:
            return True
    return False


# -- typing (the marker's call hook) -------------------------------------------------------

class FixtureParameters:
    """The call hook of the marker statement."""

    def __init__(self, cache: ScanCache, dependencies: Dependencies) -> None:
        self._cache = cache
        self._dependencies = dependencies

    def hook(self, ctx: FunctionContext) -> Type:
        test = self._marked_test(ctx)
        if test is not None:
            facts = self._cache.facts(test)
            untyped = []
            for argument in _fixture_parameters(test):
                typ = _parameter_type(ctx.api, self._cache, facts, test, argument.variable)
                if typ is not None:
                    argument.variable.type = typ
                else:
                    untyped.append(argument.variable)
            if not getattr(ctx.api, "can_skip_diagnostics", False):
                reads = functools.partial(self._dependencies.reads_class, ctx.api)
                check_fixture_calls(ctx.api, self._cache, facts, test, untyped, reads)
        return ctx.default_return_type

    def _marked_test(self, ctx: FunctionContext) -> FuncDef | None:
        scopes = scopes_of(ctx.api)
        test = scopes[0] if scopes else None
        if not isinstance(test, FuncDef) or not test.body.body:
            return None
        if _marker_call(test.body.body[0]) is not ctx.context:
            return None
        # A body mypy checks with the module's interface (it defines attributes) is checked
        # before the marker may exist (parallel mode): leave it as plain mypy has it there too.
        return None if getattr(test, "def_or_infer_vars", False) else test  # (mypy 2.x)


def _parameter_type(
    api: CheckerPluginInterface, cache: ScanCache, facts: ScopeFacts, test: FuncDef, var: Var
) -> Type | None:
    if var not in facts.read_in_place or _rebinds_anywhere(test, var.name):
        return None
    resolved = pytest_fixture(api, cache, facts, var)
    if resolved is not None:
        return mocktypes.encode(api, resolved.mock.state, resolved.mock.stands_for)
    if var.name == MOCKER_PARAMETER and not provides(api, test, MOCKER_PARAMETER):
        return _mocker_type(api, test, var)
    return None


def _rebinds_anywhere(test: FuncDef, name: str) -> bool:
    """Bindings the position scan does not follow: `match` captures, nested definitions."""
    for node in walk(test.body, {}):
        if isinstance(node, MatchStmt):
            return True
        if isinstance(node, (FuncDef, ClassDef)) and node.name == name:
            return True
    return False


def _mocker_type(api: CheckerPluginInterface, test: FuncDef, var: Var) -> Type | None:
    """pytest-mock's `MockerFixture`, where every read of `mocker` is `mocker.<member>` of a
    member the class has (so the typed class refuses nothing the test does)."""
    info = mocktypes.class_info(api, fullnames.MOCKER)
    if info is None:
        return None
    bases = set()
    for node in walk(test.body, {}):
        if isinstance(node, MemberExpr) and isinstance(node.expr, NameExpr) and node.expr.node is var:
            if info.get(node.name) is None:
                return None
            bases.add(id(node.expr))
    reads = [node for node in walk(test.body, {}) if isinstance(node, NameExpr) and node.node is var]
    if not reads or any(id(read) not in bases for read in reads):
        return None
    return Instance(info, [])
