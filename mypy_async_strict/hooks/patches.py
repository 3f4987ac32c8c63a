"""Hooks for the patch family: `patch.object(...)` and `patch("pkg.mod.name")` return a patcher
whose `__enter__`/`start()` give the mock they install; pytest-mock's `mocker.patch.object(...)`
and `mocker.patch(...)` return that mock (see knowledge/patches.py for what the mock is)."""

from __future__ import annotations

from mypy.plugin import MethodContext
from mypy.types import Instance, Type

from mypy_async_strict import fullnames
from mypy_async_strict.knowledge.patches import (
    installed_mock_type,
    read_dotted,
    read_patch_object,
)
from mypy_async_strict.model import mocktypes
from mypy_async_strict.safety import degrade_to


def _default(ctx: MethodContext) -> Type:
    return ctx.default_return_type


@degrade_to(_default)
def patch_object_hook(ctx: MethodContext) -> Type:
    """`patch.object(...)`: a patcher whose `__enter__`/`start()` give the mock."""
    return _patcher(ctx, installed_mock_type(ctx.api, read_patch_object(ctx.context)))


@degrade_to(_default)
def patch_hook(ctx: MethodContext) -> Type:
    """`patch("pkg.mod.name", ...)`: the same patcher, its target found by its dotted name."""
    return _patcher(ctx, installed_mock_type(ctx.api, read_dotted(ctx.api, ctx.context)))


@degrade_to(_default)
def mocker_patch_object_hook(ctx: MethodContext) -> Type:
    """pytest-mock's `mocker.patch.object(...)`: starts the patch and returns the mock."""
    mock = installed_mock_type(ctx.api, read_patch_object(ctx.context))
    return mock if mock is not None else ctx.default_return_type


@degrade_to(_default)
def mocker_patch_hook(ctx: MethodContext) -> Type:
    """pytest-mock's `mocker.patch("pkg.mod.name", ...)`: starts the patch, returns the mock."""
    mock = installed_mock_type(ctx.api, read_dotted(ctx.api, ctx.context))
    return mock if mock is not None else ctx.default_return_type


def _patcher(ctx: MethodContext, mock: Type | None) -> Type:
    patch_class = mocktypes.class_info(ctx.api, fullnames.PATCH_PASS_ARG)
    if mock is None or patch_class is None:
        return ctx.default_return_type
    return Instance(patch_class, [mock])
