"""Calls on the objects fixtures build, where mypy sees the test's parameter as `Any`.

`def service(users): return AccountService(users)` and `assert service.is_admin(1)` in a test:
the parameter is unannotated, so to mypy `service.is_admin(1)` is `Any` and no hook runs on it.
pytest gives the test exactly an `AccountService` (the fixture constructs it), so the plugin
knows the call makes a coroutine, and checks its use as it checks any async call
(checks/misuse.py, checks/coroutines.py).  The parameter itself keeps plain mypy's type: a
real class's precise type would let mypy check everything else the test does with it.

The checks run from the marker at the top of the test (hooks/fixture_parameters.py), before
mypy reads the body; they read syntax and the fixtures' records only.  A method counts when
the class defines it plainly (not decorated, or decorated only with `@asynccontextmanager` /
`@contextmanager`; not stored on instances or on the class from outside), and nothing in the
test replaces or patches it.
"""

from __future__ import annotations

import functools

from typing import Callable, Final

from mypy.nodes import CallExpr, Decorator, ForStmt, FuncDef, MemberExpr, NameExpr, Node, TypeInfo, Var
from mypy.plugin import CheckerPluginInterface
from mypy.types import AnyType, CallableType, Instance, Type, TypeOfAny, get_proper_type

from mypy_async_strict.checks.misuse import check_use, shape_of
from mypy_async_strict.knowledge.certainty import patched_here
from mypy_async_strict.knowledge.configured import constructs_itself
from mypy_async_strict.knowledge.provenance import EventKind, ScanCache, ScopeFacts
from mypy_async_strict.knowledge.pytest_fixtures import constructed_by
from mypy_async_strict.knowledge.syntax import walk
from mypy_async_strict.specs.classfacts import context_manager_decorator, recorded


def check_fixture_calls(
    api: CheckerPluginInterface,
    cache: ScanCache,
    facts: ScopeFacts,
    test: FuncDef,
    params: list[Var],
    reads: Callable[[TypeInfo], None],
) -> None:
    """Check each `param.method(...)` call of the test where a fixture builds the parameter;
    `reads` registers the dependency on each class read (the test module may not import it)."""
    classes = {}
    for var in params:
        info = constructed_by(api, test, var)
        if info is not None:
            reads(info)
        if info is not None and constructs_itself(info) and not _changed_in_test(facts, var):
            classes[var] = info
    if not classes:
        return
    for node in _own_nodes(test):
        if not isinstance(node, CallExpr) or not isinstance(node.callee, MemberExpr):
            continue
        receiver = node.callee.expr
        info = classes.get(receiver.node) if isinstance(receiver, NameExpr) and isinstance(receiver.node, Var) else None
        result = _call_result(api, info, node.callee.name) if info is not None else None
        if result is None or shape_of(result) is None:
            continue
        check_use(api, cache, node, result, unless=functools.partial(patched_here, api, cache, node))


def _own_nodes(test: FuncDef) -> list[Node]:
    """The test's nodes, `for` loops included (their iterables too: `for x in service.stream()`),
    nested functions not (their calls run when, and if, something calls them)."""
    found: list[Node] = []
    pending: list[Node] = [test.body]
    while pending:
        root = pending.pop()
        for node in walk(root, {}, stop_at_functions=True):
            if isinstance(node, ForStmt) and node is not root:
                pending.append(node)
            elif node is not root or root is test.body:
                found.append(node)
    return found


def _changed_in_test(facts: ScopeFacts, var: Var) -> bool:
    """The test replaces or configures something on the object, or rebinds the parameter."""
    if facts.definitions.get(var) != [None]:
        return True
    return any(
        event.path.root is var and event.kind in (EventKind.REPLACE, EventKind.SUBTREE) for event in facts.events
    )


def _call_result(api: CheckerPluginInterface, info: TypeInfo, name: str) -> Type | None:
    """What calling the instance's method `name` gives, when the class's own definition
    decides it."""
    facts = recorded(info)
    if facts is None or facts.dynamic or name in facts.stored or name in facts.on_instances:
        return None
    symbol = info.get(name)
    node = symbol.node if symbol is not None else None
    if isinstance(node, Decorator):
        return _context_manager_result(api, info, node)
    if not isinstance(node, FuncDef) or node.is_static or node.is_class:
        return None
    if node.type is None:
        return _unannotated_result(api, node)
    signature = get_proper_type(node.type)
    return signature.ret_type if isinstance(signature, CallableType) else None


# The decorators whose result the plugin builds itself (from the function's declared yield
# type), the same way in every run: mypy's inferred type of a decorated method is set only once
# the class's module is checked.
_CONTEXT_MANAGERS: Final = {
    "contextlib.asynccontextmanager": "contextlib._AsyncGeneratorContextManager",
    "contextlib.contextmanager": "contextlib._GeneratorContextManager",
}


def _context_manager_result(api: CheckerPluginInterface, owner: TypeInfo, decorated: Decorator) -> Type | None:
    """`@asynccontextmanager` (or `@contextmanager`) alone on a plain method, as its class
    recorded it: its calls give contextlib's generator context manager, of the declared yield
    type."""
    if decorated.func.is_static or decorated.func.is_class:
        return None
    decorator = context_manager_decorator(owner, decorated.func.name)
    made = _CONTEXT_MANAGERS.get(decorator) if decorator is not None else None
    lookup = getattr(api, "lookup_typeinfo", None)
    modules = getattr(api, "modules", None)
    if made is None or lookup is None or not isinstance(modules, dict) or "contextlib" not in modules:
        return None  # (the decorator's module imports contextlib: it is loaded)
    info = lookup(made)
    if not isinstance(info, TypeInfo) or not info.defn.type_vars:
        return None
    rest = [AnyType(TypeOfAny.special_form) for _ in info.defn.type_vars[1:]]
    return Instance(info, [_yielded(decorated.func), *rest])


def _yielded(func: FuncDef) -> Type:
    """`T` of the declared `AsyncIterator[T]`, `AsyncGenerator[T, ...]`, `Iterator[T]`, ..."""
    signature = get_proper_type(func.type)
    returned = get_proper_type(signature.ret_type) if isinstance(signature, CallableType) else None
    if isinstance(returned, Instance) and returned.args:
        return returned.args[0]
    return AnyType(TypeOfAny.unannotated)


def _unannotated_result(api: CheckerPluginInterface, func: FuncDef) -> Type | None:
    """An unannotated `async def`: its calls are coroutines all the same."""
    if not func.is_coroutine or func.is_generator:
        return None
    any_type = AnyType(TypeOfAny.unannotated)
    return api.named_generic_type("typing.Coroutine", [any_type, any_type, any_type])
