"""`async with` and `async for` on mocks whose magic methods the test replaced, and what
`async with mock as value` binds.

A MagicMock's (or AsyncMock's) `__aenter__`, `__aexit__` and `__anext__` are AsyncMocks, and its
`__aiter__` turns its return value into an asynchronous iterator.  A test that *assigns* one of
them replaces that machinery with whatever it assigns: `m.__aenter__ = MagicMock(return_value=conn)`
makes `async with m` call a sync mock and await its result, `conn`:
`TypeError: 'async with' received an object from __aenter__ that does not implement __await__`.
`m.__aiter__ = MagicMock(return_value=[1, 2])` hands `async for` a list:
`TypeError: 'async for' received an object from __aiter__ that does not implement __anext__`.
Configuring the default instead (`m.__aenter__.return_value = conn`) works.

Unreplaced, `async with m as value` binds the default `__aenter__`'s return value: an unspecced
AsyncMock (CPython 3.10-3.13, with or without a spec).  The statement's item is typed there only
where it is used in place (knowledge/positions.py: the bound name is used in place too).
"""

from __future__ import annotations

from typing import Final

from mypy.messages import format_type_bare
from mypy.nodes import ARG_NAMED, CallExpr, Expression, MypyFile
from mypy.plugin import CheckerPluginInterface, MethodContext
from mypy.types import AnyType, Instance, NoneType, Type, TypeOfAny, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.knowledge import certainty
from mypy_async_strict.knowledge.certainty import UNCERTAIN, Verdict, failure_expected
from mypy_async_strict.knowledge.configured import Outcome, awaitable, configured_call
from mypy_async_strict.knowledge.provenance import ScanCache, is_mock_constructor, path_of, scopes_of
from mypy_async_strict.knowledge.values import precise_type
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Kind, MockState, SpecMode, Target
from mypy_async_strict.render import article, render

CALL: Final = "()"
# Kinds whose default magic methods make `async with`/`async for` work.
ASYNC_MAGIC_KINDS: Final = frozenset({Kind.MAGIC_MOCK, Kind.ASYNC_MOCK})
# Modes whose `async with` binds an unspecced AsyncMock (checked on CPython 3.10-3.13).
ENTERED_MODES: Final = frozenset({SpecMode.NONE, SpecMode.CHILD, SpecMode.SPEC, SpecMode.SPEC_SET})
SYNC_MOCKS: Final = frozenset({Kind.MAGIC_MOCK, Kind.MOCK})


def statement_verdict(
    api: CheckerPluginInterface, cache: ScanCache, item: Expression, segments: tuple[str, ...]
) -> Verdict:
    """What sits at `<item>.<segments>` when the statement using `item` runs: the judgment of
    `certainty.judge`, for a path that has no expression of its own (the statement's implicit
    `item.__aenter__()`).  The item itself is the query's expression, so its own use by the
    statement is not taken for an escape (as `protocol_configured` does)."""
    path = path_of(item)
    scopes = scopes_of(api)
    if path is None or not scopes:
        return UNCERTAIN
    located = certainty._locate(path, scopes, cache, api)
    if located is None:
        return UNCERTAIN
    facts, constructor, path = located
    if constructor is None:
        return UNCERTAIN
    nested_query = scopes[0] is not facts.scope
    return certainty._verdict(api, cache, facts, constructor, path.extend(*segments), item, nested_query)


def check_replaced_magic(ctx: MethodContext, cache: ScanCache, name: str, parent: Type) -> None:
    """Report `async with`/`async for` on a mock whose `name` was replaced by a sync mock whose
    call certainly gives what the statement cannot use."""
    item = ctx.context
    mock = mocktypes.decode(parent)
    if not isinstance(item, Expression) or mock is None or mock.state.kind not in ASYNC_MAGIC_KINDS:
        return
    if failure_expected(ctx.api, cache, item.line):
        return
    if name == "__aexit__" and _awaited_problem(ctx.api, cache, item, "__aenter__") is not None:
        return  # reported once, for __aenter__
    if name in ("__aenter__", "__aexit__"):
        problem = _awaited_problem(ctx.api, cache, item, name)
        if problem is None:
            return
        replacement, what = problem
        text = render(item)
        message = (
            f'"async with" raises TypeError at run time: "{text}.{name}" is {replacement} put in place '
            f"of the mock's own, and its call returns {what}, which is not awaitable"
        )
        hint = (
            f'Configure the mock\'s own AsyncMock instead ("{text}.{name}.return_value = ..."), or '
            f'assign an AsyncMock ("{text}.{name} = AsyncMock(...)")'
        )
        error = ctx.api.fail(message, item, code=errorcodes.MOCK_AWAIT)
        ctx.api.msg.note(hint, item, code=errorcodes.MOCK_AWAIT, parent_error=error)
    elif name == "__aiter__":
        problem = _iterator_problem(ctx.api, cache, item)
        if problem is None:
            return
        replacement, what = problem
        text = render(item)
        message = (
            f'"async for" raises TypeError at run time: "{text}.__aiter__" is {replacement} put in '
            f"place of the mock's own, and its call returns {what}, which has no __anext__"
        )
        hint = (
            f'Configure the mock\'s own __aiter__ instead: "{text}.__aiter__.return_value = [...]" '
            "(the mock iterates it asynchronously)"
        )
        error = ctx.api.fail(message, item, code=errorcodes.ASYNC_FOR)
        ctx.api.msg.note(hint, item, code=errorcodes.ASYNC_FOR, parent_error=error)


def _replacement(api: CheckerPluginInterface, cache: ScanCache, item: Expression, name: str) -> Expression | None:
    """The expression the test certainly put at `<item>.<name>`."""
    verdict = statement_verdict(api, cache, item, (name,))
    if not verdict.certain or verdict.side_effect:
        return None
    return verdict.replacement


def _replacing_sync_mock(
    api: CheckerPluginInterface, cache: ScanCache, item: Expression, name: str
) -> MockType | None:
    """The sync mock that certainly sits at `<item>.<name>`, put there by the test."""
    replacement = _replacement(api, cache, item, name)
    replaced = precise_type(api, cache, replacement) if replacement is not None else None
    mock = mocktypes.decode(replaced) if replaced is not None else None
    if mock is None or mock.state.kind not in SYNC_MOCKS:
        return None
    return mock


def _returned(
    api: CheckerPluginInterface, cache: ScanCache, item: Expression, name: str
) -> tuple[Type | None, bool] | None:
    """What calling the replacement gives: (its type, whether it was configured); None when
    not certain or not a plain value (it raises, or an async side effect makes a coroutine)."""
    verdict = statement_verdict(api, cache, item, (name, CALL))
    if verdict.certain and verdict.replacement is None:
        return None, False  # the sync mock's own return value: a mock of its kind
    if verdict.certain and verdict.replacement is not None:
        value, side_effect = verdict.replacement, verdict.side_effect
    else:
        # `m.__aenter__ = MagicMock(return_value=conn)`: the replacement and its keywords
        # are two configurations at two depths, which the judge does not order.
        own = _own_keywords(api, cache, item, name, _replacement(api, cache, item, name))
        if own is None:
            return None
        value, side_effect = own
    configured = configured_call(api, cache, value, side_effect, async_mock=False)
    if configured is None or configured.outcome is not Outcome.VALUE or configured.value is None:
        return None
    return configured.value, True


def _own_keywords(
    api: CheckerPluginInterface, cache: ScanCache, item: Expression, name: str, replacement: Expression | None
) -> tuple[Expression, bool] | None:
    """The `return_value=` (or `side_effect=`) of the sync mock constructor assigned to
    `<item>.<name>`, when the function configures nothing else at or below `<item>.<name>`
    (through any alias): the one assignment is all that configures it (an escape or a
    configuration above it makes the replacement itself uncertain)."""
    if not isinstance(replacement, CallExpr) or not is_mock_constructor(replacement):
        return None
    keywords: dict[str, Expression] = {}
    for kind, keyword, arg in zip(replacement.arg_kinds, replacement.arg_names, replacement.args):
        if kind != ARG_NAMED or keyword is None:
            return None  # a spec (maybe a coroutine function), **kwargs: unknown
        keywords[keyword] = arg
    if set(keywords) - {"return_value", "side_effect", "name"}:
        return None  # wraps=, spec=, ...
    path = path_of(item)
    scopes = scopes_of(api)
    located = certainty._locate(path, scopes, cache, api) if path is not None and scopes else None
    if located is None:
        return None
    facts, _, path = located
    at = path.segments + (name,)
    own = {id(replacement)} | {id(arg) for arg in keywords.values()}
    for event in certainty._rooted_events(facts):
        if event.path.root is path.root and event.path.segments[: len(at)] == at:
            if event.value is None or id(event.value) not in own:
                return None  # configured elsewhere too (`m.__aenter__.return_value = ...`)
    if "side_effect" in keywords:
        return keywords["side_effect"], True
    if "return_value" in keywords:
        return keywords["return_value"], False
    return None


def _awaited_problem(
    api: CheckerPluginInterface, cache: ScanCache, item: Expression, name: str
) -> tuple[str, str] | None:
    mock = _replacing_sync_mock(api, cache, item, name)
    if mock is None:
        return None
    returned = _returned(api, cache, item, name)
    if returned is None:
        return None
    value, configured = returned
    kind = mock.state.kind.value
    if value is None:
        default = Kind.MAGIC_MOCK.value if mock.state.kind is Kind.MAGIC_MOCK else Kind.MOCK.value
        return f"{article(kind)} {kind}", f"{article(default)} {default}"
    if awaitable(value) is not False:
        return None
    return f"{article(kind)} {kind}", _describe(api, value)


def _iterator_problem(api: CheckerPluginInterface, cache: ScanCache, item: Expression) -> tuple[str, str] | None:
    mock = _replacing_sync_mock(api, cache, item, "__aiter__")
    if mock is None:
        return None
    returned = _returned(api, cache, item, "__aiter__")
    if returned is None or returned[0] is None:
        return None  # a mock returned by the replacement has a (mock) __anext__ of its own
    value = get_proper_type(returned[0])
    if isinstance(value, NoneType):
        pass
    elif not isinstance(value, Instance) or value.type.fallback_to_any or mocktypes.decode(value) is not None:
        return None
    elif value.type.get("__anext__") is not None:
        return None
    kind = mock.state.kind.value
    return f"{article(kind)} {kind}", _describe(api, returned[0])


def _describe(api: CheckerPluginInterface, value: Type) -> str:
    proper = get_proper_type(value)
    mock = mocktypes.decode(proper)
    if mock is not None:
        kind = mock.state.kind.value
        return f"{article(kind)} {kind}"
    if isinstance(proper, NoneType):
        return "None (configured)"
    return _quoted(format_type_bare(value, api.options)) + " (configured)"


def entered_type(ctx: MethodContext, cache: ScanCache, parent: Type) -> Type:
    """What `async with <mock> as value` binds: the default `__aenter__`'s return value (an
    unspecced AsyncMock), where nothing replaced or configured it and the item is used in
    place; `Any` otherwise."""
    any_type = AnyType(TypeOfAny.special_form)
    item = ctx.context
    mock = mocktypes.decode(parent)
    if not isinstance(item, Expression) or mock is None:
        return any_type
    if mock.state.kind not in ASYNC_MAGIC_KINDS or mock.state.mode not in ENTERED_MODES:
        return any_type
    scopes = scopes_of(ctx.api)
    if not scopes or not isinstance(scopes[-1], MypyFile) or id(item) not in cache.facts(scopes[0]).in_place:
        return any_type
    for segments in (("__aenter__",), ("__aenter__", CALL)):
        verdict = statement_verdict(ctx.api, cache, item, segments)
        if not verdict.certain or verdict.replacement is not None:
            return any_type
    entered = mocktypes.encode(ctx.api, MockState(Kind.ASYNC_MOCK, SpecMode.NONE, Target.NOTHING), None)
    return entered if entered is not None else any_type


def _quoted(type_name: str) -> str:
    """`an "int"`, `a "list[int]"`."""
    return f'{"an" if type_name[:1].lower() in "aeiou" else "a"} "{type_name}"'
