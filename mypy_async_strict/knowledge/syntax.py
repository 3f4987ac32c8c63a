"""Walking mypy's syntax trees from a plugin: which attributes of each node class hold its
children, learned once per class; and a faster way for walks that look at few node kinds.

mypy's traversers are compiled by mypyc; `TraverserVisitor` allows interpreted subclasses on
paper, but with mypy 2.4's wheels instantiating one fails ("interpreted classes cannot inherit
from compiled traits").  What the plugin can use is a compiled walk mypy exports:
`mypy.server.subexpr.get_subexpressions` (every expression below a node, nested functions
included).  Statements only nest in statements, so a walk of the statements in Python plus
`get_subexpressions` for the few statements whose expressions matter visits a fraction of the
nodes in Python that a generic walk does."""

from __future__ import annotations

from typing import Final, Sequence

from mypy.nodes import (
    Block,
    ClassDef,
    Decorator,
    Expression,
    ForStmt,
    FuncDef,
    FuncItem,
    IfStmt,
    MatchStmt,
    NameExpr,
    Node,
    OverloadedFuncDef,
    Statement,
    TryStmt,
    Var,
    WhileStmt,
    WithStmt,
)

# Attributes that hold a node's syntactic children, across mypy's statement and expression
# classes.
CHILD_ATTRIBUTES: Final = (
    "defs", "body", "else_body", "finally_body", "handlers", "types", "vars",
    "expr", "exprs", "lvalues", "rvalue", "lvalue", "index", "target", "items", "args",
    "callee", "left", "right", "operands", "base", "value", "key", "begin_index",
    "end_index", "stride", "cond", "if_expr", "else_expr", "sequences", "condlists",
    "generator", "left_expr", "indices", "decorators", "func", "impl", "subject", "patterns", "guards",
    "bodies", "base_type_exprs", "keywords", "msg", "from_expr", "initializer", "arguments",
    "type_args",
)

Layouts = dict[type, tuple[str, ...]]


def layout(layouts: Layouts, node_class: type) -> tuple[str, ...]:
    """The child attributes of `node_class` (cached in `layouts`)."""
    found = layouts.get(node_class)
    if found is None:
        found = tuple(a for a in CHILD_ATTRIBUTES if hasattr(node_class, a))
        layouts[node_class] = found
    return found


def children(node: Node, layouts: Layouts) -> list[object]:
    return [
        child
        for attribute in layout(layouts, type(node))
        if (child := getattr(node, attribute)) is not None and not isinstance(child, (str, int, float))
    ]


def walk(nodes: Sequence[object] | object, layouts: Layouts, stop_at_functions: bool = False) -> list[Node]:
    """Every node below `nodes`, depth first; with `stop_at_functions`, nested functions and
    `for` loops are returned but not entered (the caller walks them with their own names)."""
    found: list[Node] = []
    pending: list[object] = list(nodes) if isinstance(nodes, (list, tuple)) else [nodes]
    roots = {id(node) for node in pending}
    while pending:
        node = pending.pop()
        if isinstance(node, (list, tuple)):
            pending.extend(node)
            continue
        if not isinstance(node, Node):
            continue
        found.append(node)
        if stop_at_functions and isinstance(node, (FuncItem, ForStmt)) and id(node) not in roots:
            continue
        pending.extend(children(node, layouts))
    return found


def nested_blocks(statement: Statement) -> list[Block]:
    """The blocks directly inside a compound statement (a function's body, a class's, an `if`'s
    branches, ...); [] for a simple statement, and for an overloaded function (see
    nested_statements)."""
    kind = type(statement)
    if kind is Block:
        return [statement]  # type: ignore[list-item]
    if kind is FuncDef:
        return [statement.body]  # type: ignore[attr-defined]
    if kind is Decorator:
        return [statement.func.body]  # type: ignore[attr-defined]
    if kind is ClassDef:
        return [statement.defs]  # type: ignore[attr-defined]
    if kind is IfStmt:
        assert isinstance(statement, IfStmt)
        return [*statement.body, *([statement.else_body] if statement.else_body is not None else [])]
    if kind is ForStmt or kind is WhileStmt:
        assert isinstance(statement, (ForStmt, WhileStmt))
        return [statement.body, *([statement.else_body] if statement.else_body is not None else [])]
    if kind is WithStmt:
        return [statement.body]  # type: ignore[attr-defined]
    if kind is TryStmt:
        assert isinstance(statement, TryStmt)
        blocks = [statement.body, *statement.handlers]
        if statement.else_body is not None:
            blocks.append(statement.else_body)
        if statement.finally_body is not None:
            blocks.append(statement.finally_body)
        return blocks
    if kind is MatchStmt:
        return list(statement.bodies)  # type: ignore[attr-defined]
    return []


def nested_statements(statement: Statement) -> list[Statement]:
    """The statements directly inside `statement`: those of its blocks, or an overloaded
    function's items and implementation."""
    if type(statement) is OverloadedFuncDef:
        assert isinstance(statement, OverloadedFuncDef)
        items: list[Statement] = list(statement.items)
        return items + [statement.impl] if statement.impl is not None else items
    return [inner for block in nested_blocks(statement) for inner in block.body]


def all_statements(body: list[Statement]) -> list[Statement]:
    """Every statement in `body` and in the statements nested in it (functions and classes
    included): all the statements the generic walk of `body` finds."""
    found: list[Statement] = []
    pending = list(reversed(body))
    while pending:
        statement = pending.pop()
        found.append(statement)
        pending.extend(reversed(nested_statements(statement)))
    return found


def header_expressions(statement: Statement) -> list[Expression] | None:
    """The expressions of a compound statement outside its blocks (an `if`'s conditions, a
    class's decorators and bases, ...), or None for a simple statement (all its expressions)."""
    kind = type(statement)
    if kind is IfStmt:
        return list(statement.expr)  # type: ignore[attr-defined]
    if kind is WhileStmt:
        return [statement.expr]  # type: ignore[attr-defined]
    if kind is ForStmt:
        assert isinstance(statement, ForStmt)
        return [statement.index, statement.expr]
    if kind is WithStmt:
        assert isinstance(statement, WithStmt)
        return [*statement.expr, *(target for target in statement.target if target is not None)]
    if kind is TryStmt:
        assert isinstance(statement, TryStmt)
        return [*(t for t in statement.types if t is not None), *(v for v in statement.vars if v is not None)]
    if kind is MatchStmt:
        assert isinstance(statement, MatchStmt)
        return [statement.subject, *(g for g in statement.guards if g is not None)]
    if kind is ClassDef:
        assert isinstance(statement, ClassDef)
        return [*statement.decorators, *statement.base_type_exprs]
    if kind is Decorator:
        return list(statement.decorators)  # type: ignore[attr-defined]
    if kind is FuncDef or kind is OverloadedFuncDef or kind is Block:
        return []
    return None


def reference_to(var: Var, line: int) -> NameExpr:
    """A name bound to `var`, placed at `line`: a query about it, not code."""
    name = NameExpr(var.name)
    name.node = var
    name.set_line(line)
    return name
