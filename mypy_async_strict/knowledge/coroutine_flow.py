"""Where a coroutine goes within the function that makes it: def-use, never guessed.

A coroutine is run only by being awaited, or by being handed to something that awaits or
schedules it (`asyncio.gather`, `create_task`, a helper, a `return`).  This module follows the
value of one expression through its own function only: into local variables bound once, into
containers built there (displays, comprehensions, `append`), through `list(...)`; and it says
whether every place the value ends up certainly runs nothing (a `Sink`), or whether some place
may run it (`None`: unknown code, an `await`, a loop over the container, anything else).

What counts as running nothing: formatting it (`str`, `repr`, `format`, f-strings, `%`,
`.format`), printing it, logging it (the `logging` module's functions and `Logger` methods,
resolved by type), `json.dumps`; taking its truth value (`bool`, `any`, `all`, conditions);
comparing it; counting a container of coroutines (`len`); and dropping it (a local that is never
read, a container that is discarded).  A local counts only when the function binds it once, no
nested function reads it, and the function does not reach its frame (`locals()`, `vars()`,
`eval`, `exec`).

mypy's own syntax traversers are compiled and cannot be subclassed: the walk here reads each
node's child attributes (knowledge/syntax.py), plus the element of a generator expression.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR,
    AssertStmt,
    AssignmentStmt,
    CallExpr,
    ClassDef,
    ComparisonExpr,
    ConditionalExpr,
    Decorator,
    DelStmt,
    DictExpr,
    DictionaryComprehension,
    Expression,
    ExpressionStmt,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    GlobalDecl,
    IfStmt,
    ListComprehension,
    ListExpr,
    MemberExpr,
    NameExpr,
    Node,
    NonlocalDecl,
    OpExpr,
    RefExpr,
    SetComprehension,
    SetExpr,
    StrExpr,
    TupleExpr,
    UnaryExpr,
    Var,
    WhileStmt,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import CallableType, Instance, Type, get_proper_type

from mypy_async_strict.knowledge.syntax import CHILD_ATTRIBUTES

MAX_DEPTH: Final = 12
# Attributes holding children, as knowledge/syntax.py, plus a generator expression's element.
FLOW_ATTRIBUTES: Final = CHILD_ATTRIBUTES + ("left_expr",)

# Calls whose positional arguments are turned into text (or raise) and never run.
FORMATTING_CALLS: Final = {
    "builtins.print": "passed to print()",
    "builtins.str": "passed to str()",
    "builtins.repr": "passed to repr()",
    "builtins.ascii": "passed to ascii()",
    "builtins.format": "passed to format()",
}
SERIALIZING_CALLS: Final = {
    "json.dumps": "serialized by json.dumps()",
    "json.dump": "serialized by json.dump()",
}
# Keywords with which serializing may call back into code (which might keep the value).
SERIALIZER_HOOKS: Final = frozenset({"default", "cls"})
LOGGING_METHODS: Final = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
LOGGER_CLASSES: Final = ("logging.Logger", "logging.LoggerAdapter")
LOGGER_FACTORIES: Final = frozenset({"logging.getLogger"})
# Calls that copy a container's items into a new container of the same items.
COPYING_CALLS: Final = frozenset({"builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset"})
TRUTH_OF_ITEMS: Final = frozenset({"builtins.any", "builtins.all"})
# Methods of a local container that put items in and give nothing out.
FILLING_METHODS: Final = frozenset({"append", "add", "insert", "extend", "update"})
# Calls that reach the function's frame: every local may be read.
FRAME_READERS: Final = frozenset(
    {"builtins.locals", "builtins.vars", "builtins.eval", "builtins.exec", "sys._getframe", "inspect.currentframe"}
)
CONTAINER_CALLS: Final = frozenset({"builtins.list", "builtins.set", "builtins.dict"})
# (node class, attribute) of the places that bind a name.
BINDING_SLOTS: Final = frozenset(
    {
        ("AssignmentStmt", "lvalues"),
        ("OperatorAssignmentStmt", "lvalue"),
        ("ForStmt", "index"),
        ("GeneratorExpr", "indices"),
        ("DictionaryComprehension", "indices"),
        ("WithStmt", "target"),
        ("AssignmentExpr", "target"),
        ("TryStmt", "vars"),
    }
)


class Sink(enum.Enum):
    """A place that runs nothing: what happens to the value there."""

    DROPPED = "dropped"
    TRUTH = "truth"
    COMPARED = "compared"
    FORMATTED = "formatted"
    COUNTED = "counted"


@dataclass(frozen=True)
class Found:
    """One place the value ends up: what happens there, and the local that holds it then."""

    sink: Sink
    phrase: str  # "compared", "passed to print()", "never read", ...
    holder: str | None = None  # the variable read there (None: the expression itself)


@dataclass(frozen=True)
class Fate:
    """Every place the value ends up, each a sink."""

    places: tuple[Found, ...]

    @property
    def kinds(self) -> frozenset[Sink]:
        return frozenset(place.sink for place in self.places)

    def describe(self, several: bool) -> str:
        """`"x" is only compared and passed to print()`, `they are only counted by len()`."""
        by_holder: dict[str | None, list[Found]] = {}
        for place in self.places:
            by_holder.setdefault(place.holder, []).append(place)
        clauses = []
        for holder, places in by_holder.items():
            who = f'"{holder}" is' if holder is not None else ("they are" if several else "it is")
            only = list(dict.fromkeys(p.phrase for p in places if p.sink is not Sink.DROPPED))
            dropped = list(dict.fromkeys(p.phrase for p in places if p.sink is Sink.DROPPED))
            if only:
                clauses.append(f"{who} only {' and '.join(only)}")
            clauses.extend(f"{who} {phrase}" for phrase in dropped)
        return "; ".join(clauses)


class Mode(enum.Enum):
    VALUE = "value"  # the expression is the coroutine
    CONTAINER = "container"  # a list, tuple, set or dict holding coroutines (all made already)
    LAZY = "lazy"  # a generator or map object that makes coroutines as it is consumed


Parent = tuple[Node, str]


@dataclass
class FlowIndex:
    """Parents of every node of one function, and how each local variable is bound and read."""

    scope: FuncItem
    parents: dict[int, Parent] = field(default_factory=dict)
    bindings: dict[Var, int] = field(default_factory=dict)
    reads: dict[Var, list[NameExpr]] = field(default_factory=dict)
    values: dict[Var, Expression] = field(default_factory=dict)  # the single assigned value
    captured: set[Var] = field(default_factory=set)  # read or bound inside a nested scope
    shared: set[str] = field(default_factory=set)  # names declared global/nonlocal here
    nested: set[int] = field(default_factory=set)  # ids of nodes inside nested functions/classes
    opaque: bool = False  # the frame is reachable (locals(), eval, ...)


def _children(node: Node, layouts: dict[type, tuple[str, ...]]) -> list[tuple[str, Node]]:
    attributes = layouts.get(type(node))
    if attributes is None:
        attributes = tuple(a for a in FLOW_ATTRIBUTES if hasattr(type(node), a))
        layouts[type(node)] = attributes
    found: list[tuple[str, Node]] = []
    for attribute in attributes:
        value = getattr(node, attribute, None)
        pending: list[object] = [value]
        while pending:
            item = pending.pop()
            if isinstance(item, (list, tuple)):
                pending.extend(reversed(item))
            elif isinstance(item, Node):
                found.append((attribute, item))
    return found


def build_index(scope: FuncItem, layouts: dict[type, tuple[str, ...]]) -> FlowIndex:
    index = FlowIndex(scope)
    parameters = {argument.variable for argument in scope.arguments}
    for var in parameters:
        index.bindings[var] = index.bindings.get(var, 0) + 1
    # (node, depth below the scope's own body)
    pending: list[tuple[Node, int]] = [(scope, 0)]
    while pending:
        node, depth = pending.pop()
        inner = depth
        if node is not scope and isinstance(node, (FuncItem, ClassDef)):
            inner = depth + 1
        if inner:
            index.nested.add(id(node))
        _note(index, node, inner)
        for attribute, child in _children(node, _LAYOUTS):
            if node is scope and attribute == "arguments":
                continue  # defaults are evaluated where the function is defined
            index.parents[id(child)] = (node, attribute)
            pending.append((child, inner))
    return index


def _note(index: FlowIndex, node: Node, depth: int) -> None:
    if isinstance(node, (GlobalDecl, NonlocalDecl)):
        if depth == 0:
            index.shared.update(node.names)
        return
    if isinstance(node, RefExpr) and node.fullname in FRAME_READERS:
        index.opaque = True
    if type(node).__name__ == "MatchStmt":
        index.opaque = True  # capture patterns bind names in ways not counted here
    if not isinstance(node, NameExpr) or not isinstance(node.node, Var):
        return
    var = node.node
    if depth:
        index.captured.add(var)
        return
    if _is_binding(index, node):
        index.bindings[var] = index.bindings.get(var, 0) + 1
        value = _assigned_value(index, node)
        if value is not None:
            index.values[var] = value
    elif not _is_deletion(index, node):
        index.reads.setdefault(var, []).append(node)


def _is_binding(index: FlowIndex, name: NameExpr) -> bool:
    """Whether this occurrence stores into the name (possibly inside a tuple target)."""
    node: Node = name
    for _ in range(MAX_DEPTH):
        parent = index.parents.get(id(node))
        if parent is None:
            return False
        owner, attribute = parent
        if (type(owner).__name__, attribute) in BINDING_SLOTS:
            return True
        if isinstance(owner, (TupleExpr, ListExpr)) or type(owner).__name__ == "StarExpr":
            node = owner  # a target may be nested in tuples, lists and stars
            continue
        return False
    return False


def _assigned_value(index: FlowIndex, name: NameExpr) -> Expression | None:
    parent = index.parents.get(id(name))
    if parent is None:
        return None
    owner, attribute = parent
    if isinstance(owner, AssignmentStmt) and attribute == "lvalues" and len(owner.lvalues) == 1:
        return owner.rvalue
    return None


def _is_deletion(index: FlowIndex, name: NameExpr) -> bool:
    parent = index.parents.get(id(name))
    return parent is not None and isinstance(parent[0], DelStmt)


_LAYOUTS: dict[type, tuple[str, ...]] = {}


class FlowCache:
    """Indexes per function; bounded, since the daemon lives long.  The daemon merges a re-parsed
    module into the old nodes (the FuncDef keeps its identity but gets a new body), so the key
    holds the body too."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, int], tuple[object, FlowIndex]] = OrderedDict()

    def index(self, scope: FuncItem) -> FlowIndex:
        key = (id(scope), id(scope.body))
        cached = self._entries.get(key)
        if cached is not None and cached[0] is scope.body and cached[1].scope is scope:
            self._entries.move_to_end(key)
            return cached[1]
        found = build_index(scope, _LAYOUTS)
        self._entries[key] = (scope.body, found)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return found


FLOWS: Final = FlowCache()


class _Flow:
    """Follows one value through one function."""

    def __init__(self, api: CheckerPluginInterface, index: FlowIndex) -> None:
        self.api = api
        self.index = index

    def fate(self, expr: Expression, mode: Mode, depth: int = 0) -> Fate | None:
        """Where the value of `expr` goes: a Fate when every place is a sink, else None."""
        if depth > MAX_DEPTH or self.index.opaque or id(expr) in self.index.nested:
            return None
        parent = self.index.parents.get(id(expr))
        if parent is None:
            return None
        owner, attribute = parent
        if isinstance(owner, ExpressionStmt):
            if mode is Mode.CONTAINER:
                return _sink(Sink.DROPPED, "discarded", mode)
            return None  # a dropped coroutine is mypy's `unused-coroutine`; a generator runs nothing
        if isinstance(owner, AssignmentStmt) and attribute == "rvalue":
            return self._assigned(owner, mode, depth)
        if isinstance(owner, CallExpr) and attribute == "args":
            return self._argument(owner, expr, mode, depth)
        if isinstance(owner, (TupleExpr, ListExpr, SetExpr)) and attribute == "items":
            if mode is Mode.LAZY:
                return None
            return self.fate(owner, Mode.CONTAINER, depth + 1)
        if isinstance(owner, DictExpr) and attribute == "items":
            if mode is Mode.LAZY or any(key is expr for key, _ in owner.items):
                return None
            return self.fate(owner, Mode.CONTAINER, depth + 1)
        if isinstance(owner, GeneratorExpr) and attribute == "left_expr" and mode is Mode.VALUE:
            return self._generated(owner, depth)
        if isinstance(owner, DictionaryComprehension) and attribute == "value" and mode is Mode.VALUE:
            return self.fate(owner, Mode.CONTAINER, depth + 1)
        if isinstance(owner, OpExpr):
            return self._operand(owner, expr, mode, depth)
        if isinstance(owner, ConditionalExpr):
            if attribute == "cond":
                return self._tested(mode)
            return self.fate(owner, mode, depth + 1)
        if isinstance(owner, UnaryExpr) and owner.op == "not":
            return self._tested(mode)
        if isinstance(owner, ComparisonExpr) and mode is not Mode.LAZY:
            return _sink(Sink.COMPARED, "compared", mode)
        if isinstance(owner, (IfStmt, WhileStmt, AssertStmt)) and attribute == "expr":
            return self._tested(mode)
        if isinstance(owner, GeneratorExpr) and attribute == "condlists":
            return self._tested(mode)
        return None  # awaited, returned, yielded, iterated, stored, indexed, ...: may run

    def _tested(self, mode: Mode) -> Fate | None:
        if mode is Mode.VALUE:
            return _sink(Sink.TRUTH, "tested for truth (a coroutine is always true)", mode)
        if mode is Mode.CONTAINER:
            return _sink(Sink.COUNTED, "checked for emptiness", mode)
        return None

    def _generated(self, generator: GeneratorExpr, depth: int) -> Fate | None:
        parent = self.index.parents.get(id(generator))
        if parent is not None and isinstance(parent[0], (ListComprehension, SetComprehension)):
            return self.fate(parent[0], Mode.CONTAINER, depth + 1)
        return self.fate(generator, Mode.LAZY, depth + 1)

    def _operand(self, op: OpExpr, expr: Expression, mode: Mode, depth: int) -> Fate | None:
        if op.op == "%" and op.right is expr and isinstance(op.left, StrExpr) and mode is not Mode.LAZY:
            return _sink(Sink.FORMATTED, "formatted into a string", mode)
        if op.op == "and" and op.left is expr:
            return self._tested(mode)
        if op.op in ("and", "or"):
            return self.fate(op, mode, depth + 1)  # the value of `a or b` is one of the operands
        return None  # other operators raise TypeError (mypy reports them)

    def _assigned(self, statement: AssignmentStmt, mode: Mode, depth: int) -> Fate | None:
        if len(statement.lvalues) != 1:
            return None
        target = statement.lvalues[0]
        if not isinstance(target, NameExpr) or not isinstance(target.node, Var):
            return None  # an attribute, an item, a tuple: stored where the plugin does not follow
        var = target.node
        if not self._followable(var):
            return None
        return self._reads(var, mode, depth)

    def _followable(self, var: Var) -> bool:
        """A local of this function, bound here once, seen by no other scope."""
        return (
            "." not in var.fullname
            and self.index.bindings.get(var) == 1
            and var not in self.index.captured
            and var.name not in self.index.shared
            and var in self.index.values
        )

    def _reads(self, var: Var, mode: Mode, depth: int) -> Fate | None:
        places: list[Found] = []
        for read in self.index.reads.get(var, []):
            if mode is not Mode.VALUE and self._fills(read):
                continue  # `tasks.append(...)`: puts items in, takes nothing out
            found = self.fate(read, mode, depth + 1)
            if found is None:
                return None
            places.extend(place if place.holder is not None else Found(place.sink, place.phrase, var.name) for place in found.places)
        if not places:
            if mode is Mode.LAZY:
                return None  # an unconsumed generator makes nothing
            return Fate((Found(Sink.DROPPED, "never read", var.name),))
        return Fate(tuple(places))

    def _fills(self, read: NameExpr) -> bool:
        parent = self.index.parents.get(id(read))
        if parent is None or not isinstance(parent[0], MemberExpr) or parent[0].name not in FILLING_METHODS:
            return False
        call = self.index.parents.get(id(parent[0]))
        return call is not None and isinstance(call[0], CallExpr) and call[1] == "callee"

    def _argument(self, call: CallExpr, expr: Expression, mode: Mode, depth: int) -> Fate | None:
        position = next(i for i, arg in enumerate(call.args) if arg is expr)
        kind = call.arg_kinds[position]
        callee = call.callee
        fullname = callee.fullname if isinstance(callee, RefExpr) else None
        if kind == ARG_NAMED and _is_str_format(callee) and mode is not Mode.LAZY:
            return _sink(Sink.FORMATTED, "formatted into a string", mode)
        if kind == ARG_STAR:
            # `print(*coros)` prints each item; `gather(*coros)` runs them.
            text = self._text_sink(call, fullname, position) if mode is not Mode.VALUE else None
            return _sink(Sink.FORMATTED, text, mode) if text is not None else None
        if kind != ARG_POS:
            return None
        if mode is Mode.LAZY:
            if fullname in COPYING_CALLS and len(call.args) == 1:
                return self.fate(call, Mode.CONTAINER, depth + 1)
            if fullname in TRUTH_OF_ITEMS:
                return _sink(Sink.TRUTH, f"tested for truth by {_short(fullname)}() (a coroutine is always true)", mode)
            return None  # consumed by code that may run them, or not consumed at all
        text = self._text_sink(call, fullname, position)
        if text is not None:
            return _sink(Sink.FORMATTED, text, mode)
        if mode is Mode.VALUE:
            if fullname == "builtins.bool":
                return _sink(Sink.TRUTH, "passed to bool() (a coroutine is always true)", mode)
            return self._filled_into(call, depth)
        # A container of coroutines.
        if fullname == "builtins.len":
            return _sink(Sink.COUNTED, "counted by len()", mode)
        if fullname == "builtins.bool":
            return _sink(Sink.COUNTED, "checked for emptiness", mode)
        if fullname in TRUTH_OF_ITEMS:
            return _sink(Sink.TRUTH, f"tested for truth by {_short(fullname)}() (a coroutine is always true)", mode)
        if fullname in COPYING_CALLS and len(call.args) == 1:
            return self.fate(call, Mode.CONTAINER, depth + 1)
        return self._filled_into(call, depth)

    def _filled_into(self, call: CallExpr, depth: int) -> Fate | None:
        """`tasks.append(coro)`: the value joins a local container whose fate is followed."""
        callee = call.callee
        if not isinstance(callee, MemberExpr) or callee.name not in FILLING_METHODS:
            return None
        owner = callee.expr
        if not isinstance(owner, NameExpr) or not isinstance(owner.node, Var):
            return None
        var = owner.node
        if not self._followable(var) or not _is_fresh_container(self.index.values[var]):
            return None
        return self._reads(var, Mode.CONTAINER, depth + 1)

    def _text_sink(self, call: CallExpr, fullname: str | None, position: int) -> str | None:
        """What a call that turns its positional arguments into text does, or None."""
        if fullname in FORMATTING_CALLS:
            if fullname == "builtins.str" and len(call.args) != 1:
                return None
            return FORMATTING_CALLS[fullname]
        if fullname in SERIALIZING_CALLS:
            if position != 0 or any(name in SERIALIZER_HOOKS for name in call.arg_names):
                return None
            return SERIALIZING_CALLS[fullname]
        if _is_str_format(call.callee):
            return "formatted into a string"
        if self._is_logging(call, fullname, position):
            return "logged"
        return None

    def _is_logging(self, call: CallExpr, fullname: str | None, position: int) -> bool:
        callee = call.callee
        if not isinstance(callee, MemberExpr) or callee.name not in LOGGING_METHODS:
            return False
        if callee.name == "log" and position == 0:
            return False  # the level
        if fullname is not None and fullname == f"logging.{callee.name}":
            return True  # the module's own functions
        owner = _static_type(self.api, callee.expr)
        proper = get_proper_type(owner) if owner is not None else None
        return isinstance(proper, Instance) and any(proper.type.has_base(name) for name in LOGGER_CLASSES)


def _sink(sink: Sink, phrase: str, mode: Mode) -> Fate:
    return Fate((Found(sink, phrase),))


def _short(fullname: str | None) -> str:
    return (fullname or "").rpartition(".")[2]


def _is_str_format(callee: Expression) -> bool:
    """`"...".format(...)`, which is also what mypy makes of an f-string's fields."""
    return isinstance(callee, MemberExpr) and callee.name == "format" and isinstance(callee.expr, StrExpr)


def _is_fresh_container(value: Expression) -> bool:
    """A container made right there: a display, a comprehension, `list()`/`set()`/`dict()`."""
    if isinstance(value, (ListExpr, SetExpr, DictExpr, ListComprehension, SetComprehension, DictionaryComprehension)):
        return True
    if isinstance(value, CallExpr) and isinstance(value.callee, RefExpr):
        return value.callee.fullname in CONTAINER_CALLS and not value.args
    return False


def _static_type(api: CheckerPluginInterface, expr: Expression) -> Type | None:
    """The type of a receiver that may not be checked yet (it may occur after the hook's line):
    the type map's, a variable's declared or inferred type, or a named function's return."""
    lookup = getattr(api, "lookup_type_or_none", None)
    found = lookup(expr) if lookup is not None else None
    if isinstance(found, Type):
        return found
    if isinstance(expr, RefExpr) and isinstance(expr.node, Var):
        return expr.node.type
    if isinstance(expr, CallExpr) and isinstance(expr.callee, RefExpr):
        node = expr.callee.node
        if isinstance(node, Decorator):
            return None
        if isinstance(node, FuncDef) and expr.callee.fullname in LOGGER_FACTORIES:
            signature = get_proper_type(node.type)
            return signature.ret_type if isinstance(signature, CallableType) else None
    return None


def made_repeatedly(scope: FuncItem, expr: Expression) -> bool:
    """Whether `expr` runs once per item or iteration: a comprehension's element, a loop's body."""
    index = FLOWS.index(scope)
    node: Node = expr
    for _ in range(64):
        parent = index.parents.get(id(node))
        if parent is None:
            return False
        owner, attribute = parent
        if isinstance(owner, GeneratorExpr) and attribute == "left_expr":
            return True
        if isinstance(owner, DictionaryComprehension) and attribute in ("key", "value"):
            return True
        if type(owner).__name__ in ("ForStmt", "WhileStmt") and attribute == "body":
            return True
        if owner is scope:
            return False
        node = owner
    return False


def fate_of(api: CheckerPluginInterface, scope: FuncItem, expr: Expression, mode: Mode) -> Fate | None:
    """The fate of the value of `expr` (made in `scope`, its innermost function)."""
    index = FLOWS.index(scope)
    return _Flow(api, index).fate(expr, mode)
