"""Compare mypy_async_strict.model with the real unittest.mock of the running interpreter.

Run as `python tests/model_probe.py` by any CPython 3.10+ (stdlib only).  Prints a JSON object:
how many predictions were checked and every mismatch.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
import warnings
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mypy_async_strict.model.rules import (  # noqa: E402
    CallOutcome,
    Kind,
    Member,
    MockState,
    Protocol,
    SpecMode,
    Target,
    call_outcome,
    child_state,
    entered_state,
    instance_state,
    kind_for_function_spec,
    return_value_state,
    supports_protocol,
)


class Spec:
    data = 1

    async def async_method(self) -> int:
        return 1

    def sync_method(self) -> int:
        return 1

    async def async_generator(self):  # type: ignore[no-untyped-def]
        yield 1

    @property
    def prop(self) -> int:
        return 1

    @staticmethod
    async def static_async() -> int:
        return 1

    @classmethod
    async def class_async(cls) -> int:
        return 1


class CallableSpec:
    def __call__(self) -> int:
        return 1


async def async_function() -> int:
    return 1


def sync_function() -> int:
    return 1


MEMBERS = {
    "async_method": Member.ASYNC_FUNCTION,
    "static_async": Member.ASYNC_FUNCTION,
    "class_async": Member.ASYNC_FUNCTION,
    "sync_method": Member.SYNC_FUNCTION,
    "async_generator": Member.ASYNC_GENERATOR,
    "data": Member.DATA,
    "prop": Member.PROPERTY,
}
CLASSES = {kind: getattr(mock, kind.value) for kind in Kind}


def kind_of(obj: object) -> Kind | None:
    """The model's kind for a run-time object: the most specific mock class it is."""
    if isinstance(obj, mock.AsyncMock) or (
        isinstance(obj, mock.AsyncMockMixin) and callable(obj)
    ):
        return Kind.ASYNC_MOCK
    for kind in (Kind.PROPERTY_MOCK, Kind.MAGIC_MOCK, Kind.NON_CALLABLE_MAGIC_MOCK, Kind.MOCK, Kind.NON_CALLABLE_MOCK):
        if type(obj) is CLASSES[kind] or type(obj).__name__ == kind.value:
            return kind
    return None


def called(obj: object) -> tuple[CallOutcome, Kind | None]:
    try:
        result = obj()  # type: ignore[operator]
    except TypeError:
        return CallOutcome.NOT_CALLABLE, None
    if inspect.iscoroutine(result):
        return CallOutcome.COROUTINE, kind_of(asyncio.run(result))
    return CallOutcome.RETURN_VALUE, kind_of(result)


class SyncManager:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


class AsyncManager:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *args: object) -> None:
        return None


class Iterable:
    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter([])


class AsyncIterable:
    def __aiter__(self):  # type: ignore[no-untyped-def]
        return self

    async def __anext__(self) -> None:
        raise StopAsyncIteration


async def _use(protocol: Protocol, obj: object) -> bool:
    try:
        if protocol is Protocol.WITH:
            with obj:  # type: ignore[attr-defined]
                pass
        elif protocol is Protocol.ASYNC_WITH:
            async with obj:  # type: ignore[attr-defined]
                pass
        elif protocol is Protocol.FOR:
            for _ in obj:  # type: ignore[attr-defined]
                pass
        else:
            async for _ in obj:  # type: ignore[attr-defined]
                pass
    except (TypeError, AttributeError):
        return False
    return True


async def _entered(protocol: Protocol, obj: object) -> Kind | None | str:
    try:
        if protocol is Protocol.WITH:
            with obj as entered:  # type: ignore[attr-defined]
                return kind_of(entered)
        async with obj as entered:  # type: ignore[attr-defined]
            return kind_of(entered)
    except (TypeError, AttributeError):
        return "fails"


class SyncAenterManager:
    def __aenter__(self):  # type: ignore[no-untyped-def]
        return asyncio.sleep(0)

    async def __aexit__(self, *args: object) -> None:
        return None


def probe_entered() -> tuple[int, list[str]]:
    """`entered_state` against the value `with m as x` / `async with m as x` binds."""
    checked = 0
    mismatches: list[str] = []
    specs: list[object] = [None, SyncManager, AsyncManager, SyncAenterManager, ["__enter__", "__exit__", "__aenter__", "__aexit__"]]
    for kind, cls in CLASSES.items():
        for spec in specs:
            for protocol in (Protocol.WITH, Protocol.ASYNC_WITH):
                if isinstance(spec, list):
                    state = MockState(kind, SpecMode.NAMES, Target.NAMES)
                    method: Member | None = Member.LISTED
                elif spec is None:
                    state = MockState(kind, SpecMode.NONE, Target.NOTHING)
                    method = None
                else:
                    state = MockState(kind, SpecMode.SPEC, Target.INSTANCE)
                    name = "__enter__" if protocol is Protocol.WITH else "__aenter__"
                    function = getattr(spec, name, None)
                    method = (
                        Member.MISSING if function is None
                        else Member.ASYNC_FUNCTION if inspect.iscoroutinefunction(function)
                        else Member.SYNC_FUNCTION
                    )
                predicted = entered_state(state, protocol is Protocol.ASYNC_WITH, method)
                if predicted is None:
                    continue  # unknown, or the statement fails: nothing to compare
                mock_object = cls(spec=spec) if spec is not None else cls()
                actual = asyncio.run(_entered(protocol, mock_object))
                checked += 1
                if predicted.kind != actual:
                    what = f"{protocol.statement} {kind.value}(spec={spec!r})"
                    mismatches.append(f"{what} as x: model {predicted.kind}, CPython {actual}")
    return checked, mismatches


def probe_protocols() -> tuple[int, list[str]]:
    """`supports_protocol` against real `with`/`async with`/`for`/`async for` on mocks."""
    checked = 0
    mismatches: list[str] = []
    specs: list[type | None] = [None, SyncManager, AsyncManager, Iterable, AsyncIterable, Spec]
    for kind, cls in CLASSES.items():
        for spec in specs:
            state = MockState(kind, SpecMode.SPEC if spec else SpecMode.NONE, Target.INSTANCE if spec else Target.NOTHING)
            spec_has = frozenset(name for name in dir(spec) if name.startswith("__")) if spec else None
            for protocol in Protocol:
                mock_object = cls(spec=spec) if spec else cls()
                actual = asyncio.run(_use(protocol, mock_object))
                predicted = supports_protocol(state, protocol, spec_has)
                checked += 1
                if predicted != actual:
                    name = spec.__name__ if spec else None
                    mismatches.append(f"{protocol.statement} {kind.value}(spec={name}): model {predicted}, CPython {actual}")
    return checked, mismatches


def main() -> int:
    checked = 0
    mismatches: list[str] = []

    def expect(what: str, predicted: object, actual: object) -> None:
        nonlocal checked
        checked += 1
        if predicted != actual:
            mismatches.append(f"{what}: model {predicted}, CPython {actual}")

    for kind, cls in CLASSES.items():
        for specced in (False, True):
            parent = cls(spec=Spec) if specced else cls()
            mode = SpecMode.SPEC if specced else SpecMode.NONE
            state = MockState(kind, mode, Target.INSTANCE if specced else Target.NOTHING)
            for name, member in MEMBERS.items():
                child = getattr(parent, name)
                predicted = child_state(state, member)
                expect(f"{kind.value}(spec={specced}).{name}", predicted and predicted.kind, kind_of(child))
            outcome, result_kind = called(parent)
            predicted_outcome = call_outcome(state)
            expect(f"{kind.value}(spec={specced})() outcome", predicted_outcome, outcome)
            if outcome is not CallOutcome.NOT_CALLABLE:
                expect(f"{kind.value}(spec={specced})() result", return_value_state(state).kind, result_kind)

    for kind in (Kind.MOCK, Kind.MAGIC_MOCK, Kind.ASYNC_MOCK, Kind.NON_CALLABLE_MAGIC_MOCK):
        for function, is_async in ((async_function, True), (sync_function, False)):
            predicted_kind = kind_for_function_spec(kind, is_async)
            state = MockState(predicted_kind, SpecMode.SPEC, Target.FUNCTION)
            outcome, _ = called(CLASSES[kind](spec=function))
            expect(f"{kind.value}(spec={function.__name__})() outcome", call_outcome(state), outcome)

    autospec_class = MockState(Kind.MAGIC_MOCK, SpecMode.AUTOSPEC, Target.CLASS)
    outcome, result_kind = called(mock.create_autospec(Spec))
    expect("create_autospec(Spec)() outcome", CallOutcome.RETURN_VALUE, outcome)
    expect("create_autospec(Spec)() kind", instance_state(autospec_class).kind, result_kind)
    instance = mock.create_autospec(Spec, instance=True)
    instance_model = MockState(Kind.NON_CALLABLE_MAGIC_MOCK, SpecMode.AUTOSPEC, Target.INSTANCE)
    expect("create_autospec(Spec, instance=True)", instance_model.kind, kind_of(instance))
    for name, member in MEMBERS.items():
        predicted = child_state(instance_model, member)
        expect(f"create_autospec(Spec, instance=True).{name}", predicted and predicted.kind, kind_of(getattr(instance, name)))
    for kind, cls in CLASSES.items():
        names_state = MockState(kind, SpecMode.NAMES, Target.NAMES)
        parent = cls(spec=["listed"])
        predicted = child_state(names_state, Member.LISTED)
        expect(f"{kind.value}(spec=['listed']).listed", predicted and predicted.kind, kind_of(parent.listed))
        outcome, result_kind = called(parent)
        expect(f"{kind.value}(spec=['listed'])() outcome", call_outcome(names_state), outcome)
        if outcome is not CallOutcome.NOT_CALLABLE:
            expect(f"{kind.value}(spec=['listed'])() result", return_value_state(names_state).kind, result_kind)
    callable_instance = mock.create_autospec(CallableSpec, instance=True)
    expect("create_autospec(CallableSpec, instance=True)", instance_state(autospec_class, True).kind, kind_of(callable_instance))
    outcome, result_kind = called(mock.create_autospec(CallableSpec))
    expect("create_autospec(CallableSpec)()", instance_state(autospec_class, True).kind, result_kind)
    for spec_keyword, mode in (("spec", SpecMode.SPEC), ("spec_set", SpecMode.SPEC_SET)):
        for spec_class, callable_instances in ((Spec, False), (CallableSpec, True)):
            class_state = MockState(Kind.MAGIC_MOCK, mode, Target.CLASS)
            module = sys.modules[__name__]
            patcher = (
                mock.patch.object(module, spec_class.__name__, spec=True)
                if spec_keyword == "spec"
                else mock.patch.object(module, spec_class.__name__, spec_set=True)
            )
            with patcher as patched:
                what = f"patch({spec_class.__name__}, {spec_keyword}=True)"
                expect(what, class_state.kind, kind_of(patched))
                outcome, result_kind = called(patched)
                expect(f"{what}() outcome", call_outcome(class_state), CallOutcome.INSTANCE if outcome is CallOutcome.RETURN_VALUE else outcome)
                instance_model = instance_state(class_state, callable_instances)
                expect(f"{what}() kind", instance_model.kind, result_kind)
                for name, member in MEMBERS.items() if spec_class is Spec else ():
                    child = child_state(instance_model, member)
                    expect(f"{what}().{name}", child and child.kind, kind_of(getattr(patched(), name)))
    checked_entered, entered_mismatches = probe_entered()
    checked += checked_entered
    mismatches += entered_mismatches
    checked_protocols, protocol_mismatches = probe_protocols()
    checked += checked_protocols
    mismatches += protocol_mismatches
    print(json.dumps({"python": sys.version.split()[0], "checked": checked, "mismatches": mismatches}))
    return 0


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        raise SystemExit(main())
