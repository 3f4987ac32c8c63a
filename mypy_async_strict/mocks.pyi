# What the type checker sees for the public mock annotations.  Each class is the real mock class
# made generic in what the mock stands for (`_T`) and how it was specced (`_Mode`, see
# mypy_async_strict.model.SpecMode).  The plugin gives `__getattr__`, `__call__` and `__await__`
# their precise meaning; the signatures below are the fallback when the plugin is off.
from collections.abc import Generator
from typing import Any, Generic, Literal, Union
from unittest.mock import (
    AsyncMock,
    MagicMock,
    Mock,
    NonCallableMagicMock,
    NonCallableMock,
    PropertyMock,
)

from typing_extensions import Self, TypeVar

_T = TypeVar("_T")
_Mode = TypeVar("_Mode", default=Literal["spec"])
_Parent = TypeVar("_Parent")
_Name = TypeVar("_Name")

__all__ = [
    "AsyncMockOf",
    "MagicMockOf",
    "MockOf",
    "NonCallableMagicMockOf",
    "NonCallableMockOf",
    "PropertyMockOf",
]

class MagicMethodOf(MagicMock, Generic[_Parent, _Name]):
    """A mock's magic method (`m.__enter__`, parent type and name as arguments)."""
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class _Settable:
    # Not plain Any, so that mypy narrows `m.x` to what was assigned to it; not plain `object`,
    # which an assigned `Any` value would narrow `m.x` to (`m.x = factory(); m.x.commit`).  In a
    # class of its own: a generic class's methods have `object | Any` simplified to `object`.
    def __setattr__(self, name: str, value: Union[object, Any]) -> None: ...

class _SpecAware(_Settable, Generic[_T, _Mode]):
    """What every annotation class adds to its mock class; the plugin refines each member."""
    def __getattr__(self, name: str) -> Any: ...
    def __await__(self) -> Generator[Any, None, Any]: ...
    # Attributes, not methods, so that tests may configure them (`m.__enter__.return_value = x`,
    # `m.__enter__ = Mock(...)`); `with m` calls them, and the plugin checks that call.
    __enter__: MagicMethodOf[Self, Literal["__enter__"]]
    __exit__: MagicMethodOf[Self, Literal["__exit__"]]
    __aenter__: MagicMethodOf[Self, Literal["__aenter__"]]
    __aexit__: MagicMethodOf[Self, Literal["__aexit__"]]
    __iter__: MagicMethodOf[Self, Literal["__iter__"]]
    __aiter__: MagicMethodOf[Self, Literal["__aiter__"]]

class MockOf(_SpecAware[_T, _Mode], Mock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class MagicMockOf(_SpecAware[_T, _Mode], MagicMock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class AsyncMockOf(_SpecAware[_T, _Mode], AsyncMock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class NonCallableMockOf(_SpecAware[_T, _Mode], NonCallableMock): ...
class NonCallableMagicMockOf(_SpecAware[_T, _Mode], NonCallableMagicMock): ...

class PropertyMockOf(_SpecAware[_T, _Mode], PropertyMock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
