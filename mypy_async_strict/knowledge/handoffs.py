"""Hand-offs to code the plugin can read: is passing a mock to it harmless, and what does that
code certainly do with it?

A call `f(..., m, ...)` hands `m` to the parameter it binds.  It is harmless for a query on
`m.<path>` when the callee's summary changes nothing at or above that path and passes it on
only to callees that are harmless too.  A class constructor `C(m)` hands `m` to `__init__`,
which may store it in `self.<attr>`: then every method of the class must leave
`self.<attr>.<path>` alone as well (any of them may run later).

Summaries come from the module being checked (its tree is there) or from the records of
other modules (records.py), written when mypy finished checking them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Union

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    CallExpr,
    Decorator,
    Expression,
    FakeInfo,
    FuncDef,
    MemberExpr,
    MypyFile,
    OverloadedFuncDef,
    RefExpr,
    TypeInfo,
)
from mypy.plugin import CheckerPluginInterface
from mypy.server.trigger import WILDCARD_TAG
from mypy.types import AnyType

from mypy_async_strict.knowledge.dependencies import depend_on
from mypy_async_strict.knowledge.provenance import ScanCache, scopes_of
from mypy_async_strict.knowledge.summaries import Pass, Summary
from mypy_async_strict.specs.classsource import installed

MAX_DEPTH: Final = 4  # callees followed through passes


@dataclass(frozen=True)
class Callee:
    """What a call runs: a function (or method), or a class's `__init__` and its methods."""

    function: Summary
    parameter: str  # the parameter the argument binds
    info: TypeInfo | None = None  # the class, for a constructor


def harmless(
    api: CheckerPluginInterface,
    cache: ScanCache,
    call: CallExpr,
    argument: Expression,
    below: tuple[str, ...],
    depth: int = 0,
) -> bool:
    """Whether handing `argument` to `call` leaves the object at `<argument>.<below>` alone."""
    callee = resolve_callee(api, cache, call, argument)
    if callee is None:
        return False
    path = (callee.parameter,) + below
    if not _function_harmless(api, cache, callee.function, path, depth):
        return False
    if callee.info is None:
        return True
    return _instance_harmless(api, cache, callee, path, depth)


def _function_harmless(
    api: CheckerPluginInterface, cache: ScanCache, summary: Summary, path: tuple[str, ...], depth: int
) -> bool:
    if summary.changed(path):
        return False
    for passed in summary.passes:
        if path[: len(passed.path)] != passed.path:
            continue  # passes something beside or below the path: it cannot replace the path
        if depth >= MAX_DEPTH:
            return False
        target = _function_by_name(api, passed.callee)
        summary_of_target = _summary(api, cache, target) if target is not None else None
        if summary_of_target is None:
            return False
        parameter = _parameter(summary_of_target, passed.argument, bound=_is_method(target))
        if parameter is None:
            return False
        rest = path[len(passed.path) :]
        if not _function_harmless(api, cache, summary_of_target, (parameter,) + rest, depth + 1):
            return False
    return True


Changes = tuple[set[tuple[str, ...]], set[tuple[str, ...]]]  # (replaced, exposed) paths


def changes_through(
    api: CheckerPluginInterface, cache: ScanCache, passed: Pass
) -> tuple[Changes, Changes] | None:
    """What the call a summary records (`AccountService(users, hasher)` in a fixture) may do to
    the object it is handed: the paths below it that it may replace, and those it exposes to
    code that may change what lies below them (relative to the object), during the call and
    later (the methods of a new instance that keeps the object); None when unknown."""
    info = _class_by_name(api, passed.callee)
    target = _function_by_name(api, passed.callee)
    summary = _summary(api, cache, target) if target is not None else None
    if target is None or summary is None or (info is not None and _plain_class_problem(info)):
        return None
    parameter = _parameter(summary, passed.argument, bound=info is not None or _is_method(target))
    if parameter is None:
        return None
    changes = _function_changes(api, cache, summary, (parameter,), 0)
    if changes is None:
        return None
    if info is None:
        return changes, (set(), set())
    kept = _instance_changes(api, cache, summary, info, parameter)
    return None if kept is None else (changes, kept)


def _function_changes(
    api: CheckerPluginInterface, cache: ScanCache, summary: Summary, path: tuple[str, ...], depth: int
) -> Changes | None:
    """The changes `summary`'s function (and the callees it passes the object to) may make
    below `path`, relative to it.  A change at or above `path` is a change of everything."""
    replaced: set[tuple[str, ...]] = set()
    exposed: set[tuple[str, ...]] = set()
    for changed, into in ((summary.replaced, replaced), (summary.exposed, exposed)):
        for other in changed:
            if other[: len(path)] == path:
                into.add(other[len(path) :])
            elif path[: len(other)] == other:
                exposed.add(())
    for passed in summary.passes:
        if path[: len(passed.path)] == passed.path and len(passed.path) < len(path):
            exposed.add(())  # an object above it handed on: anything below it may change
            continue
        if passed.path[: len(path)] != path:
            continue
        if depth >= MAX_DEPTH or _class_by_name(api, passed.callee) is not None:
            exposed.add(passed.path[len(path) :])  # a new instance may keep it: not followed here
            continue
        target = _function_by_name(api, passed.callee)
        inner = _summary(api, cache, target) if target is not None else None
        parameter = _parameter(inner, passed.argument, bound=_is_method(target)) if inner is not None else None
        nested = _function_changes(api, cache, inner, (parameter,), depth + 1) if inner and parameter else None
        prefix = passed.path[len(path) :]
        if nested is None:
            exposed.add(prefix)
            continue
        replaced |= {prefix + rel for rel in nested[0]}
        exposed |= {prefix + rel for rel in nested[1]}
    return replaced, exposed


def _instance_changes(
    api: CheckerPluginInterface, cache: ScanCache, init: Summary, info: TypeInfo, parameter: str
) -> Changes | None:
    """What the methods of the new instance may do to the object through the attributes that
    keep it (`self.users = users`)."""
    replaced: set[tuple[str, ...]] = set()
    exposed: set[tuple[str, ...]] = set()
    kept = [(attribute, source[1:]) for attribute, source, _ in init.stores if source[:1] == (parameter,)]
    if not kept:
        return replaced, exposed
    for method in _methods(info):
        summary = _summary(api, cache, method)
        if summary is None:
            return None
        owner = summary.params[0] if summary.params else "self"
        for attribute, below in kept:
            changes = _function_changes(api, cache, summary, (owner,) + attribute[1:], 1)
            if changes is None:
                return None
            replaced |= {below + rel for rel in changes[0]}
            exposed |= {below + rel for rel in changes[1]}
    return replaced, exposed


def _instance_harmless(
    api: CheckerPluginInterface, cache: ScanCache, callee: Callee, path: tuple[str, ...], depth: int
) -> bool:
    """The parameter may be stored in attributes of the new instance: every method of the
    class must leave those attributes' paths alone."""
    assert callee.info is not None
    attributes = [
        attribute + path[len(source) :]
        for attribute, source, _ in callee.function.stores
        if path[: len(source)] == source
    ]
    if not attributes:
        return True
    for method in _methods(callee.info):
        summary = _summary(api, cache, method)
        if summary is None:
            return False
        owner = summary.params[0] if summary.params else "self"
        for attribute in attributes:
            if not _function_harmless(api, cache, summary, (owner,) + attribute[1:], depth + 1):
                return False
    return True


def resolve_callee(
    api: CheckerPluginInterface, cache: ScanCache, call: CallExpr, argument: Expression
) -> Callee | None:
    """The summarized function (or class) `call` runs, and the parameter `argument` binds."""
    callee = call.callee
    node = callee.node if isinstance(callee, RefExpr) else None
    info: TypeInfo | None = None
    func: FuncDef | None
    if isinstance(node, TypeInfo):
        info = node
        func = _plain_function(node.get("__init__").node) if node.get("__init__") is not None else None  # type: ignore[union-attr]
        if func is None or func.info is None or func.info.fullname == "builtins.object" or _plain_class_problem(node):
            return None
    else:
        func = _plain_function(node) if node is not None else _method_of_receiver(api, callee)
    if func is None:
        return None
    summary = _summary(api, cache, func)
    if summary is None:
        return None
    bound = info is not None or _is_bound_call(func, callee)
    parameter = _bound_parameter(summary, call, argument, bound)
    return Callee(summary, parameter, info) if parameter is not None else None


def _bound_parameter(summary: Summary, call: CallExpr, argument: Expression, bound: bool) -> str | None:
    params = summary.params[1:] if bound else summary.params
    try:
        position = next(i for i, arg in enumerate(call.args) if arg is argument)
    except StopIteration:
        return None
    kind, name = call.arg_kinds[position], call.arg_names[position]
    if kind == ARG_POS:
        index = sum(1 for k in call.arg_kinds[:position] if k == ARG_POS)
        return params[index] if index < len(params) else None
    if kind == ARG_NAMED and name in params:
        return name
    return None


def _parameter(summary: Summary, argument: Union[int, str], bound: bool) -> str | None:
    params = summary.params[1:] if bound else summary.params
    if isinstance(argument, int):
        return params[argument] if argument < len(params) else None
    return argument if argument in params else None


def _plain_function(node: object) -> FuncDef | None:
    """A function whose body is what runs (not decorated, not overloaded)."""
    if isinstance(node, FuncDef) and not node.is_decorated:
        return node
    return None


def _plain_class_problem(info: TypeInfo) -> bool:
    """A class whose construction may run code the summaries do not see (`__new__`, a
    metaclass `__call__`)."""
    new_owner = info.get_containing_type_info("__new__")
    if new_owner is not None and new_owner.fullname != "builtins.object":
        return True
    metaclass = info.metaclass_type
    return metaclass is not None and metaclass.type.fullname not in ("builtins.type", "abc.ABCMeta")


def _methods(info: TypeInfo) -> list[FuncDef]:
    """Every method an instance may run (its class's and its bases', nearest first); a method
    that is not a plain function makes the whole class unknown (None in the list)."""
    methods: list[FuncDef] = []
    seen: set[str] = set()
    for klass in info.mro[:-1]:
        for name, symbol in klass.names.items():
            if name in seen:
                continue
            seen.add(name)
            node = symbol.node
            func = _plain_function(node)
            if func is not None:
                methods.append(func)
            elif isinstance(node, (Decorator, OverloadedFuncDef)):
                func = node.func if isinstance(node, Decorator) else None
                if func is not None and (func.is_static or func.is_class):
                    continue  # no instance in reach (a classmethod gets the class only)
                if isinstance(node, Decorator) and func is not None:
                    methods.append(func)  # properties and wrapped methods: the body still runs
    return methods


def _method_of_receiver(api: CheckerPluginInterface, callee: Expression) -> FuncDef | None:
    """`svc.get` where the receiver's type is a class of the build: its method."""
    if not isinstance(callee, MemberExpr):
        return None
    lookup = getattr(api, "lookup_type_or_none", None)
    receiver = lookup(callee.expr) if lookup is not None else None
    info = getattr(receiver, "type", None)
    if not isinstance(info, TypeInfo) or isinstance(receiver, AnyType):
        return None
    symbol = info.get(callee.name)
    return _plain_function(symbol.node) if symbol is not None else None


def _is_bound_call(func: FuncDef, callee: Expression) -> bool:
    return _is_method(func) and isinstance(callee, MemberExpr)


def _is_method(func: FuncDef | None) -> bool:
    return func is not None and not isinstance(func.info, FakeInfo) and not func.is_static


def _function_by_name(api: CheckerPluginInterface, fullname: str) -> FuncDef | None:
    module = source_module(api, fullname)
    if module is None:
        return None
    parts = fullname[len(module.fullname) + 1 :].split(".")
    node: object = module.names.get(parts[0]).node if parts[0] in module.names else None  # type: ignore[union-attr]
    for part in parts[1:]:
        if not isinstance(node, TypeInfo) or part not in node.names:
            return None
        node = node.names[part].node
    if isinstance(node, TypeInfo):
        init = node.get("__init__")
        return _plain_function(init.node) if init is not None else None
    return _plain_function(node)


def _class_by_name(api: CheckerPluginInterface, fullname: str) -> TypeInfo | None:
    module = source_module(api, fullname)
    if module is None:
        return None
    node: object = module
    for part in fullname[len(module.fullname) + 1 :].split("."):
        names = node.names if isinstance(node, (MypyFile, TypeInfo)) else None
        symbol = names.get(part) if names is not None else None
        if symbol is None:
            return None
        node = symbol.node
    return node if isinstance(node, TypeInfo) else None


def _summary(api: CheckerPluginInterface, cache: ScanCache, func: FuncDef) -> Summary | None:
    scopes = scopes_of(api)
    current = scopes[-1] if scopes and isinstance(scopes[-1], MypyFile) else None
    if not isinstance(func.info, FakeInfo) and func.info.module_name != getattr(current, "fullname", None):
        # A method's summary is its class's metadata: the daemon rechecks the reader when the
        # class's recorded facts change (specs/classfacts.py puts their digest in the class).
        depend_on(api, [func.info.fullname, func.info.fullname + WILDCARD_TAG])
    summary: Summary | None = cache.summaries.of_function(func, current)
    return summary


def source_module(api: CheckerPluginInterface, fullname: str) -> MypyFile | None:
    """The module of the build that defines `fullname`, when it is source code the plugin
    reads (not a stub, not an installed library)."""
    modules = getattr(api, "modules", None)
    if not isinstance(modules, dict):
        return None
    name = fullname
    while "." in name:
        name = name.rpartition(".")[0]
        module = modules.get(name)
        if isinstance(module, MypyFile):
            return None if module.is_stub or installed(module.path) else module
    return None



def held_argument(api: CheckerPluginInterface, cache: ScanCache, construction: CallExpr, attribute: str) -> Expression | None:
    """For `svc = UserService(session)`: the argument that `svc.<attribute>` certainly is —
    `__init__` stores it there on every path, once, and no other method rebinds it."""
    callee = construction.callee
    info = callee.node if isinstance(callee, RefExpr) else None
    if not isinstance(info, TypeInfo) or _plain_class_problem(info):
        return None
    init_symbol = info.get("__init__")
    init = _plain_function(init_symbol.node) if init_symbol is not None else None
    summary = _summary(api, cache, init) if init is not None else None
    if summary is None or not summary.params or summary.rebinds.get(attribute) != 1:
        return None
    owner = summary.params[0]
    sources = [source for target, source, certain in summary.stores if target == (owner, attribute) and certain]
    if len(sources) != 1 or len(sources[0]) != 1:
        return None
    for method in _methods(info):
        if method is init:
            continue
        other = _summary(api, cache, method)
        if other is None or attribute in other.rebinds:
            return None
    for position, (kind, name) in enumerate(zip(construction.arg_kinds, construction.arg_names)):
        argument = construction.args[position]
        if _bound_parameter(summary, construction, argument, bound=True) == sources[0][0]:
            return argument
    return None


def stored_attributes(api: CheckerPluginInterface, cache: ScanCache, construction: CallExpr) -> list[str]:
    """The attributes `__init__` stores an argument of `construction` in."""
    callee = construction.callee
    info = callee.node if isinstance(callee, RefExpr) else None
    init_symbol = info.get("__init__") if isinstance(info, TypeInfo) else None
    init = _plain_function(init_symbol.node) if init_symbol is not None else None
    summary = _summary(api, cache, init) if init is not None else None
    if summary is None or not summary.params:
        return []
    owner = summary.params[0]
    return [target[1] for target, _, _ in summary.stores if len(target) == 2 and target[0] == owner]


def resolve_function(api: CheckerPluginInterface, cache: ScanCache, call: CallExpr) -> tuple[str, Summary, bool] | None:
    """The summarized function or method a call runs: its name for messages, its summary,
    and whether its first parameter is the receiver."""
    callee = call.callee
    node = callee.node if isinstance(callee, RefExpr) else None
    func = _plain_function(node) if node is not None else _method_of_receiver(api, callee)
    if func is None:
        return None
    summary = _summary(api, cache, func)
    if summary is None:
        return None
    bound = _is_bound_call(func, callee)
    name = f"{func.info.name}.{func.name}" if _is_method(func) else func.name
    module = func.info.module_name if _is_method(func) else func.fullname.rpartition(".")[0]
    return f"{name} ({module}", summary, bound
