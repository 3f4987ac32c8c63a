"""Types for what a mock gives: its attributes (`m.fetch`) and its calls (`m.fetch()`)."""

from __future__ import annotations

from mypy.nodes import CallExpr, Expression, MemberExpr, NameExpr
from mypy.plugin import AttributeContext, CheckerPluginInterface, FunctionContext, MethodContext
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    NoneType,
    Type,
    TypeOfAny,
    get_proper_type,
)

from mypy_async_strict.checks import (
    assertions,
    await_stats,
    noncallable,
    sealed,
    signatures,
    spec_attributes,
)
from mypy_async_strict.checks.misuse import Shape, check_use, shape_of
from mypy_async_strict.checks.mock_await import report_configured_await
from mypy_async_strict.hooks.respec import respecced_parent, verdict_after_add_spec
from mypy_async_strict.knowledge import aliases
from mypy_async_strict.knowledge.certainty import Verdict, await_of, failure_expected
from mypy_async_strict.knowledge.configured import (
    Configured,
    Outcome,
    awaitable,
    configured_call,
    exact_type,
)
from mypy_async_strict.knowledge.patch_decorators import (
    injected_mock_type,
    patch_for_parameter,
)
from mypy_async_strict.knowledge.provenance import ScanCache
from mypy_async_strict.knowledge.values import known_mock, precise_type, settle
from mypy_async_strict.model import mocktypes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import (
    CallOutcome,
    Member,
    call_outcome,
    child_state,
    instance_state,
    return_value_state,
)
from mypy_async_strict.safety import degrade_to
from mypy_async_strict.specs.classsource import ModuleClassSource
from mypy_async_strict.specs.members import (
    SpecMember,
    instances_callable,
    lookup_member,
    spec_class,
)


def _default_attribute(ctx: AttributeContext) -> Type:
    return ctx.default_attr_type


def _default_return(ctx: MethodContext) -> Type:
    return ctx.default_return_type


class ChildHooks:
    """Attribute and call hooks for the annotation classes; one per plugin instance."""

    def __init__(self, cache: ScanCache) -> None:
        self.cache = cache
        self.attribute = degrade_to(_default_attribute)(self._attribute)
        self.call = degrade_to(_default_return)(self._call)
        self.assertion = degrade_to(_default_return)(self._assertion)
        self.plain_attribute = degrade_to(_default_attribute)(self._plain_attribute)
        self.plain_call = degrade_to(_default_return)(self._plain_call)
        self.return_value = degrade_to(_default_attribute)(self._return_value_attribute)

    def _attribute(self, ctx: AttributeContext) -> Type:
        return self._attribute_of(ctx, mocktypes.decode(ctx.type))

    def _plain_attribute(self, ctx: AttributeContext) -> Type:
        """An attribute of a value whose type is a plain mock class (`MagicMock`): a stored
        mock the plugin knows, or a parameter a patch decorator fills."""
        expr = ctx.context
        if not isinstance(expr, MemberExpr) or expr.name.startswith("__"):
            return ctx.default_attr_type
        mock = (
            known_mock(ctx.api, self.cache, expr.expr)
            or injected_mock(ctx.api, expr.expr)
            or aliases.loop_mock(ctx.api, self.cache, expr.expr)
        )
        if mock is None or mocktypes.declares(ctx.api, mock.state.kind, expr.name):
            return ctx.default_attr_type  # the declared class is wrong, the mock has it: fine
        return self._attribute_of(ctx, mock)

    def _attribute_of(self, ctx: AttributeContext, parent: MockType | None) -> Type:
        expr = ctx.context
        if parent is None or ctx.is_lvalue or not isinstance(expr, MemberExpr):
            return ctx.default_attr_type
        if sealed.check_read(ctx, self.cache, expr):
            return ctx.default_attr_type
        respecced = respecced_parent(ctx.api, self.cache, parent, expr)
        if respecced is not None:
            parent, verdict = respecced, Verdict(certain=True)
        else:
            verdict = aliases.verdict(ctx.api, self.cache, expr)
        if not verdict.certain:
            return ctx.default_attr_type
        if verdict.replacement is not None:
            # Only a mock put in its place is followed (a plain value keeps plain mypy's type).
            replaced = precise_type(ctx.api, self.cache, verdict.replacement)
            if replaced is None or verdict.side_effect or mocktypes.decode(replaced) is None:
                return ctx.default_attr_type
            return settle(ctx.api, self.cache, expr, replaced, ctx.default_attr_type)
        if parent.state.specced:
            source = ModuleClassSource(ctx.api)
            member = lookup_member(parent.state, parent.stands_for, expr.name, source)
        else:
            member = None
        if self._reported_missing(ctx, parent, expr, member):
            return ctx.default_attr_type
        if member is None and await_stats.check(ctx, self.cache, parent, expr):
            return ctx.default_attr_type  # (a mock type would make mypy call what follows unreachable)
        state = child_state(parent.state, member.nature if member else Member.DATA)
        if state is None:
            return ctx.default_attr_type
        stands_for = member.typ if member is not None else None
        encoded = mocktypes.encode(ctx.api, state, stands_for)
        if encoded is None:
            return ctx.default_attr_type
        return settle(ctx.api, self.cache, expr, encoded, ctx.default_attr_type)

    def _reported_missing(
        self, ctx: AttributeContext, parent: MockType, expr: MemberExpr, member: SpecMember | None
    ) -> bool:
        """`mock-assert` and `mock-spec`: the attribute raises AttributeError at run time (not
        reported where the test expects a failure: `with pytest.raises(AttributeError):`)."""
        if member is not None and member.nature not in (Member.MISSING, Member.UNKNOWN):
            return False  # the spec has it (even an `assert_valid` method)
        quiet = failure_expected(ctx.api, self.cache, expr.line)
        if assertions.is_assertion_name(expr.name):
            if member is None or member.nature is Member.MISSING:
                if not aliases.unsafe(ctx.api, self.cache, expr):
                    if not quiet:
                        assertions.report(ctx, parent, expr)
                    return True
            return False
        if member is not None and member.nature is Member.MISSING:
            info = spec_class(parent.state, parent.stands_for)
            if info is not None or parent.state.mode.is_names:
                if not quiet:
                    spec_attributes.report_missing_of(ctx, parent, info, expr)
                return True
        return False

    def _assertion(self, ctx: MethodContext) -> Type:
        """`m.assert_called_with(...)` and the other call assertions of an autospecced mock."""
        mock = mocktypes.decode(ctx.type)
        call = ctx.context
        if mock is not None and isinstance(call, CallExpr):
            if not failure_expected(ctx.api, self.cache, call.line):
                signatures.check_assertion(ctx, mock, call)
        return ctx.default_return_type

    def _call(self, ctx: MethodContext) -> Type:
        return self._call_of(ctx, mocktypes.decode(ctx.type))

    def _plain_call(self, ctx: MethodContext) -> Type:
        """A call of a value whose type is a plain mock class (see `_plain_attribute`)."""
        call = ctx.context
        if not isinstance(call, CallExpr):
            return ctx.default_return_type
        mock = (
            known_mock(ctx.api, self.cache, call.callee)
            or injected_mock(ctx.api, call.callee)
            or aliases.loop_mock(ctx.api, self.cache, call.callee)
        )
        return self._call_of(ctx, mock)

    def call_of(self, ctx: MethodContext | FunctionContext, mock: MockType) -> Type:
        """A call of `mock` (for callees that are mocks only while patched: patched_calls.py)."""
        return self._call_of(ctx, mock)

    def _call_of(self, ctx: MethodContext | FunctionContext, mock: MockType | None) -> Type:
        call = ctx.context
        if mock is None or not isinstance(call, CallExpr):
            return ctx.default_return_type
        report = not failure_expected(ctx.api, self.cache, call.line)
        if (
            noncallable.check_call(ctx, mock, call, report)
            or signatures.check_call(ctx, mock, call, report)
            or sealed.check_call(ctx, self.cache, mock, call, report)
        ):
            return ctx.default_return_type  # it raises: no value, no coroutine
        configured = self._configured(ctx, mock, call)
        outcome = call_outcome(mock.state)
        declared = _declared_return(mock.stands_for)
        if configured is not None and configured.outcome is Outcome.RAISES:
            return ctx.default_return_type  # nothing after the call runs
        value = configured.value if configured is not None else None
        if outcome is CallOutcome.COROUTINE:
            # An AsyncMock's call is a coroutine whatever its return value or side effect; what
            # awaiting it gives is known only where the `await` is used in place (stored, a
            # coroutine's result mixes with real ones: `create_task(...)` into a `Task[None]`).
            awaited: Type = AnyType(TypeOfAny.special_form)
            at = await_of(ctx.api, self.cache, call)
            exact = configured is not None and configured.source is not None
            if value is not None and at is not None and (exact or _awaits_a_value(declared)):
                awaited = settle(ctx.api, self.cache, at, value, awaited)
            coroutine = _coroutine_of(ctx, awaited)
            checked = check_use(ctx.api, self.cache, call, coroutine, declared)
            return settle(ctx.api, self.cache, call, checked, ctx.default_return_type)
        if value is None or outcome not in (CallOutcome.RETURN_VALUE, CallOutcome.INSTANCE):
            return ctx.default_return_type
        if configured is not None and configured.outcome is Outcome.COROUTINE:
            value = _coroutine_of(ctx, value)  # a sync mock running an `async def` side effect
        elif configured is not None and configured.source is not None and self._awaits_plain_value(ctx, call, configured):
            return AnyType(TypeOfAny.from_error)  # reported: mypy need not add its own error
        checked = check_use(ctx.api, self.cache, call, value, declared)
        return settle(ctx.api, self.cache, call, checked, ctx.default_return_type)

    def _awaits_plain_value(self, ctx: MethodContext | FunctionContext, call: CallExpr, configured: Configured) -> bool:
        """`await m.get()` where the sync mock `m.get` returns a configured value no `await`
        accepts (`m.get.return_value = Item()`): `mock-await`, reported at the await."""
        at = await_of(ctx.api, self.cache, call)
        value = configured.value
        if at is None or value is None or mocktypes.decode(value) is not None or awaitable(value) is not False:
            return False  # a mock value is reported by the await hook itself
        if not failure_expected(ctx.api, self.cache, at.line):
            report_configured_await(ctx, at, call, configured)
        return True

    def _configured(self, ctx: MethodContext | FunctionContext, mock: MockType, call: CallExpr) -> Configured | None:
        """What calling the mock gives (awaited, for an AsyncMock): the configured value when
        certain, else the model's default child."""
        verdict = verdict_after_add_spec(ctx.api, self.cache, call) or aliases.verdict(ctx.api, self.cache, call)
        if not verdict.certain:
            return None
        if verdict.replacement is not None:
            async_mock = call_outcome(mock.state) is CallOutcome.COROUTINE
            return configured_call(ctx.api, self.cache, verdict.replacement, verdict.side_effect, async_mock)
        default = self._default_return(ctx, mock)
        return Configured(Outcome.VALUE, default) if default is not None else None

    def _return_value(
        self, ctx: AttributeContext | MethodContext | FunctionContext, mock: MockType, expr: Expression
    ) -> Type | None:
        """What `m.return_value` is, when certain (a side effect leaves it alone)."""
        verdict = verdict_after_add_spec(ctx.api, self.cache, expr) or aliases.verdict(ctx.api, self.cache, expr)
        if not verdict.certain or verdict.side_effect:
            return None
        if verdict.replacement is not None:
            return exact_type(ctx.api, self.cache, verdict.replacement)
        return self._default_return(ctx, mock)

    def _default_return(self, ctx: AttributeContext | MethodContext | FunctionContext, mock: MockType) -> Type | None:
        """The model's `return_value` child (for an AsyncMock: what awaiting its call gives)."""
        if call_outcome(mock.state) is CallOutcome.INSTANCE:
            item = getattr(get_proper_type(mock.stands_for), "item", None)
            callable_instances = instances_callable(item.type) if isinstance(item, Instance) else None
            if callable_instances is None:
                return None
            return mocktypes.encode(ctx.api, instance_state(mock.state, callable_instances), item)
        return mocktypes.encode(ctx.api, return_value_state(mock.state), None)

    def _return_value_attribute(self, ctx: AttributeContext) -> Type:
        """Reading `m.return_value`: the same mock that calling `m` gives (awaited)."""
        expr = ctx.context
        if ctx.is_lvalue or not isinstance(expr, MemberExpr):
            return ctx.default_attr_type
        mock = mocktypes.decode(ctx.type) or known_mock(ctx.api, self.cache, expr.expr)
        if mock is None:
            return ctx.default_attr_type
        if call_outcome(mock.state) not in (CallOutcome.RETURN_VALUE, CallOutcome.COROUTINE, CallOutcome.INSTANCE):
            return ctx.default_attr_type
        value = self._return_value(ctx, mock, expr)
        if value is None:
            return ctx.default_attr_type
        return settle(ctx.api, self.cache, expr, value, ctx.default_attr_type)


def injected_mock(api: CheckerPluginInterface, expr: Expression) -> MockType | None:
    """The mock a patch decorator passes to the parameter `expr` names, if it does."""
    patch = patch_for_parameter(api, expr)
    if patch is None or not isinstance(expr, NameExpr):
        return None
    injected = injected_mock_type(api, patch, expr.name)
    return mocktypes.decode(injected) if injected is not None else None


def _declared_return(stands_for: Type) -> Type | None:
    """What the real function a mock stands for returns (for fix hints)."""
    proper = get_proper_type(stands_for)
    return proper.ret_type if isinstance(proper, CallableType) else None


def _awaits_a_value(declared: Type | None) -> bool:
    """Whether the real function's await gives a value a mock may stand for: declared, and not
    `None` (a mock type is assignable anywhere but to `None`: `create_task(worker.run())`
    into a `Task[None]` must type-check)."""
    proper = get_proper_type(declared)
    if not isinstance(proper, Instance) or shape_of(proper) is not Shape.COROUTINE or len(proper.args) != 3:
        return False
    result = get_proper_type(proper.args[2])
    return not isinstance(result, (NoneType, AnyType))


def _coroutine_of(ctx: MethodContext | FunctionContext, value: Type) -> Type:
    any_type = AnyType(TypeOfAny.special_form)
    return ctx.api.named_generic_type("typing.Coroutine", [any_type, any_type, value])

