"""`mock-call`: autospecced mocks check arguments against the spec's signature at run time.

An autospecced function mock binds each call with `inspect.Signature.bind`: too many positional
arguments, a missing required one, an unexpected or repeated keyword raise TypeError (only
arity and names: argument *types* are never checked).  Its `assert_called_with` & co. bind the
expected call the same way, so an expected call that cannot bind can never match: the
assertion always raises AssertionError.
"""

from __future__ import annotations

from mypy.argmap import map_actuals_to_formals
from mypy.nodes import ARG_NAMED, ARG_POS, ARG_STAR, ARG_STAR2, CallExpr, MypyFile
from typing import Union

from mypy.plugin import FunctionContext, MethodContext
from mypy.types import AnyType, CallableType, TypeOfAny, get_proper_type

from mypy_async_strict import errorcodes
from mypy_async_strict.model.mocktypes import MockType
from mypy_async_strict.model.rules import Target
from mypy_async_strict.render import render

CallContext = Union[MethodContext, FunctionContext]


def autospec_signature(mock: MockType) -> CallableType | None:
    """The signature an autospecced function mock enforces, if the plugin knows it exactly."""
    if not mock.state.mode.is_autospec or mock.state.target is not Target.FUNCTION:
        return None
    signature = get_proper_type(mock.stands_for)
    return signature if isinstance(signature, CallableType) else None


def binding_error(signature: CallableType, call: CallExpr) -> str | None:
    """What `inspect.Signature.bind` would say about the call's arguments, or None if they fit."""
    if any(kind in (ARG_STAR, ARG_STAR2) for kind in call.arg_kinds):
        return None  # unpacked arguments: their number is unknown
    any_type = AnyType(TypeOfAny.special_form)
    formal_to_actual = map_actuals_to_formals(
        call.arg_kinds, call.arg_names, signature.arg_kinds, signature.arg_names, lambda _: any_type
    )
    mapped = {actual for actuals in formal_to_actual for actual in actuals}
    for actual, (kind, name) in enumerate(zip(call.arg_kinds, call.arg_names)):
        if actual not in mapped:
            if kind == ARG_POS:
                return "too many positional arguments"
            return f"got an unexpected keyword argument '{name}'"
    for formal, actuals in enumerate(formal_to_actual):
        formal_kind = signature.arg_kinds[formal]
        formal_name = signature.arg_names[formal]
        if formal_kind.is_named() and any(call.arg_kinds[a] == ARG_POS for a in actuals):
            return "too many positional arguments"  # mypy maps extras onto keyword-only ones
        if len(actuals) > 1 and formal_kind not in (ARG_STAR, ARG_STAR2):
            return f"multiple values for argument '{formal_name}'"
        if not actuals and formal_kind in (ARG_POS, ARG_NAMED):
            return f"missing a required argument: '{formal_name}'"
    return None


def _defined_in_source(ctx: CallContext, signature: CallableType) -> bool:
    """Only a signature read from Python source is what `inspect.signature` sees at run time;
    a stub may describe a C function that has no inspectable signature (autospec then checks
    nothing), or differ from the implementation."""
    definition = signature.definition
    modules = getattr(ctx.api, "modules", None)
    if definition is None or not isinstance(modules, dict):
        return False
    name = definition.fullname
    while "." in name:
        name = name.rpartition(".")[0]
        module = modules.get(name)
        if isinstance(module, MypyFile):
            return not module.is_stub
    return False


def check_call(ctx: CallContext, mock: MockType, call: CallExpr, report: bool = True) -> bool:
    """Whether the call raises TypeError (reported unless `report` is false)."""
    return _check(ctx, mock, call, "raises TypeError at run time: {problem} (the mock is autospecced)", report)


def check_assertion(ctx: MethodContext, mock: MockType, call: CallExpr) -> None:
    _check(
        ctx,
        mock,
        call,
        "can never pass: the expected call does not fit the autospecced signature ({problem}), "
        "so it raises AssertionError",
    )


def _check(ctx: CallContext, mock: MockType, call: CallExpr, outcome: str, report: bool = True) -> bool:
    signature = autospec_signature(mock)
    if signature is None or not _defined_in_source(ctx, signature):
        return False
    problem = binding_error(signature, call)
    if problem is None:
        return False
    if not report:
        return True
    message = f'"{render(call)}" ' + outcome.format(problem=problem)
    error = ctx.api.fail(message, call, code=errorcodes.MOCK_CALL)
    hint = f"The spec's signature: {_signature_text(signature)}"
    ctx.api.msg.note(hint, call, code=errorcodes.MOCK_CALL, parent_error=error)
    return True


def _signature_text(signature: CallableType) -> str:
    return str(signature.copy_modified(name=None))
