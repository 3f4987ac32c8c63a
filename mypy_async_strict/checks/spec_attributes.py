"""`mock-spec`: reading an attribute the spec does not have raises AttributeError; so does
writing one on a mock made with `spec_set` (or `create_autospec(..., spec_set=True)`)."""

from __future__ import annotations

import difflib
from typing import Union

from mypy.nodes import CallExpr, MemberExpr, NameExpr, TypeInfo, Var
from mypy.plugin import (
    AttributeContext,
    CheckerPluginInterface,
    FunctionContext,
    MethodContext,
)
from mypy.types import Instance, Type, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.knowledge.certainty import failure_expected
from mypy_async_strict.knowledge.provenance import EventKind, ScanCache, scopes_of
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Member, SpecMode
from mypy_async_strict.render import render
from mypy_async_strict.specs.classsource import ModuleClassSource
from mypy_async_strict.specs.members import lookup_member, spec_class

CallContext = Union[FunctionContext, MethodContext]
SET_MODES = frozenset({SpecMode.SPEC_SET, SpecMode.AUTOSPEC_SET, SpecMode.NAMES_SET})


class SpecSetWrites:
    """After a constructor hook: `m = MagicMock(spec_set=C)`, then `m.extra = 1` anywhere in the
    scope raises AttributeError.  mypy runs no plugin hook for attribute stores on a class with
    `__setattr__`, so the stores are found from the mock's construction instead."""

    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache

    def check(self, ctx: CallContext, result: Type) -> None:
        mock = mocktypes.decode(result)
        call = ctx.context
        if mock is None or mock.state.mode not in SET_MODES or not isinstance(call, CallExpr):
            return
        info = spec_class(mock.state, mock.stands_for)
        mock_class = get_proper_type(result)
        if (info is None and not mock.state.mode.is_names) or not isinstance(mock_class, Instance):
            return
        for store in self._stores(ctx.api, call):
            name = store.name
            if mock_class.type.get(name) is not None or name.startswith("_"):
                continue  # the mock's own API (`return_value`, `_mock_name`, ...) is settable
            if failure_expected(ctx.api, self.cache, store.line):
                continue
            source = ModuleClassSource(ctx.api)
            member = lookup_member(mock.state, mock.stands_for, name, source)
            if member.nature is Member.MISSING:
                _report_write(ctx.api, info, store, mock)

    def _stores(self, api: CheckerPluginInterface, call: CallExpr) -> list[MemberExpr]:
        """`var.name = ...` for the variable bound to this call and to nothing else."""
        scopes = scopes_of(api)
        if not scopes:
            return []
        facts = self.cache.facts(scopes[0])
        bound = [var for var, values in facts.definitions.items() if values == [call]]
        if len(bound) != 1:
            return []
        var = bound[0]
        if any(e.kind is EventKind.SUBTREE and e.path.root is var for e in facts.events):
            return []  # `mock_add_spec`, `configure_mock`, `setattr`: the spec may have changed
        return [
            event.target
            for event in facts.events
            if event.kind is EventKind.REPLACE
            and event.path.root is var
            and len(event.path.segments) == 1
            and event.value is not None  # not `m.a, m.b = ...`: only the first store runs
            and isinstance(event.target, MemberExpr)
            and isinstance(event.target.expr, NameExpr)
        ]


def _report_write(api: CheckerPluginInterface, info: TypeInfo | None, store: MemberExpr, mock: MockType) -> None:
    name = store.name
    message = (
        f'"{render(store)} = ..." raises AttributeError at run time: the mock is made with '
        f"spec_set from {_spec_text(info, mock)}, which {_lacks(info, name)}"
    )
    error = api.fail(message, store, code=errorcodes.MOCK_SPEC)
    hint = _write_hint(info, name) if info is not None else _names_hint(mock, name, write=True)
    api.msg.note(hint, store, code=errorcodes.MOCK_SPEC, parent_error=error)


def _spec_text(info: TypeInfo | None, mock: MockType) -> str:
    if info is not None:
        return info.name
    names = mocktypes.listed_names(mock.stands_for) or frozenset()
    listed = ", ".join(f'"{name}"' for name in sorted(names))
    return f"the names [{listed}]"


def _lacks(info: TypeInfo | None, name: str) -> str:
    return f'has no attribute "{name}"' if info is not None else f'do not include "{name}"'


def _names_hint(mock: MockType, name: str, *, write: bool) -> str:
    names = sorted(mocktypes.listed_names(mock.stands_for) or ())
    close = difflib.get_close_matches(name, [n for n in names if not n.startswith("_")], n=1)
    if close:
        return f'Did you mean "{close[0]}"?'
    if write:
        return "spec_set allows only the listed names: add it to the list, or use spec= to allow new ones"
    return f'A list spec allows only the names it lists: add "{name}" to it, or set it first'


def report_missing_of(ctx: AttributeContext, mock: MockType, info: TypeInfo | None, expr: MemberExpr) -> None:
    """`expr` reads an attribute the mock's spec (a class, or a list of names) lacks."""
    spec_set = mock.state.mode in SET_MODES
    if info is not None:
        report_missing(ctx, info, expr, spec_set)
        return
    message = (
        f'"{render(expr)}" raises AttributeError at run time: the mock is specced from '
        f"{_spec_text(None, mock)}, which {_lacks(None, expr.name)}"
    )
    error = ctx.api.fail(message, expr, code=errorcodes.MOCK_SPEC)
    ctx.api.msg.note(_names_hint(mock, expr.name, write=False), expr, code=errorcodes.MOCK_SPEC, parent_error=error)


def _write_hint(info: TypeInfo, name: str) -> str:
    where = _declared_without_value(info, name)
    if where is not None:
        return f'"{name}" is {where}, so a class spec lacks it: spec_set from an instance, or use spec='
    close = _close_name(info, name)
    if close is not None:
        return f'Did you mean "{close}"?'
    return f"spec_set allows only {info.name}'s attributes: use spec= to allow new ones"


def _declared_without_value(info: TypeInfo, name: str) -> str | None:
    """Why a declared attribute is missing from a class spec: "set in __init__", ..."""
    symbol = info.get(name)
    if symbol is None or not isinstance(symbol.node, Var):
        return None
    return "set in __init__" if not symbol.node.is_initialized_in_class else "only annotated"


def _close_name(info: TypeInfo, name: str) -> str | None:
    names = [n for klass in info.mro for n in klass.names if not n.startswith("_") and n != name]
    close = difflib.get_close_matches(name, names, n=1)
    return close[0] if close else None


def report_missing(ctx: AttributeContext, info: TypeInfo, expr: MemberExpr, spec_set: bool) -> None:
    name = expr.name
    message = (
        f'"{render(expr)}" raises AttributeError at run time: the mock is specced from '
        f'{info.name}, which has no attribute "{name}"'
    )
    error = ctx.api.fail(message, expr, code=errorcodes.MOCK_SPEC)
    hint = _write_hint(info, name) if spec_set else _read_hint(info, expr)
    ctx.api.msg.note(hint, expr, code=errorcodes.MOCK_SPEC, parent_error=error)


def _read_hint(info: TypeInfo, expr: MemberExpr) -> str:
    name = expr.name
    base = render(expr.expr)
    where = _declared_without_value(info, name)
    if where is not None:
        return (
            f'"{name}" is {where}, so a class spec lacks it: set it first '
            f'("{base}.{name} = ..."), or spec from an instance'
        )
    close = _close_name(info, name)
    if close is not None:
        return f'Did you mean "{close}"?'
    return f'Set it first ("{base}.{name} = ...") if the test needs it'
