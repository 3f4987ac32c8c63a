"""Run-time side of the public mock annotations.

`MagicMockOf[AsyncSession]` is what the plugin infers for `MagicMock(spec=AsyncSession)`; test code
may write the same annotation on fixtures and parameters.  At run time these classes only need to be
subscriptable (so annotations evaluate, also under `typing.get_type_hints`) and free of side
effects; the type checker reads `mocks.pyi` instead.
"""

from __future__ import annotations

import types
from typing import Any

__all__ = [
    "AsyncMockOf",
    "MagicMockOf",
    "MockOf",
    "NonCallableMagicMockOf",
    "NonCallableMockOf",
    "PropertyMockOf",
]


class _MockAnnotation:
    """Base of the annotation-only classes: subscriptable with one or two arguments."""

    def __init__(self) -> None:
        raise TypeError(
            f"{type(self).__name__} is an annotation; create mocks with unittest.mock"
        )

    def __class_getitem__(cls, params: Any) -> types.GenericAlias:
        count = len(params) if isinstance(params, tuple) else 1
        if count not in (1, 2):
            raise TypeError(f"{cls.__name__}[...] takes a spec and an optional spec mode")
        return types.GenericAlias(cls, params)


class MockOf(_MockAnnotation):
    """A `Mock` built from a spec."""


class MagicMockOf(_MockAnnotation):
    """A `MagicMock` built from a spec."""


class AsyncMockOf(_MockAnnotation):
    """An `AsyncMock` built from a spec."""


class NonCallableMockOf(_MockAnnotation):
    """A `NonCallableMock` built from a spec."""


class NonCallableMagicMockOf(_MockAnnotation):
    """A `NonCallableMagicMock` built from a spec."""


class PropertyMockOf(_MockAnnotation):
    """A `PropertyMock` built from a spec."""
