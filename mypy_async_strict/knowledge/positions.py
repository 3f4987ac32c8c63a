"""Where a value is used in place, and where it is stored: the widening rule.

The plugin types mocks more precisely than plain mypy does (to plain mypy, `create_autospec(C)`,
`m.fetch` and `m.fetch()` are `Any`, `MagicMock(spec=C)` is a `MagicMock`).  A precise type is
safe only where the value is consumed at once by an operation the plugin itself refines: the
base of an attribute (`m.fetch`), a callee (`m.fetch()`), the operand of `await`, a `with`
item, a `for` iterable, a condition, a comparison, an operator, an expression statement, an
argument of a call that only inspects it (`print`, `isinstance`, an assertion), or of a
function whose parameter is not generic.  Stored anywhere else (a container, an attribute, a
returned value, a generic parameter, a variable used in any such way), a precise type would
change what mypy infers there: joins become `object`, invariant containers refuse it, narrowed
attributes show the mock API's `Optional` fields.  So stored values get plain mypy's type, and
the plugin keeps its own knowledge of them (see `knowledge/values.py`).

`PositionRecorder` sees every node of a scope once, as the provenance scan walks it, and
answers which expressions are in place.
"""

from __future__ import annotations

from typing import Any, Callable, Final, Union

from mypy.argmap import map_actuals_to_formals
from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    AssertStmt,
    AssignmentExpr,
    AssignmentStmt,
    AwaitExpr,
    CallExpr,
    ComparisonExpr,
    ConditionalExpr,
    Decorator,
    DelStmt,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    GeneratorExpr,
    IfStmt,
    IndexExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    Node,
    OperatorAssignmentStmt,
    OpExpr,
    RefExpr,
    RevealExpr,
    StarExpr,
    StrExpr,
    TupleExpr,
    TypeInfo,
    UnaryExpr,
    Var,
    WhileStmt,
    WithStmt,
)
from mypy.types import AnyType, CallableType, TypeOfAny, get_proper_type, has_type_vars

from mypy_async_strict import fullnames


# A variable counts as in place when all its uses are; `Var` keys stand for "this variable's
# single value is in place".
Key = Union[int, Var]


class PositionRecorder:
    """Records, per node, which of its sub-expressions it consumes in place."""

    def __init__(self) -> None:
        self.in_place: set[int] = set()  # ids of expressions used in place
        self.lvalues: set[int] = set()  # ids of assignment targets (definitions, not uses)
        self.uses: dict[Var, list[int]] = {}  # ids of each variable's reading NameExprs
        self.values: dict[Var, list[Expression | None]] = {}  # each variable's bound values
        # (expression, key): the expression is in place when the key is (an alias, a `with`
        # item bound to a name, the patch of `patch(...).start()`).
        self.follows: list[tuple[int, Key]] = []
        self.callees: set[int] = set()  # ids of call expressions' callees (seen before them)

    def record(self, node: Node) -> None:
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            handler(self, node)

    # -- statements ----------------------------------------------------------------------
    def _assignment(self, node: AssignmentStmt) -> None:
        value = node.rvalue
        for lvalue in node.lvalues:
            self._bind(lvalue, value if len(node.lvalues) == 1 else None)

    def _operator_assignment(self, node: OperatorAssignmentStmt) -> None:
        # `x += v` reads x and stores a new value: neither is in place.
        self._bind(node.lvalue, None)
        if isinstance(node.lvalue, NameExpr) and isinstance(node.lvalue.node, Var):
            self.uses.setdefault(node.lvalue.node, []).append(-1)

    def _for(self, node: ForStmt) -> None:
        self.in_place.add(id(node.expr))
        self._bind(node.index, None)

    def _with(self, node: WithStmt) -> None:
        for item, target in zip(node.expr, node.target):
            if target is None:
                self.in_place.add(id(item))
            elif isinstance(target, NameExpr) and isinstance(target.node, Var):
                self._bind(target, item)
                self.follows.append((id(item), target.node))
            else:
                self._bind(target, None)

    def _expression_statement(self, node: ExpressionStmt) -> None:
        self.in_place.add(id(node.expr))

    def _if(self, node: IfStmt) -> None:
        for condition in node.expr:
            self._condition(condition)

    def _while(self, node: WhileStmt) -> None:
        self._condition(node.expr)

    def _assert(self, node: AssertStmt) -> None:
        self._condition(node.expr)
        if node.msg is not None:
            self.in_place.add(id(node.msg))

    def _delete(self, node: DelStmt) -> None:
        self._bind(node.expr, None)

    # -- expressions ---------------------------------------------------------------------
    def _name(self, node: NameExpr) -> None:
        if id(node) not in self.lvalues and isinstance(node.node, Var):
            self.uses.setdefault(node.node, []).append(id(node))

    def _member(self, node: MemberExpr) -> None:
        if (node.name == "start" or node.name == "__enter__") and id(node) in self.callees:
            return  # `patch(...).start()` gives the mock: in place as that call is (see _call)
        self.in_place.add(id(node.expr))

    def _index(self, node: IndexExpr) -> None:
        self.in_place.add(id(node.base))
        self.in_place.add(id(node.index))

    def _await(self, node: AwaitExpr) -> None:
        self.in_place.add(id(node.expr))

    def _call(self, node: CallExpr) -> None:
        callee = node.callee
        self.in_place.add(id(callee))
        self.callees.add(id(callee))
        if isinstance(callee, MemberExpr) and callee.name in ("start", "__enter__"):
            self.follows.append((id(callee.expr), id(node)))
        for index in self._inspected_arguments(node):
            self.in_place.add(id(node.args[index]))

    def _reveal(self, node: RevealExpr) -> None:
        if node.expr is not None:
            self.in_place.add(id(node.expr))

    def _unary(self, node: UnaryExpr) -> None:
        self.in_place.add(id(node.expr))

    def _operator(self, node: OpExpr) -> None:
        if node.op in ("and", "or"):
            # The value of `a or b` is one of the operands: in place only where the whole is.
            self.follows.append((id(node.left), id(node)))
            self.follows.append((id(node.right), id(node)))
        else:
            self.in_place.update((id(node.left), id(node.right)))

    def _comparison(self, node: ComparisonExpr) -> None:
        self.in_place.update(id(operand) for operand in node.operands)

    def _conditional(self, node: ConditionalExpr) -> None:
        self._condition(node.cond)
        # Its value is one of the branches: in place only where the whole is.
        self.follows.append((id(node.if_expr), id(node)))
        self.follows.append((id(node.else_expr), id(node)))

    def _comprehension(self, node: GeneratorExpr) -> None:
        self.in_place.update(id(sequence) for sequence in node.sequences)
        for index in node.indices:
            self._bind(index, None)
        for conditions in node.condlists:
            for condition in conditions:
                self._condition(condition)

    def _walrus(self, node: AssignmentExpr) -> None:
        self._bind(node.target, None)

    # -- helpers -------------------------------------------------------------------------
    def _condition(self, expr: Expression) -> None:
        self.in_place.add(id(expr))
        if isinstance(expr, OpExpr) and expr.op in ("and", "or"):
            self._condition(expr.left)
            self._condition(expr.right)
        elif isinstance(expr, UnaryExpr) and expr.op == "not":
            self._condition(expr.expr)

    def _bind(self, target: Expression, value: Expression | None) -> None:
        self.lvalues.add(id(target))
        if isinstance(target, (TupleExpr, ListExpr)):
            for item in target.items:
                self._bind(item, None)
        elif isinstance(target, StarExpr):
            self._bind(target.expr, None)
        elif isinstance(target, NameExpr) and isinstance(target.node, Var):
            self.values.setdefault(target.node, []).append(value)
            if value is not None:
                self.follows.append((id(value), target.node))
        elif isinstance(target, MemberExpr):
            self.in_place.add(id(target.expr))  # `m.x = v`: m is the base of the store
        elif isinstance(target, IndexExpr):
            self.in_place.add(id(target.base))

    def _inspected_arguments(self, call: CallExpr) -> list[int]:
        """Arguments whose precise type cannot change what mypy infers for the call."""
        callee = call.callee
        every = list(range(len(call.args)))
        if isinstance(callee, RefExpr) and callee.fullname in fullnames.TYPE_INDEPENDENT_CALLS:
            return every
        if isinstance(callee, MemberExpr):
            if callee.name.startswith("assert") or isinstance(callee.expr, StrExpr):
                return every  # `m.assert_called_with(x)`, `self.assertEqual(a, b)`, str.format
            return []
        signature = _direct_signature(callee)
        if signature is None:
            return []
        return _non_generic_arguments(call, signature)

    def finish(self, shared: set[str]) -> set[int]:
        """The ids of every expression used in place.  A local variable with one value is in
        place when all its uses are; start from every such variable and drop those with a use
        that is not, until nothing changes (aliases chain through `follows`)."""
        safe_vars = {
            var
            for var, values in self.values.items()
            if len(values) == 1 and values[0] is not None and _is_local(var) and var.name not in shared
        }
        while True:
            in_place = self._closure(safe_vars)
            still_safe = {
                var for var in safe_vars if all(use in in_place for use in self.uses.get(var, []))
            }
            if still_safe == safe_vars:
                return in_place
            safe_vars = still_safe

    def read_in_place(self, in_place: set[int], shared: set[str]) -> set[Var]:
        """Variables the scope never binds (parameters, once `finish` gave `in_place`) whose
        every read is in place: a precise type for them changes nothing plain mypy infers."""
        return {
            var
            for var, uses in self.uses.items()
            if var not in self.values and var.name not in shared and all(use in in_place for use in uses)
        }

    def _closure(self, safe_vars: set[Var]) -> set[int]:
        in_place = set(self.in_place)
        grew = True
        while grew:
            grew = False
            for expr_id, key in self.follows:
                if expr_id in in_place:
                    continue
                if (key in safe_vars) if isinstance(key, Var) else (key in in_place):
                    in_place.add(expr_id)
                    grew = True
        return in_place


def _is_local(var: Var) -> bool:
    """A function's local variable (module and class attributes have dotted fullnames and may
    be read from anywhere)."""
    return "." not in var.fullname


def _direct_signature(callee: Expression) -> tuple[CallableType, bool] | None:
    """The signature of a function or class named directly, and whether its first formal is
    bound (`self` of `__init__`)."""
    node = callee.node if isinstance(callee, RefExpr) else None
    if isinstance(node, Decorator):
        node = node.func if not node.original_decorators else None
    if isinstance(node, FuncDef):
        signature = get_proper_type(node.type)
        return (signature, False) if isinstance(signature, CallableType) else None
    if isinstance(node, TypeInfo) and not node.type_vars:
        init = node.get_method("__init__")
        if isinstance(init, FuncDef) and init.info is not None and init.info.fullname != "builtins.object":
            signature = get_proper_type(init.type)
            return (signature, True) if isinstance(signature, CallableType) else None
    return None


def _non_generic_arguments(call: CallExpr, signature: tuple[CallableType, bool]) -> list[int]:
    """Arguments passed to parameters whose types mention no type variable (nothing is
    inferred from them)."""
    callable_type, bound = signature
    kinds, names, types = callable_type.arg_kinds, callable_type.arg_names, callable_type.arg_types
    if bound:
        kinds, names, types = kinds[1:], names[1:], types[1:]
    any_type = AnyType(TypeOfAny.special_form)
    formal_to_actual = map_actuals_to_formals(call.arg_kinds, call.arg_names, kinds, names, lambda _: any_type)
    safe: list[int] = []
    for formal, actuals in enumerate(formal_to_actual):
        if not has_type_vars(types[formal]):
            safe.extend(a for a in actuals if call.arg_kinds[a] in (ARG_POS, ARG_NAMED))
    return safe


_HANDLERS: Final[dict[type, Callable[[PositionRecorder, Any], None]]] = {
    AssignmentStmt: PositionRecorder._assignment,
    OperatorAssignmentStmt: PositionRecorder._operator_assignment,
    ForStmt: PositionRecorder._for,
    WithStmt: PositionRecorder._with,
    ExpressionStmt: PositionRecorder._expression_statement,
    IfStmt: PositionRecorder._if,
    WhileStmt: PositionRecorder._while,
    AssertStmt: PositionRecorder._assert,
    DelStmt: PositionRecorder._delete,
    NameExpr: PositionRecorder._name,
    MemberExpr: PositionRecorder._member,
    IndexExpr: PositionRecorder._index,
    AwaitExpr: PositionRecorder._await,
    CallExpr: PositionRecorder._call,
    UnaryExpr: PositionRecorder._unary,
    RevealExpr: PositionRecorder._reveal,
    OpExpr: PositionRecorder._operator,
    ComparisonExpr: PositionRecorder._comparison,
    ConditionalExpr: PositionRecorder._conditional,
    GeneratorExpr: PositionRecorder._comprehension,
    AssignmentExpr: PositionRecorder._walrus,
}
