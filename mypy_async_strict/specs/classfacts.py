"""What a class's source says about its run-time attributes, recorded while mypy analyzes it.

`mock-spec` may call an attribute missing only if `dir(cls)` certainly lacks it.  The class body
and its module decide that: a body that runs code (a loop, a call), a decorator that may add
attributes, or a store after the body (`Cls.name = ...`, `setattr(Cls, ...)`, `cls.name = ...`
in a classmethod).  But mypy frees a module's syntax trees once it is checked, and a class
loaded from the cache has no body at all; so these facts are recorded in the class's metadata
when mypy semantically analyzes the class (the customize-MRO hook runs for every class), and
mypy's cache keeps them.  No metadata means nothing is known.

The daemon needs one more thing.  It re-checks a test only when a trigger it depends on fires
(see knowledge/dependencies.py), and triggers come from comparing snapshots of symbol tables:
metadata is not in them, and neither is `async` on a method without annotations (mypy compares
the declared signature, and an unannotated one has none).  So each source class also gets a
private attribute (FACTS_NAME, marked plugin-generated, so the daemon drops and remakes it with
the class) typed as a literal digest of its facts and of its methods' kinds: when they change,
the class's snapshot changes and `<module.Class[wildcard]>` fires.  The name is private
(`__x`), which mypy leaves out of override and multiple-inheritance checks and of enum members;
protocols get none (it would become a protocol member), nor classes of installed libraries.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final, Sequence

from mypy.nodes import (
    MDEF,
    AssignmentStmt,
    CallExpr,
    ClassDef,
    Decorator,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    FuncItem,
    Import,
    ImportFrom,
    IndexExpr,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    OverloadedFuncDef,
    PassStmt,
    ReturnStmt,
    StrExpr,
    Statement,
    SymbolTableNode,
    TupleExpr,
    TypeInfo,
    Var,
)
from mypy.plugin import ClassDefContext
from mypy.server.subexpr import get_subexpressions
from mypy.types import LiteralType

from mypy_async_strict.knowledge.summaries import METHODS_KEY, Resolver, method_summaries, module_resolver
from mypy_async_strict.knowledge.syntax import (
    Layouts,
    all_statements,
    header_expressions,
    nested_statements,
)
from mypy_async_strict.knowledge.syntax import walk as _walk
from mypy_async_strict.render import dotted_name
from mypy_async_strict.safety import quietly

METADATA_KEY: Final = "mypy_async_strict"
FACTS_NAME: Final = "__mypy_async_strict_facts"  # the digest attribute (private: `__x`)
PROTOCOLS: Final = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
ANY_NAME: Final = "*"  # `setattr(Cls, name, ...)` with a computed name
ANY_CLASS: Final = "<any class>"  # the owner of stores that may reach any class of the module
AENTER_RETURNS_SELF: Final = "aenter_returns_self"
# Methods decorated with only `@asynccontextmanager` / `@contextmanager` (by the decorator's
# fullname): a Decorator loaded from mypy's cache has lost its decorator expressions.
CONTEXT_MANAGERS_KEY: Final = "context_managers"
CONTEXT_MANAGER_DECORATORS: Final = frozenset({"contextlib.asynccontextmanager", "contextlib.contextmanager"})

# Class-body statements that only declare (anything else may create names dynamically, an `if`
# too: `if not TYPE_CHECKING: def legacy(self): ...` is invisible to mypy).
DECLARATIONS: Final = (
    AssignmentStmt,
    ClassDef,
    Decorator,
    FuncDef,
    Import,
    ImportFrom,
    OverloadedFuncDef,
    PassStmt,
)
# Class decorators that add no class attributes the plugin would miss (dataclass fields without
# a default stay instance-only: checked by the oracle).
STATIC_CLASS_DECORATORS: Final = frozenset(
    {
        "dataclasses.dataclass",
        "typing.final",
        "typing_extensions.final",
        "functools.total_ordering",
        "typing.runtime_checkable",
        "typing_extensions.runtime_checkable",
    }
)


@dataclass(frozen=True)
class ClassFacts:
    dynamic: bool  # the body runs code, or a decorator may add attributes
    stored: frozenset[str]  # names stored on the class outside its body (ANY_NAME: any)
    on_instances: frozenset[str]  # names stored as `self.name = ...` in the class's methods
    # `__slots__ = ("a", "b")` in the body: exactly those slot descriptors (None: no literal)
    literal_slots: frozenset[str] | None = None


def recorded(info: TypeInfo) -> ClassFacts | None:
    data = info.metadata.get(METADATA_KEY)
    if not isinstance(data, dict):
        return None
    dynamic, stored, on_instances = data.get("dynamic"), data.get("stored"), data.get("on_instances")
    if not isinstance(dynamic, bool) or not isinstance(stored, list) or not isinstance(on_instances, list):
        return None
    slots = data.get("slots")
    return ClassFacts(
        dynamic,
        frozenset(name for name in stored if isinstance(name, str)),
        frozenset(name for name in on_instances if isinstance(name, str)),
        frozenset(name for name in slots if isinstance(name, str)) if isinstance(slots, list) else None,
    )


def _resolver(ctx: ClassDefContext, module: MypyFile) -> Resolver | None:
    modules = getattr(ctx.api, "modules", None)
    return module_resolver(module, modules) if isinstance(modules, dict) else None


class ClassFactsRecorder:
    """The customize-MRO hook (called for every class, before its body is analyzed, and again
    when analysis is deferred: the facts are recomputed, from syntax only).  One per plugin
    instance; it remembers each module's stores so that a module is walked once."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        # Per module: its stores by owner, and whether it calls `setattr` anywhere.
        self._module_stores: OrderedDict[tuple[int, int], tuple[dict[str, set[str]], bool]] = OrderedDict()
        self._layouts: Layouts = {}  # node class -> which CHILD_ATTRIBUTES it has

    def record(self, ctx: ClassDefContext) -> None:
        defn = ctx.cls
        module = getattr(ctx.api, "cur_mod_node", None)
        if not isinstance(module, MypyFile) or module.is_stub:
            return  # stubs only declare; their classes are handled as stubs
        stores, calls_setattr = self._stores(module)
        cls_stores, self_stores = _own_stores(defn, calls_setattr)
        # Stores through a parameter (`def register(cls): setattr(cls, "ping", ...)`) may reach
        # any class of the module.
        stored = stores.get(defn.name, set()) | stores.get(ANY_CLASS, set()) | cls_stores
        dynamic = _has_dynamic_body(defn) or not all(
            _is_static_decorator(ctx, decorator) for decorator in defn.decorators
        )
        resolve = _resolver(ctx, module)
        facts: dict[str, object] = {
            "dynamic": dynamic,
            "stored": sorted(stored),
            "on_instances": sorted(self_stores),
            # What each method does with its parameters (hand-offs: knowledge/handoffs.py).
            METHODS_KEY: method_summaries(defn, self._layouts, resolve),
            # `async def __aenter__(self): return self`, unannotated (hooks/entered.py).
            AENTER_RETURNS_SELF: _aenter_returns_self(defn),
        }
        managers = _context_manager_methods(defn, resolve)
        if managers:
            facts[CONTEXT_MANAGERS_KEY] = managers
        slots = _literal_slots(defn)
        if slots is not None:
            facts["slots"] = sorted(slots)
        defn.info.metadata[METADATA_KEY] = facts
        if not installed(module.path):
            quietly(lambda: _add_digest(ctx, facts))

    def _stores(self, module: MypyFile) -> tuple[dict[str, set[str]], bool]:
        key = (id(module), id(module.defs))
        stores = self._module_stores.get(key)
        if stores is None:
            calls_setattr = any(type(e) is CallExpr and _is_setattr(e) for e in get_subexpressions(module))
            stores = (_stores_by_owner(module, self._layouts, calls_setattr), calls_setattr)
            self._module_stores[key] = stores
            if len(self._module_stores) > self._size:
                self._module_stores.popitem(last=False)
        return stores


def installed(path: str) -> bool:
    """A module of an installed library (not the project's source)."""
    parts = path.replace("\\", "/").split("/")
    return "site-packages" in parts or "dist-packages" in parts


def _add_digest(ctx: ClassDefContext, facts: dict[str, object]) -> None:
    """The FACTS_NAME attribute, `Literal["<digest>"]` of the facts and the methods' kinds, for
    the daemon's snapshots (not on protocols)."""
    if _is_protocol(ctx):
        return
    text = json.dumps([facts, _member_kinds(ctx.cls)], sort_keys=True)
    digest = hashlib.sha1(text.encode()).hexdigest()[:16]
    info = ctx.cls.info
    var = Var(FACTS_NAME, LiteralType(digest, ctx.api.named_type("builtins.str")))
    var.info = info
    var._fullname = f"{info.fullname}.{FACTS_NAME}"
    var.is_classvar = True
    info.names[FACTS_NAME] = SymbolTableNode(MDEF, var, plugin_generated=True)


def _member_kinds(defn: ClassDef) -> list[list[object]]:
    """Each method's name, `async`, and decorators by name, from syntax: what mypy's snapshot
    misses for methods without annotations (and for decorators that leave the type alone)."""
    kinds: list[list[object]] = []
    for statement in defn.defs.body:
        items: list[Node] = [statement]
        if isinstance(statement, OverloadedFuncDef):
            items = [*statement.items, *([statement.impl] if statement.impl is not None else [])]
        for item in items:
            if isinstance(item, FuncDef):
                kinds.append([item.name, item.is_coroutine])
            elif isinstance(item, Decorator):
                names = [dotted_name(d.callee if isinstance(d, CallExpr) else d) for d in item.decorators]
                kinds.append([item.func.name, item.func.is_coroutine, names])
    return kinds


def _is_protocol(ctx: ClassDefContext) -> bool:
    """mypy sets `is_protocol` after this hook; the `Protocol` base is already set aside."""
    if ctx.cls.info.is_protocol:
        return True
    for base in ctx.cls.removed_base_type_exprs:
        target = base.base if isinstance(base, IndexExpr) else base
        name = dotted_name(target)
        symbol = ctx.api.lookup_qualified(name, base, suppress_errors=True) if name is not None else None
        if symbol is not None and getattr(symbol.node, "fullname", None) in PROTOCOLS:
            return True
    return False


def _literal_slots(defn: ClassDef) -> set[str] | None:
    """The names of `__slots__ = "a"`, `("a", "b")` or `["a", "b"]` (string literals only)."""
    found: set[str] | None = None
    for statement in defn.defs.body:
        if not isinstance(statement, AssignmentStmt):
            continue
        if not any(isinstance(lvalue, NameExpr) and lvalue.name == "__slots__" for lvalue in statement.lvalues):
            continue
        value = statement.rvalue
        items = [value] if isinstance(value, StrExpr) else value.items if isinstance(value, (ListExpr, TupleExpr)) else None
        if found is not None or items is None or not all(isinstance(item, StrExpr) for item in items):
            return None  # assigned twice, or not a literal
        found = {item.value for item in items if isinstance(item, StrExpr)}
    return found


def _has_dynamic_body(defn: ClassDef) -> bool:
    for statement in defn.defs.body:
        if isinstance(statement, ExpressionStmt) and isinstance(statement.expr, StrExpr):
            continue  # the docstring
        if not isinstance(statement, DECLARATIONS):
            return True
        if isinstance(statement, AssignmentStmt) and not all(_binds_names(lv) for lv in statement.lvalues):
            return True  # `locals()["extra"] = 1`, `vars()[...] = ...`
    return False


def _binds_names(lvalue: Expression) -> bool:
    if isinstance(lvalue, NameExpr):
        return True
    if isinstance(lvalue, (TupleExpr, ListExpr)):
        return all(_binds_names(item) for item in lvalue.items)
    return False


def _is_static_decorator(ctx: ClassDefContext, decorator: Expression) -> bool:
    """Resolved by name: decorators are not analyzed yet when the MRO is computed."""
    target = decorator.callee if isinstance(decorator, CallExpr) else decorator
    name = dotted_name(target)
    if name is None:
        return False
    symbol = ctx.api.lookup_qualified(name, decorator, suppress_errors=True)
    fullname = getattr(symbol.node, "fullname", None) if symbol is not None else None
    return fullname in STATIC_CLASS_DECORATORS


def _stores_by_owner(module: MypyFile, layouts: Layouts, calls_setattr: bool = True) -> dict[str, set[str]]:
    """Names stored as `<Owner>.name = ...` or `setattr(<Owner>, ...)` anywhere in the module,
    by the owner's name (the module is not analyzed yet).  Stores through a name that may hold
    any class (a parameter, a loop variable, an alias `A = Cls`, `type(x)`) go under ANY_CLASS."""
    stores: dict[str, set[str]] = {}
    aliases = {
        lvalue.name
        for statement in module.defs
        if isinstance(statement, AssignmentStmt) and isinstance(statement.rvalue, NameExpr)
        for lvalue in statement.lvalues
        if isinstance(lvalue, NameExpr)
    }
    _collect_statement_stores(module.defs, frozenset(aliases), stores, layouts, calls_setattr)
    return stores


def _collect_statement_stores(
    body: Sequence[Statement],
    any_class: frozenset[str],
    stores: dict[str, set[str]],
    layouts: Layouts,
    calls_setattr: bool,
) -> None:
    """What `_collect_stores` finds in `body`, walking statements only: expressions are read
    (with mypy's compiled `get_subexpressions`) only where the module calls `setattr`, and
    then a statement or header with such a call is handed to `_collect_stores` itself."""
    for statement in body:
        kind = type(statement)
        if kind is Decorator:
            assert isinstance(statement, Decorator)
            _collect_setattr_stores(statement.decorators, any_class, stores, layouts, calls_setattr)
            statement = statement.func
            kind = FuncDef
        if kind is FuncDef:
            assert isinstance(statement, FuncDef)
            parameters = {argument.variable.name for argument in statement.arguments}
            _collect_statement_stores(statement.body.body, any_class | parameters, stores, layouts, calls_setattr)
        elif kind is OverloadedFuncDef:
            assert isinstance(statement, OverloadedFuncDef)
            items: list[Statement] = [*statement.items, *([statement.impl] if statement.impl is not None else [])]
            _collect_statement_stores(items, any_class, stores, layouts, calls_setattr)
        elif kind is ForStmt:
            assert isinstance(statement, ForStmt)
            names = any_class | _bound_names(statement.index)
            blocks = [statement.body, *([statement.else_body] if statement.else_body is not None else [])]
            for block in blocks:
                _collect_statement_stores(block.body, names, stores, layouts, calls_setattr)
        else:
            header = header_expressions(statement)
            if header is None:  # a simple statement
                if kind is AssignmentStmt:
                    assert isinstance(statement, AssignmentStmt)
                    for lvalue in statement.lvalues:
                        if isinstance(lvalue, MemberExpr):
                            _store(lvalue.expr, lvalue.name, any_class, stores)
                _collect_setattr_stores([statement], any_class, stores, layouts, calls_setattr)
            else:
                _collect_setattr_stores(header, any_class, stores, layouts, calls_setattr)
                _collect_statement_stores(nested_statements(statement), any_class, stores, layouts, calls_setattr)


def _collect_setattr_stores(
    nodes: Sequence[Node], any_class: frozenset[str], stores: dict[str, set[str]], layouts: Layouts, calls_setattr: bool
) -> None:
    """`setattr(...)` calls in `nodes` (statements without blocks, or expressions), through the
    generic walk where there is one (it follows lambdas' parameters)."""
    if calls_setattr and any(
        type(e) is CallExpr and _is_setattr(e)
        for node in nodes
        for e in get_subexpressions(node)
    ):
        _collect_stores(nodes, any_class, stores, layouts)


def _collect_stores(
    nodes: Sequence[object], any_class: frozenset[str], stores: dict[str, set[str]], layouts: Layouts
) -> None:
    for node in _walk(nodes, layouts, stop_at_functions=True):
        if isinstance(node, FuncItem):
            parameters = {argument.variable.name for argument in node.arguments}
            _collect_stores([node.body], any_class | parameters, stores, layouts)
        elif isinstance(node, ForStmt):
            _collect_stores([node.body, node.else_body], any_class | _bound_names(node.index), stores, layouts)
        elif isinstance(node, AssignmentStmt):
            for lvalue in node.lvalues:
                if isinstance(lvalue, MemberExpr):
                    _store(lvalue.expr, lvalue.name, any_class, stores)
        elif isinstance(node, CallExpr) and _is_setattr(node):
            second = node.args[1]
            _store(node.args[0], second.value if isinstance(second, StrExpr) else ANY_NAME, any_class, stores)


def _store(owner: Expression, name: str, any_class: frozenset[str], stores: dict[str, set[str]]) -> None:
    if isinstance(owner, NameExpr):
        if owner.name == "self":
            return
        stores.setdefault(owner.name, set()).add(name)
        if owner.name in any_class:
            stores.setdefault(ANY_CLASS, set()).add(name)
    elif isinstance(owner, CallExpr):
        stores.setdefault(ANY_CLASS, set()).add(name)  # `type(self).created = True`


def _bound_names(target: Expression) -> set[str]:
    if isinstance(target, NameExpr):
        return {target.name}
    if isinstance(target, (TupleExpr, ListExpr)):
        return {name for item in target.items for name in _bound_names(item)}
    return set()


def _own_stores(defn: ClassDef, calls_setattr: bool) -> tuple[set[str], set[str]]:
    """`_cls_stores` and `_self_stores` in one walk of the class's statements (and of its
    expressions, compiled, only where the module calls `setattr`)."""
    cls_stored: set[str] = set()
    self_stored: set[str] = set()
    for statement in all_statements(defn.defs.body):
        if type(statement) is AssignmentStmt:
            assert isinstance(statement, AssignmentStmt)
            for lvalue in statement.lvalues:
                if isinstance(lvalue, MemberExpr) and isinstance(lvalue.expr, NameExpr):
                    if lvalue.expr.name == "cls":
                        cls_stored.add(lvalue.name)
                    elif lvalue.expr.name == "self":
                        self_stored.add(lvalue.name)
    if calls_setattr and any(
        type(e) is CallExpr and _is_setattr(e) and _names(e.args[0], "cls")
        for e in get_subexpressions(defn.defs)
    ):
        cls_stored.add(ANY_NAME)
    return cls_stored, self_stored


def _cls_stores(defn: ClassDef, layouts: Layouts) -> set[str]:
    """`cls.name = ...` in the class's own methods (classmethods store on the class)."""
    stored: set[str] = set()
    for node in _walk(defn.defs.body, layouts):
        if isinstance(node, AssignmentStmt):
            for lvalue in node.lvalues:
                if isinstance(lvalue, MemberExpr) and _names(lvalue.expr, "cls"):
                    stored.add(lvalue.name)
        elif isinstance(node, CallExpr) and _is_setattr(node) and _names(node.args[0], "cls"):
            stored.add(ANY_NAME)
    return stored


def _self_stores(defn: ClassDef, layouts: Layouts) -> set[str]:
    """`self.name = ...` (or `self.name: T = ...`) in the class's own methods."""
    return {
        lvalue.name
        for node in _walk(defn.defs.body, layouts)
        if isinstance(node, AssignmentStmt)
        for lvalue in node.lvalues
        if isinstance(lvalue, MemberExpr) and _names(lvalue.expr, "self")
    }


def _names(expr: Expression, name: str) -> bool:
    return isinstance(expr, NameExpr) and expr.name == name


def _is_setattr(call: CallExpr) -> bool:
    return isinstance(call.callee, NameExpr) and call.callee.name == "setattr" and len(call.args) >= 2


def _aenter_returns_self(defn: ClassDef) -> bool:
    """The class body defines `async def __aenter__(self)`, unannotated, whose whole body is
    `return self`."""
    for statement in defn.defs.body:
        if isinstance(statement, FuncDef) and statement.name == "__aenter__":
            return returns_self(statement)
    return False


def returns_self(node: object) -> bool:
    """An unannotated `async def` of one parameter whose whole body is `return <it>`."""
    if not isinstance(node, FuncDef) or node.type is not None or not node.is_coroutine:
        return False
    if node.is_async_generator or len(node.arguments) != 1:
        return False
    body = node.body.body
    if len(body) != 1 or not isinstance(body[0], ReturnStmt):
        return False
    returned = body[0].expr
    return isinstance(returned, NameExpr) and returned.name == node.arguments[0].variable.name


def _context_manager_methods(defn: ClassDef, resolve: Resolver | None) -> dict[str, str]:
    """Method name -> the contextlib decorator that alone decorates it."""
    found: dict[str, str] = {}
    for statement in defn.defs.body:
        if not isinstance(statement, Decorator) or len(statement.original_decorators) != 1:
            continue
        dotted = dotted_name(statement.original_decorators[0])
        fullname = resolve(dotted) if resolve is not None and dotted is not None else None
        if fullname in CONTEXT_MANAGER_DECORATORS:
            found[statement.func.name] = fullname
    return found


def context_manager_decorator(info: TypeInfo, name: str) -> str | None:
    """The contextlib decorator of `info`'s method `name`, as its defining class recorded it."""
    owner = info.get_containing_type_info(name)
    data = owner.metadata.get(METADATA_KEY) if owner is not None else None
    managers = data.get(CONTEXT_MANAGERS_KEY) if isinstance(data, dict) else None
    decorator = managers.get(name) if isinstance(managers, dict) else None
    return decorator if isinstance(decorator, str) else None


def aenter_returns_self(info: TypeInfo) -> bool:
    """Whether the class that defines `info`'s `__aenter__` recorded it as `return self`."""
    owner = info.get_containing_type_info("__aenter__")
    data = owner.metadata.get(METADATA_KEY) if owner is not None else None
    return isinstance(data, dict) and data.get(AENTER_RETURNS_SELF) is True
