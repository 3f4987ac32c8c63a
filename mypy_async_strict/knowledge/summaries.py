"""What a function does with its parameters: the summaries behind hand-offs.

A mock handed to the code under test (`UserService(session)`, `await process(repo)`) stays
certain when that code only reads, calls or awaits it: it stores no attribute on it, does not
configure it (`configure_mock`, `reset_mock`, `setattr`, `patch`), and passes it on only to code
that is summarized as well.  A summary also says what the code certainly does to the parameter
on every path from its entry: awaits `p.execute(...)`, enters `async with p.session()`,
iterates `async for r in p.stream()`; so a test that hands an unspecced `MagicMock()` to a
service whose method awaits one of its calls fails at run time, and the plugin can say so.

Summaries are syntactic (names resolved by semantic analysis, no types): they are computed the
same way from a module's tree in every mode, and for other modules they are recorded while
mypy checks the module (records.py), since mypy frees checked trees.  Paths are parameter
names followed by attribute names and `()` for a call's result (as in provenance.py).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Final, Optional, TypeVar, Union

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    AssertStmt,
    AssignmentStmt,
    AwaitExpr,
    Block,
    BreakStmt,
    CallExpr,
    ClassDef,
    ConditionalExpr,
    ContinueStmt,
    Decorator,
    DelStmt,
    DictionaryComprehension,
    Expression,
    ExpressionStmt,
    FakeInfo,
    ForStmt,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    IfStmt,
    IndexExpr,
    LambdaExpr,
    ListComprehension,
    ListExpr,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    OperatorAssignmentStmt,
    OpExpr,
    OverloadedFuncDef,
    RaiseStmt,
    RefExpr,
    ReturnStmt,
    SetComprehension,
    StarExpr,
    Statement,
    TryStmt,
    TupleExpr,
    TypeInfo,
    WhileStmt,
    WithStmt,
)

from mypy_async_strict import fullnames
from mypy_async_strict.knowledge.syntax import layout, nested_statements
from mypy_async_strict.knowledge.syntax import walk as _syntax_walk

CALL: Final = "()"
RECORD_KEY: Final = "summaries"
# Statements that may leave a block early: what follows them is not certainly reached.
EXITS: Final = (ReturnStmt, RaiseStmt, BreakStmt, ContinueStmt)
# Calls that only look at their arguments (or call them: calling a mock configures nothing).
READING_CALLS: Final = frozenset(
    {
        "builtins.print", "builtins.len", "builtins.repr", "builtins.str", "builtins.isinstance",
        "builtins.id", "builtins.hash", "builtins.bool", "builtins.callable", "builtins.hasattr",
        "builtins.type", "builtins.format", "builtins.int", "builtins.float",
        "asyncio.to_thread", "asyncio.threads.to_thread",
    }
)
Json = dict[str, Any]


@dataclass(frozen=True)
class Use:
    """`await p.x.y()`: the function awaits (enters, iterates) the object at `path`."""

    path: tuple[str, ...]  # parameter name first
    how: str  # "await", "with", "async with", "for", "async for"
    line: int
    certain: bool  # reached on every path from the function's entry


@dataclass(frozen=True)
class Pass:
    """The object at `path` passed on to another function (resolved by its fullname)."""

    path: tuple[str, ...]
    callee: str
    argument: Union[int, str]  # position, or keyword name


@dataclass
class Summary:
    params: tuple[str, ...]
    uses: list[Use] = field(default_factory=list)
    # Paths whose object the function may replace (`p.x = ...`, `del p.x`).
    replaced: set[tuple[str, ...]] = field(default_factory=set)
    # Paths whose object reaches code that may configure what lies below it (`configure_mock`,
    # `setattr`, passed to a callee that is not summarized, stored where others reach it).
    exposed: set[tuple[str, ...]] = field(default_factory=set)
    passes: list[Pass] = field(default_factory=list)
    # `self.attr = param`: (attribute path, parameter path, certainly run).
    stores: list[tuple[tuple[str, ...], tuple[str, ...], bool]] = field(default_factory=list)
    # Attributes of the instance the method binds, to anything, how often.
    rebinds: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> Json:
        return {
            "params": list(self.params),
            "uses": [[list(u.path), u.how, u.line, u.certain] for u in self.uses],
            "replaced": sorted(list(p) for p in self.replaced),
            "exposed": sorted(list(p) for p in self.exposed),
            "passes": [[list(p.path), p.callee, p.argument] for p in self.passes],
            "stores": [[list(a), list(b), c] for a, b, c in self.stores],
            "rebinds": self.rebinds,
        }

    @classmethod
    def from_json(cls, data: Json) -> Summary | None:
        try:
            return cls(
                tuple(data["params"]),
                [Use(tuple(p), str(h), int(line), bool(c)) for p, h, line, c in data["uses"]],
                {tuple(p) for p in data["replaced"]},
                {tuple(p) for p in data["exposed"]},
                [Pass(tuple(p), str(c), a) for p, c, a in data["passes"]],
                [(tuple(a), tuple(b), bool(c)) for a, b, c in data["stores"]],
                {str(k): int(v) for k, v in data["rebinds"].items()},
            )
        except (KeyError, TypeError, ValueError):
            return None  # recorded by another version of the plugin: unknown

    def changed(self, path: tuple[str, ...]) -> bool:
        """Whether the function may change what sits at `path`: it replaces the object at
        `path` or above it, or exposes an object above it to code that may."""
        if any(path[: len(replaced)] == replaced for replaced in self.replaced):
            return True
        return any(len(exposed) < len(path) and path[: len(exposed)] == exposed for exposed in self.exposed)


Resolver = Callable[[str], Optional[str]]

_T = TypeVar("_T")


class DecodedCache:
    """Objects decoded from JSON records, by the identity of the record (kept alive here, so
    that its id is not reused; records are never changed in place, only replaced).  Bounded,
    since the daemon lives long."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: OrderedDict[int, tuple[object, Any]] = OrderedDict()

    def get(self, data: object, decode: Callable[[Any], _T]) -> _T:
        entry = self._entries.get(id(data))
        if entry is not None and entry[0] is data:
            result: _T = entry[1]
            return result
        decoded = decode(data)
        self._entries[id(data)] = (data, decoded)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return decoded


_DECODED_SUMMARIES = DecodedCache()


def decoded_summary(data: Json) -> Summary | None:
    """`Summary.from_json(data)`, decoded once per record (summaries are only read)."""
    return _DECODED_SUMMARIES.get(data, Summary.from_json)


def summarize(
    func: FuncItem,
    layouts: dict[type, tuple[str, ...]] | None = None,
    method: bool | None = None,
    resolve: Resolver | None = None,
) -> Summary:
    """What `func` does with its parameters; `method` says whether its first parameter is the
    instance (by default, from the analyzed definition); `resolve` gives the fullname of a
    global dotted name where the body is not analyzed yet (names unresolved)."""
    walker = _Walker(
        func, layouts if layouts is not None else {}, _is_method(func) if method is None else method, resolve
    )
    walker.block(func.body, certain=True)
    return walker.summary


class _Walker:
    def __init__(
        self, func: FuncItem, layouts: dict[type, tuple[str, ...]], method: bool, resolve: Resolver | None
    ) -> None:
        self.resolve = resolve
        # By name: summaries are also taken from trees not yet semantically analyzed (a class's
        # methods, when its MRO is computed), where names are not resolved.
        self.params = {argument.variable.name: argument.variable.name for argument in func.arguments}
        # The first parameter of a method (`self`), whose attributes are the instance's.
        self.owner = func.arguments[0].variable.name if func.arguments and method else None
        self.summary = Summary(tuple(self.params.values()))
        self.aliases: dict[str, tuple[str, ...]] = {}  # local names bound to a parameter path
        self.assigned: dict[str, int] = {}  # how often each local name is bound
        self.layouts = layouts
        self._count_assignments(func)

    # -- statements ----------------------------------------------------------------------
    def block(self, block: Block, certain: bool) -> None:
        for statement in block.body:
            self.statement(statement, certain)
            if certain and _may_exit(statement, self.layouts):
                certain = False

    def statement(self, statement: Statement, certain: bool) -> None:
        if isinstance(statement, ExpressionStmt):
            self.expression(statement.expr, certain)
        elif isinstance(statement, AssignmentStmt):
            self.expression(statement.rvalue, certain)
            for lvalue in statement.lvalues:
                self.store(lvalue, statement.rvalue if len(statement.lvalues) == 1 else None, certain)
        elif isinstance(statement, OperatorAssignmentStmt):
            self.expression(statement.rvalue, certain)
            self.store(statement.lvalue, None, certain)
        elif isinstance(statement, DelStmt):
            self.store(statement.expr, None, certain)
        elif isinstance(statement, WithStmt):
            for item, target in zip(statement.expr, statement.target):
                self.expression(item, certain, how="async with" if statement.is_async else "with")
                if target is not None:
                    self.store(target, None, certain)
            self.block(statement.body, certain)
        elif isinstance(statement, ForStmt):
            self.expression(statement.expr, certain, how="async for" if statement.is_async else "for")
            self.store(statement.index, None, certain)
            self.block(statement.body, False)
            if statement.else_body is not None:
                self.block(statement.else_body, False)
        elif isinstance(statement, IfStmt):
            for condition, body in zip(statement.expr, statement.body):
                self.expression(condition, certain)
                certain = False  # later conditions run only if earlier ones are false
                self.block(body, False)
            if statement.else_body is not None:
                self.block(statement.else_body, False)
        elif isinstance(statement, WhileStmt):
            self.expression(statement.expr, certain)
            self.block(statement.body, False)
            if statement.else_body is not None:
                self.block(statement.else_body, False)
        elif isinstance(statement, TryStmt):
            self.block(statement.body, certain)
            for handler in statement.handlers:
                self.block(handler, False)
            if statement.else_body is not None:
                self.block(statement.else_body, False)
            if statement.finally_body is not None:
                self.block(statement.finally_body, False)
        elif isinstance(statement, (ReturnStmt, AssertStmt, RaiseStmt)):
            if statement.expr is not None:
                self.expression(statement.expr, certain)
        elif isinstance(statement, Block):
            self.block(statement, certain)
        else:
            self.unknown(statement)  # match, nested definitions, ...: read for changes only

    # -- expressions ---------------------------------------------------------------------
    def expression(self, expr: Expression, certain: bool, how: str | None = None) -> None:
        """Record uses and changes in `expr`; `how` is the statement that consumes it.  Parts
        evaluated only sometimes (the right of `and`/`or`, a conditional's branches, the
        body of a comprehension or lambda) make their uses uncertain."""
        if how is not None:
            path = self.path(expr)
            if path is not None:
                self.summary.uses.append(Use(path, how, expr.line, certain))
        self._visit(expr, certain)

    def _visit(self, node: object, certain: bool) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                self._visit(item, certain)
            return
        if not isinstance(node, Node):
            return
        if isinstance(node, (LambdaExpr, FuncItem)):
            self.unknown(node)
            return
        if isinstance(node, AwaitExpr):
            path = self.path(node.expr)
            if path is not None:
                self.summary.uses.append(Use(path, "await", node.line, certain))
        elif isinstance(node, CallExpr):
            self.call(node)
        elif isinstance(node, OpExpr) and node.op in ("and", "or"):
            self._visit(node.left, certain)
            self._visit(node.right, False)
            return
        elif isinstance(node, ConditionalExpr):
            self._visit(node.cond, certain)
            self._visit([node.if_expr, node.else_expr], False)
            return
        elif isinstance(node, (GeneratorExpr, ListComprehension, SetComprehension, DictionaryComprehension)):
            generator = node.generator if isinstance(node, (ListComprehension, SetComprehension)) else node
            self._visit(generator.sequences[:1], certain)
            self._visit([generator.sequences[1:], generator.condlists, _elements(generator)], False)
            return
        for attribute in layout(self.layouts, type(node)):
            child = getattr(node, attribute)
            if child is not None and not isinstance(child, (str, int, float)):
                self._visit(child, certain)

    def call(self, call: CallExpr) -> None:
        callee = call.callee
        if isinstance(callee, MemberExpr):
            base = self.path(callee.expr)
            if base is not None and callee.name in fullnames.CONFIGURING_METHODS:
                self.summary.exposed.add(base)
        callee_name = self.fullname_of(callee)
        if isinstance(callee, NameExpr) and callee_name == "builtins.setattr" and call.args:
            target = self.path(call.args[0])
            if target is not None:
                self.summary.exposed.add(target)
        for position, (kind, name, arg) in enumerate(zip(call.arg_kinds, call.arg_names, call.args)):
            path = self.path(arg)
            if path is None:
                continue
            fullname = callee_name
            if fullname in READING_CALLS:
                continue
            if fullname and kind in (ARG_POS, ARG_NAMED) and _callable_by_name(fullname):
                argument: Union[int, str] = position if kind == ARG_POS else str(name)
                self.summary.passes.append(Pass(path, fullname, argument))
            else:
                self.summary.exposed.add(path)  # code the plugin cannot follow may configure it

    def store(self, target: Expression, value: Expression | None, certain: bool) -> None:
        """An assignment target: a change when it lies on a parameter's path; `self.x = p`
        (and local aliases of parameter paths) are followed."""
        if isinstance(target, NameExpr):
            source = self.path(value) if value is not None else None
            if source is not None and self.assigned.get(target.name, 0) == 1:
                self.aliases[target.name] = source
            return
        if isinstance(target, (MemberExpr, IndexExpr)):
            base = target.expr if isinstance(target, MemberExpr) else target.base
            where = self.path(base)
            source = self.path(value) if value is not None else None
            if where is not None:
                attribute = (target.name,) if isinstance(target, MemberExpr) else ("[]",)
                if attribute in (("return_value",), ("side_effect",)):
                    attribute = (CALL,)  # what calls give, as `m.x.return_value` in paths
                if where == (self.owner,) and isinstance(target, MemberExpr):
                    # The instance's own attribute: rebinding it configures no mock; storing a
                    # parameter there makes the attribute an alias of it.
                    self.summary.rebinds[target.name] = self.summary.rebinds.get(target.name, 0) + 1
                    if source is not None:
                        self.summary.stores.append((where + attribute, source, certain))
                else:
                    self.summary.replaced.add(where + attribute)
            elif source is not None:
                self.summary.exposed.add(source)  # stored where other code can reach it
            return
        for node in _walk(target, self.layouts):  # tuples, starred targets
            if isinstance(node, (NameExpr, MemberExpr, IndexExpr)) and node is not target:
                self.store(node, None, certain)

    def unknown(self, node: Node) -> None:
        """Code that may run at any time (a nested function, a match): its changes count,
        its uses are not certain."""
        for inner in _walk(node, self.layouts):
            if isinstance(inner, AssignmentStmt):
                for lvalue in inner.lvalues:
                    self.store(lvalue, inner.rvalue if len(inner.lvalues) == 1 else None, False)
            elif isinstance(inner, CallExpr):
                self.call(inner)
            elif isinstance(inner, DelStmt):
                self.store(inner.expr, None, False)

    def fullname_of(self, callee: Expression) -> str | None:
        """The callee's fullname: from semantic analysis, or (before it) from the names the
        module binds, for a dotted name whose root is not local."""
        if isinstance(callee, RefExpr) and callee.fullname:
            return callee.fullname
        dotted = _dotted(callee)
        if dotted is None or self.resolve is None:
            return None
        root = dotted.split(".", 1)[0]
        if root in self.params or root in self.assigned or root in self.aliases:
            return None
        return self.resolve(dotted)

    def path(self, expr: Expression | None) -> tuple[str, ...] | None:
        """The parameter path `expr` denotes (`self.db.execute()` -> ("self", "db", "execute",
        "()")), or None."""
        if isinstance(expr, NameExpr):
            name = self.params.get(expr.name)
            if name is not None and self.assigned.get(name, 0) == 0:
                return (name,)  # (a parameter rebound in the body is no longer the argument)
            return self.aliases.get(expr.name)
        if isinstance(expr, MemberExpr):
            base = self.path(expr.expr)
            return base + (CALL if expr.name == "return_value" else expr.name,) if base is not None else None
        if isinstance(expr, CallExpr):
            base = self.path(expr.callee)
            return base + (CALL,) if base is not None else None
        if isinstance(expr, AwaitExpr):
            return self.path(expr.expr)
        return None

    def _count_assignments(self, func: FuncItem) -> None:
        for node in _local_statements(func.body.body):
            if isinstance(node, AssignmentStmt):
                targets: list[Expression] = list(node.lvalues)
            elif isinstance(node, ForStmt):
                targets = [node.index, node.index]  # bound once per iteration
            elif isinstance(node, WithStmt):
                targets = [t for t in node.target if t is not None] * 2
            elif isinstance(node, (OperatorAssignmentStmt, DelStmt)):
                targets = [node.lvalue if isinstance(node, OperatorAssignmentStmt) else node.expr] * 2
            else:
                continue
            for target in targets:
                for name in _bound_names(target):
                    self.assigned[name] = self.assigned.get(name, 0) + 1


def _bound_names(target: Expression) -> list[str]:
    """The local names an assignment target binds (`a`, `a, *b`; not `a.x` or `a[i]`)."""
    if isinstance(target, NameExpr):
        return [target.name]
    if isinstance(target, (TupleExpr, ListExpr)):
        return [name for item in target.items for name in _bound_names(item)]
    if isinstance(target, StarExpr):
        return _bound_names(target.expr)
    return []


def _is_method(func: FuncItem) -> bool:
    return isinstance(func, FuncDef) and not isinstance(func.info, FakeInfo) and not func.is_static


def _callable_by_name(fullname: str | None) -> bool:
    """A function or class named directly (its summary can be found by fullname)."""
    return fullname is not None and "." in fullname


def _dotted(expr: Expression) -> str | None:
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, MemberExpr):
        base = _dotted(expr.expr)
        return f"{base}.{expr.name}" if base is not None else None
    return None


def module_resolver(module: MypyFile, modules: dict[str, MypyFile]) -> Resolver:
    """Global dotted names as the module binds them so far (read only: no lookup that could
    make mypy defer), then builtins."""

    def resolve(dotted: str) -> str | None:
        root, *rest = dotted.split(".")
        symbol = module.names.get(root)
        if symbol is None:
            builtins = modules.get("builtins")
            symbol = builtins.names.get(root) if builtins is not None else None
        node: object = symbol.node if symbol is not None else None
        for part in rest:
            names = node.names if isinstance(node, (MypyFile, TypeInfo)) else None
            inner = names.get(part) if names is not None else None
            node = inner.node if inner is not None else None
        fullname = getattr(node, "fullname", None) if isinstance(node, (MypyFile, TypeInfo, FuncDef, Decorator, OverloadedFuncDef)) else None
        return fullname if isinstance(fullname, str) and fullname else None

    return resolve


def _elements(generator: GeneratorExpr | DictionaryComprehension) -> list[Expression | None]:
    if isinstance(generator, DictionaryComprehension):
        return [generator.key, generator.value]
    return [generator.left_expr]


def _may_exit(statement: Statement, layouts: dict[type, tuple[str, ...]]) -> bool:
    """Whether the statement may leave its block early (a return, raise, break or continue
    anywhere in it, outside nested functions and `for` loops), or is a match/loop whose body may
    not run.  (As the generic walk that stops at functions and loops finds them: the statement
    itself is entered even when it is a `for` loop or a function.)"""
    if isinstance(statement, EXITS) or isinstance(statement, MatchStmt):
        return True
    start = nested_statements(statement) if isinstance(statement, (ForStmt, FuncDef)) else [statement]
    return any(isinstance(node, EXITS) for node in _local_statements(start))


def _local_statements(body: list[Statement]) -> list[Statement]:
    """The statements `_walk(body, into_functions=False)` finds: nested statements, but not
    those of a nested function or `for` loop (which are found themselves, not entered)."""
    found: list[Statement] = []
    pending = list(body)
    while pending:
        statement = pending.pop()
        found.append(statement)
        if isinstance(statement, (ForStmt, FuncDef)):
            continue
        if isinstance(statement, Decorator):
            found.append(statement.func)
            continue
        pending.extend(nested_statements(statement))
    return found


def _walk(root: object, layouts: dict[type, tuple[str, ...]], into_functions: bool = True) -> list[Node]:
    """Every node below `root`, `root` included (nested functions not entered, unless asked)."""
    if into_functions:
        return _syntax_walk(root, layouts)
    return [node for node in _syntax_walk(root, layouts, stop_at_functions=True)]


class SummaryIndex:
    """Summaries by function, per plugin instance.  A method's comes from its class's metadata
    (recorded from the class's source when mypy analyzed it: specs/classfacts.py), so it is
    the same in every mode; a module-level function's only from the module being checked
    (mypy keeps no record of other modules' function bodies the plugin could read in time).
    Bounded, since the daemon lives long."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._computed: OrderedDict[int, tuple[object, Summary]] = OrderedDict()
        self._layouts: dict[type, tuple[str, ...]] = {}

    def of_function(self, func: FuncDef, current: MypyFile | None) -> Summary | None:
        """`func`'s summary, where it can be known in every mode."""
        if not isinstance(func.info, FakeInfo):
            entry = recorded_methods(func.info).get(func.name)
            return decoded_summary(entry) if isinstance(entry, dict) else None
        if current is None or not func.fullname.startswith(current.fullname + "."):
            return None
        cached = self._computed.get(id(func))
        if cached is not None and cached[0] is func.body:
            return cached[1]
        summary = summarize(func, self._layouts, method=False)
        self._computed[id(func)] = (func.body, summary)
        if len(self._computed) > self._size:
            self._computed.popitem(last=False)
        return summary


METHODS_KEY: Final = "methods"
FACTS_KEY: Final = "mypy_async_strict"


def method_summaries(
    defn: ClassDef, layouts: dict[type, tuple[str, ...]], resolve: Resolver | None = None
) -> dict[str, Json]:
    """What each method in a class body does with its parameters (for the class's metadata)."""
    found: dict[str, Json] = {}
    for statement in defn.defs.body:
        func: object = statement.func if isinstance(statement, Decorator) else statement
        if isinstance(statement, OverloadedFuncDef):
            impl = statement.impl
            func = impl.func if isinstance(impl, Decorator) else impl
        if not isinstance(func, FuncDef) or not func.body.body:
            continue  # (mypy had not read the body yet: unknown, not "does nothing")
        static = isinstance(statement, Decorator) and any(
            isinstance(d, NameExpr) and d.name == "staticmethod" for d in statement.decorators
        )
        found[func.name] = summarize(func, layouts, method=not static, resolve=resolve).to_json()
    return found


def recorded_methods(info: TypeInfo) -> dict[str, Json]:
    data = info.metadata.get(FACTS_KEY)
    methods = data.get(METHODS_KEY) if isinstance(data, dict) else None
    return methods if isinstance(methods, dict) else {}
