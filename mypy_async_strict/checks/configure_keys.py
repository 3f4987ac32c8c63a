"""`mock-spec`: configuration keys that name attributes the spec lacks.

CPython's `configure_mock(**kwargs)` (also what a mock constructor, or `create_autospec`, does
with its extra keywords) takes the keys with fewer dots first, and for each one reads every
component but the last with `getattr` and sets the last with `setattr`:
`MagicMock(spec=Repo, **{"fetchone.return_value": 1})` reads `m.fetchone`, which raises
AttributeError when `Repo` has no `fetchone`.  A key without a dot only sets, which fails only
under `spec_set` (`MagicMock(spec_set=Repo, retries=3)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Union

from mypy.nodes import ARG_NAMED, ARG_STAR2, CallExpr, DictExpr, MemberExpr, StrExpr
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext
from mypy.types import Instance, Type, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.checks.spec_attributes import SET_MODES
from mypy_async_strict.knowledge.certainty import failure_expected
from mypy_async_strict.knowledge.lifecycle import local, untouched
from mypy_async_strict.knowledge.provenance import NON_CONFIGURING_KEYWORDS, ScanCache, configuring_call
from mypy_async_strict.knowledge.values import known_mock
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Member, child_state
from mypy_async_strict.specs.classsource import ModuleClassSource
from mypy_async_strict.specs.members import lookup_member, spec_class

CallContext = Union[FunctionContext, MethodContext]
# Names `NonCallableMock.__setattr__` lets through whatever the spec (`_allowed_names`).
ALWAYS_SETTABLE: Final = frozenset({"return_value", "side_effect"})
STOPS: Final = frozenset({"return_value", "side_effect"})  # the walk does not follow these


@dataclass(frozen=True)
class Problem:
    key: str
    read: str  # the dotted path that raises ("other", "fetch.zzz"), or the key itself for a set
    name: str
    mock: MockType  # the specced mock that lacks `name`
    is_set: bool


def keys_of(call: CallExpr, skip: frozenset[str]) -> list[str] | None:
    """The configuration keys of a call (keywords and a literal `**{...}`), None when some
    cannot be read."""
    keys: list[str] = []
    for kind, name, arg in zip(call.arg_kinds, call.arg_names, call.args):
        if kind == ARG_NAMED and name is not None:
            if name not in skip:
                keys.append(name)
        elif kind == ARG_STAR2:
            if not isinstance(arg, DictExpr) or not all(isinstance(key, StrExpr) for key, _ in arg.items):
                return None
            keys.extend(key.value for key, _ in arg.items if isinstance(key, StrExpr))
    return keys


def problems(api: CheckerPluginInterface, mock: MockType, keys: list[str]) -> list[Problem]:
    """The keys whose first component certainly raises on `mock` as its spec made it: read
    (`"other.return_value"`), or set under spec_set (`"other"`).  Deeper components are not
    judged: `create_autospec` configures before it autospecs the children up to 3.12, after
    from 3.13 (`create_autospec(C, **{"sync.zzz.x": 1})` raises on 3.13 only)."""
    found: list[Problem] = []
    mock_class = get_proper_type(mocktypes.encode(api, mock.state, mock.stands_for))
    for key in keys:
        parts = key.split(".")
        if any(".".join(parts[:i]) in keys for i in range(1, len(parts))):
            continue  # a shorter key sets a prefix first: the reads go through its value
        problem = _walk(api, mock, key, parts[:2], mock_class)
        if problem is not None:
            found.append(problem)
    return found


def _walk(api: CheckerPluginInterface, mock: MockType, key: str, parts: list[str], mock_class: object) -> Problem | None:
    source = ModuleClassSource(api)
    current = mock
    for index, name in enumerate(parts):
        last = index == len(parts) - 1
        if name in STOPS or name.startswith("_") or not current.state.specced:
            return None
        if last and (current.state.mode not in SET_MODES or index > 0 or _declared(mock_class, name)):
            return None  # a set: fails only for a name spec_set lacks (judged on the mock itself)
        member = lookup_member(current.state, current.stands_for, name, source)
        if member.nature is Member.MISSING:
            if spec_class(current.state, current.stands_for) is None and not current.state.mode.is_names:
                return None  # an autospecced function: not modelled here
            return Problem(key, ".".join(parts[: index + 1]), name, current, is_set=last)
        if member.nature is Member.UNKNOWN:
            return None
        state = child_state(current.state, member.nature)
        if state is None:
            return None
        current = MockType(state, member.typ)
    return None


def _declared(mock_class: object, name: str) -> bool:
    return isinstance(mock_class, Instance) and mock_class.type.get(name) is not None


def report(api: CheckerPluginInterface, call: CallExpr, problem: Problem) -> None:
    info = spec_class(problem.mock.state, problem.mock.stands_for)
    if info is not None:
        spec = info.name
        lacks = f'has no attribute "{problem.name}"'
    else:
        names = mocktypes.listed_names(problem.mock.stands_for) or frozenset()
        spec = "the names [" + ", ".join(f'"{name}"' for name in sorted(names)) + "]"
        lacks = f'do not include "{problem.name}"'
    action = "sets" if problem.is_set else "reads"
    made = "made with spec_set from" if problem.is_set else "specced from"
    message = (
        f'The key "{problem.key}" raises AttributeError at run time: it {action} "{problem.read}", '
        f"and the mock is {made} {spec}, which {lacks}"
    )
    error = api.fail(message, call, code=errorcodes.MOCK_SPEC)
    api.msg.note(
        "Configure only attributes the spec has (or set the new one first, without spec_set)",
        call,
        code=errorcodes.MOCK_SPEC,
        parent_error=error,
    )


class ConfigureKeys:
    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache

    def check_constructor(self, ctx: CallContext, result: Type) -> None:
        """After a constructor hook: its keys against the spec it was just given."""
        mock = mocktypes.decode(result)
        call = ctx.context
        if mock is None or not isinstance(call, CallExpr) or not mock.state.specced:
            return
        call = configuring_call(call)
        keys = keys_of(call, NON_CONFIGURING_KEYWORDS | {"spec", "spec_set", "wraps"})
        if keys is None or failure_expected(ctx.api, self.cache, call.line):
            return
        for problem in problems(ctx.api, mock, keys):
            report(ctx.api, call, problem)

    def check_configure(self, ctx: MethodContext) -> Type:
        """`m.configure_mock(...)`: the first component of each key, where `m.<name>` is still
        what the spec made (nothing set it since)."""
        call = ctx.context
        if not isinstance(call, CallExpr) or not isinstance(call.callee, MemberExpr):
            return ctx.default_return_type
        base = call.callee.expr
        mock = mocktypes.decode(ctx.type) or known_mock(ctx.api, self.cache, base)
        if mock is None or not mock.state.specced or failure_expected(ctx.api, self.cache, call.line):
            return ctx.default_return_type
        keys = keys_of(call, frozenset())
        if keys is None:
            return ctx.default_return_type
        for problem in problems(ctx.api, mock, keys):
            first = (problem.read.split(".")[0],)
            found = local(ctx.api, self.cache, base, first)
            if found is not None and untouched(found, first, call.line, call):
                report(ctx.api, call, problem)
        return ctx.default_return_type
