"""After `m.mock_add_spec(S)`: `m`'s attributes follow `S` (see knowledge/lifecycle.py)."""

from __future__ import annotations

from mypy.nodes import Expression, MemberExpr
from mypy.plugin import CheckerPluginInterface
from mypy.server.trigger import WILDCARD_TAG

from mypy_async_strict.hooks.constructors import added_spec_state
from mypy_async_strict.knowledge.certainty import Verdict
from mypy_async_strict.knowledge.dependencies import depend_on
from mypy_async_strict.knowledge.lifecycle import added_spec
from mypy_async_strict.knowledge.provenance import ScanCache, path_of
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.specs.members import spec_class

CERTAIN = Verdict(certain=True)


def respecced_parent(
    api: CheckerPluginInterface, cache: ScanCache, parent: MockType, expr: MemberExpr
) -> MockType | None:
    """The parent of `expr` as `mock_add_spec` left it, when that statement decides `expr`: the
    respecced mock for `m.x`, the (already respecced) parent itself deeper down."""
    statement = added_spec(api, cache, expr)
    path = path_of(expr)
    if statement is None or path is None:
        return None
    if len(path.segments) > 1:
        return parent
    state = added_spec_state(api, parent.state.kind, statement.call)
    if state is None:
        return None
    encoded = mocktypes.encode(api, *state)
    respecced = mocktypes.decode(encoded) if encoded is not None else None
    info = spec_class(respecced.state, respecced.stands_for) if respecced is not None else None
    if info is not None and api.options.fine_grained_incremental:  # the daemon re-checks the test when the spec changes
        depend_on(api, [name for klass in info.mro[:-1] for name in (klass.fullname, klass.fullname + WILDCARD_TAG)])
    return respecced


def verdict_after_add_spec(api: CheckerPluginInterface, cache: ScanCache, expr: Expression) -> Verdict | None:
    """Certain, where `mock_add_spec` decides `expr` and nothing else may have changed it."""
    return CERTAIN if added_spec(api, cache, expr) is not None else None
