# What the type checker sees for the public mock annotations.  Each class is the real mock class
# made generic in what the mock stands for (`_T`) and how it was specced (`_Mode`, see
# mypy_async_strict.model.SpecMode).  The plugin gives `__getattr__`, `__call__` and `__await__`
# their precise meaning; the signatures below are the fallback when the plugin is off.
from collections.abc import Generator
from typing import Any, Generic, Literal
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

class _SpecAware(Generic[_T, _Mode]):
    """What every annotation class adds to its mock class; the plugin refines each member."""
    def __getattr__(self, name: str) -> Any: ...
    # As typeshed's: an assignment does not narrow `m.x` (the plugin knows what it holds).
    def __setattr__(self, name: str, value: Any) -> None: ...
    def __await__(self) -> Generator[Any, None, Any]: ...
    # Where plain mypy sees a mock's child as Any, its API must not be stricter than Any.
    await_args: Any
    # Properties, so that tests may configure them with anything (`m.__enter__.return_value =
    # x`, `m.__aiter__ = lambda self: gen()`); `with m` calls them, and the plugin checks that.
    @property
    def __enter__(self) -> MagicMethodOf[Self, Literal["__enter__"]]: ...
    @__enter__.setter
    def __enter__(self, value: Any) -> None: ...
    @property
    def __exit__(self) -> MagicMethodOf[Self, Literal["__exit__"]]: ...
    @__exit__.setter
    def __exit__(self, value: Any) -> None: ...
    @property
    def __aenter__(self) -> MagicMethodOf[Self, Literal["__aenter__"]]: ...
    @__aenter__.setter
    def __aenter__(self, value: Any) -> None: ...
    @property
    def __aexit__(self) -> MagicMethodOf[Self, Literal["__aexit__"]]: ...
    @__aexit__.setter
    def __aexit__(self, value: Any) -> None: ...
    @property
    def __iter__(self) -> MagicMethodOf[Self, Literal["__iter__"]]: ...
    @__iter__.setter
    def __iter__(self, value: Any) -> None: ...
    @property
    def __aiter__(self) -> MagicMethodOf[Self, Literal["__aiter__"]]: ...
    @__aiter__.setter
    def __aiter__(self, value: Any) -> None: ...
    # `len(m)`, `m[k]`, `m[k] = v`, `del m[k]`, `k in m`: configured on MagicMock-like mocks only.
    @property
    def __len__(self) -> MagicMethodOf[Self, Literal["__len__"]]: ...
    @__len__.setter
    def __len__(self, value: Any) -> None: ...
    @property
    def __getitem__(self) -> MagicMethodOf[Self, Literal["__getitem__"]]: ...
    @__getitem__.setter
    def __getitem__(self, value: Any) -> None: ...
    @property
    def __setitem__(self) -> MagicMethodOf[Self, Literal["__setitem__"]]: ...
    @__setitem__.setter
    def __setitem__(self, value: Any) -> None: ...
    @property
    def __delitem__(self) -> MagicMethodOf[Self, Literal["__delitem__"]]: ...
    @__delitem__.setter
    def __delitem__(self, value: Any) -> None: ...
    @property
    def __contains__(self) -> MagicMethodOf[Self, Literal["__contains__"]]: ...
    @__contains__.setter
    def __contains__(self, value: Any) -> None: ...

class MockOf(_SpecAware[_T, _Mode], Mock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class MagicMockOf(_SpecAware[_T, _Mode], MagicMock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class AsyncMockOf(_SpecAware[_T, _Mode], AsyncMock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

# Calling one raises TypeError; `__call__` is declared so that the plugin sees the call.
class NonCallableMockOf(_SpecAware[_T, _Mode], NonCallableMock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class NonCallableMagicMockOf(_SpecAware[_T, _Mode], NonCallableMagicMock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class PropertyMockOf(_SpecAware[_T, _Mode], PropertyMock):
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
