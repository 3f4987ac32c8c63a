"""Walking mypy's syntax trees from a plugin (mypy's own traversers are compiled and cannot be
subclassed): which attributes of each node class hold its children, learned once per class."""

from __future__ import annotations

from typing import Final, Sequence

from mypy.nodes import ForStmt, FuncItem, Node

# Attributes that hold a node's syntactic children, across mypy's statement and expression
# classes.
CHILD_ATTRIBUTES: Final = (
    "defs", "body", "else_body", "finally_body", "handlers", "types", "vars",
    "expr", "exprs", "lvalues", "rvalue", "lvalue", "index", "target", "items", "args",
    "callee", "left", "right", "operands", "base", "value", "key", "begin_index",
    "end_index", "stride", "cond", "if_expr", "else_expr", "sequences", "condlists",
    "generator", "indices", "decorators", "func", "impl", "subject", "patterns", "guards",
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
