"""What `with m as x` and `async with m as x` bind when `m` is a mock: `m.__enter__()`'s value,
or the await of `m.__aenter__()` (see `rules.entered_state`), so that `x` is checked like any
mock (`async with pool.acquire() as conn: await conn.fetch()`).

The value is precise only where `x` is used in place (the widening rule: the `with` item follows
`x` in positions.py); elsewhere `x` keeps the type plain mypy gives it, and the plugin recalls
what it holds through the `m.__enter__()` expression provenance binds `x` to.
"""

from __future__ import annotations

from typing import Iterable

from mypy.nodes import CallExpr, Expression, MemberExpr, MypyFile
from mypy.plugin import CheckerPluginInterface
from mypy.types import Type

from mypy_async_strict.knowledge.certainty import judge
from mypy_async_strict.knowledge.provenance import ScanCache, scopes_of
from mypy_async_strict.knowledge.values import precise_type
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import entered_state
from mypy_async_strict.specs.members import magic_nature


def target_type(
    api: CheckerPluginInterface, cache: ScanCache, item: Expression, mock: MockType, is_async: bool
) -> Type | None:
    """The type of the value the statement binds, where it is used in place; None when unknown
    (or not bound, or stored: then it keeps mypy's default)."""
    scopes = scopes_of(api)
    if not scopes or not isinstance(scopes[-1], MypyFile):
        return None
    facts = cache.facts(scopes[0])
    binding = _binding(facts.definitions.values(), item)
    if binding is None:
        return None
    method = binding.callee
    assert isinstance(method, MemberExpr)
    if judge(api, cache, method).replacement is not None:
        return None  # `m.__enter__ = ...`: its calls are whatever that mock gives
    verdict = judge(api, cache, binding)
    if not verdict.certain:
        return None
    if verdict.replacement is not None:
        value = precise_type(api, cache, verdict.replacement)  # `m.__enter__.return_value = X()`
    else:
        spec_method = magic_nature(mock.state, mock.stands_for, method.name) if mock.state.specced else None
        state = entered_state(mock.state, is_async, spec_method)
        value = mocktypes.encode(api, state, None) if state is not None else None
    if value is None or mocktypes.decode(value) is None:
        return None
    cache.remember(scopes[-1], binding, value)
    return value if id(item) in facts.in_place else None


def _binding(definitions: Iterable[list[Expression | None]], item: Expression) -> CallExpr | None:
    """The `item.__enter__()` expression a `with item as x` binds `x` to (see provenance)."""
    for values in definitions:
        for value in values:
            if (
                isinstance(value, CallExpr)
                and isinstance(value.callee, MemberExpr)
                and value.callee.expr is item
                and value.callee.name in ("__enter__", "__aenter__")
            ):
                return value
    return None

