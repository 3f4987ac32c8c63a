"""A stand-in for pytest-mock, for the run-time oracle (tests/oracle_runner.py) only.

Copied into a case's directory as `pytest_mock.py` when the interpreter cannot import
pytest-mock (and loaded beside it if the real MockerFixture cannot be built outside pytest),
so that `from pytest_mock import MockerFixture` works and the oracle's `mocker` fixture has
the surface tests use, on unittest.mock, behaving as pytest-mock 3.x does:

- `mocker.patch(...)`, `.object`, `.multiple`, `.dict`, `.context_manager` start the patch at
  once and return what it installs; `stopall()` (run at teardown) stops them, newest first;
  `stop(mock)` stops one; the returned mock warns when used as a context manager (its
  `__enter__` gives None then);
- `spy(obj, name)` patches the attribute with an autospec (for functions and methods) whose
  side effect calls the original (awaiting it for coroutine functions), recording
  `spy_return`, `spy_return_list`, `spy_exception`;
- `stub()` / `async_stub()` are MagicMock / AsyncMock specced from `lambda *args, **kwargs`;
- `create_autospec` is remembered for `resetall()`; the mock classes are unittest.mock's.

Standard library only.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import unittest.mock
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

ORACLE_SHIM = True

AsyncMockType = unittest.mock.AsyncMock
MockType = Any


class SpyType(unittest.mock.MagicMock):
    spy_return: Any
    spy_return_iter: Any
    spy_return_list: list[Any]
    spy_exception: BaseException | None


class PytestMockWarning(UserWarning):
    """Base class for all warnings emitted by pytest-mock."""


@dataclass(eq=False)
class MockCacheItem:
    mock: Any
    patch: Any = None
    is_spy: bool = False
    spy_side_effect: Callable[..., Any] | None = None
    reset_mocks: tuple[Any, ...] | None = None


@dataclass
class MockCache:
    cache: list[MockCacheItem] = field(default_factory=list)

    def _find_index(self, mock: Any) -> int:
        for index in reversed(range(len(self.cache))):
            if self.cache[index].mock is mock:
                return index
        raise ValueError("This mock object is not registered")

    def add(self, mock: Any, **kwargs: Any) -> MockCacheItem:
        self.cache.append(MockCacheItem(mock=mock, **kwargs))
        return self.cache[-1]

    def find(self, mock: Any) -> MockCacheItem:
        return self.cache[self._find_index(mock)]

    def remove(self, mock: Any) -> None:
        index = self._find_index(mock)
        item = self.cache[index]
        if item.patch:
            item.patch.stop()
        del self.cache[index]

    def clear(self) -> None:
        for item in reversed(self.cache):
            if item.patch is not None:
                item.patch.stop()
        self.cache.clear()

    def __iter__(self) -> Iterator[MockCacheItem]:
        return iter(self.cache)


def _reset_spy(spy: Any) -> None:
    spy.spy_return = None
    spy.spy_return_iter = None
    spy.spy_return_list = []
    spy.spy_exception = None


class MockerFixture:
    """The `mocker` fixture's object: unittest.mock's API, undone at the end of the test."""

    def __init__(self, config: Any = None) -> None:
        self._mock_cache = MockCache()
        self.mock_module = mock_module = unittest.mock
        self.patch = self._Patcher(self._mock_cache, mock_module)
        self.Mock = mock_module.Mock
        self.MagicMock = mock_module.MagicMock
        self.NonCallableMock = mock_module.NonCallableMock
        self.NonCallableMagicMock = mock_module.NonCallableMagicMock
        self.PropertyMock = mock_module.PropertyMock
        self.AsyncMock = mock_module.AsyncMock
        self.call = mock_module.call
        self.ANY = mock_module.ANY
        self.DEFAULT = mock_module.DEFAULT
        self.sentinel = mock_module.sentinel
        self.mock_open = mock_module.mock_open
        self.seal = mock_module.seal

    def create_autospec(self, spec: Any, spec_set: bool = False, instance: bool = False, **kwargs: Any) -> Any:
        mock = self.mock_module.create_autospec(spec, spec_set, instance, **kwargs)
        self._mock_cache.add(mock)
        return mock

    def resetall(self, *, return_value: bool = False, side_effect: bool = False) -> None:
        for item in self._mock_cache:
            for mock in item.reset_mocks if item.reset_mocks is not None else (item.mock,):
                if not hasattr(mock, "reset_mock"):
                    continue
                if isinstance(mock, self.NonCallableMock):
                    mock.reset_mock(return_value=return_value, side_effect=side_effect)
                else:
                    mock.reset_mock()
            if item.is_spy:
                _reset_spy(item.mock)
            if side_effect and item.spy_side_effect is not None:
                item.mock.side_effect = item.spy_side_effect

    def stopall(self) -> None:
        self._mock_cache.clear()

    def stop(self, mock: Any) -> None:
        self._mock_cache.remove(mock)

    def spy(self, obj: object, name: str, duplicate_iterators: bool = False) -> Any:
        method = getattr(obj, name)

        def reset_last_call() -> None:
            spy.spy_return = None
            spy.spy_return_iter = None
            spy.spy_exception = None

        def record_return(result: Any) -> Any:
            if duplicate_iterators and isinstance(result, Iterator):
                result, duplicate = itertools.tee(result, 2)
                spy.spy_return_iter = duplicate
            spy.spy_return = result
            spy.spy_return_list.append(result)
            return result

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            reset_last_call()
            try:
                result = method(*args, **kwargs)
            except BaseException as error:
                spy.spy_exception = error
                raise
            return record_return(result)

        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            reset_last_call()
            try:
                result = await method(*args, **kwargs)
            except BaseException as error:
                spy.spy_exception = error
                raise
            return record_return(result)

        if inspect.iscoroutinefunction(method):
            wrapped: Callable[..., Any] = functools.update_wrapper(async_wrapper, method)
        else:
            wrapped = functools.update_wrapper(wrapper, method)
        autospec = inspect.ismethod(method) or inspect.isfunction(method)
        spy = self.patch.object(obj, name, side_effect=wrapped, autospec=autospec)
        item = self._mock_cache.find(spy)
        item.is_spy = True
        item.spy_side_effect = wrapped
        _reset_spy(spy)
        return spy

    def stub(self, name: str | None = None) -> unittest.mock.MagicMock:
        return self.mock_module.MagicMock(spec=lambda *args, **kwargs: None, name=name)

    def async_stub(self, name: str | None = None) -> unittest.mock.AsyncMock:
        return self.mock_module.AsyncMock(spec=lambda *args, **kwargs: None, name=name)

    class _Patcher:
        """mock.patch's API (`patch(...)`, `.object`, `.multiple`, `.dict`), started at once."""

        DEFAULT = object()

        def __init__(self, mock_cache: MockCache, mock_module: Any) -> None:
            self.__mock_cache = mock_cache
            self.mock_module = mock_module

        def _start_patch(self, mock_func: Any, warn_on_mock_enter: bool, *args: Any, **kwargs: Any) -> Any:
            patcher = mock_func(*args, **kwargs)
            mocked = patcher.start()
            self.__mock_cache.add(mock=mocked, patch=patcher)
            if hasattr(mocked, "reset_mock") and hasattr(mocked, "__enter__") and warn_on_mock_enter:
                mocked.__enter__.side_effect = lambda: warnings.warn(
                    "Mocks returned by pytest-mock do not need to be used as context managers. "
                    "The mocker fixture automatically undoes mocking at the end of a test. "
                    "This warning can be ignored if it was triggered by mocking a context manager. ",
                    PytestMockWarning,
                    stacklevel=5,
                )
            return mocked

        def _new(self, new: object) -> object:
            return self.mock_module.DEFAULT if new is self.DEFAULT else new

        def object(
            self,
            target: object,
            attribute: str,
            new: object = DEFAULT,
            spec: object = None,
            create: bool = False,
            spec_set: object = None,
            autospec: object = None,
            new_callable: object = None,
            **kwargs: Any,
        ) -> Any:
            return self._start_patch(
                self.mock_module.patch.object, True, target, attribute, new=self._new(new), spec=spec,
                create=create, spec_set=spec_set, autospec=autospec, new_callable=new_callable, **kwargs,
            )

        def context_manager(
            self,
            target: object,
            attribute: str,
            new: object = DEFAULT,
            spec: object = None,
            create: bool = False,
            spec_set: object = None,
            autospec: object = None,
            new_callable: object = None,
            **kwargs: Any,
        ) -> Any:
            return self._start_patch(
                self.mock_module.patch.object, False, target, attribute, new=self._new(new), spec=spec,
                create=create, spec_set=spec_set, autospec=autospec, new_callable=new_callable, **kwargs,
            )

        def multiple(
            self,
            target: object,
            spec: object = None,
            create: bool = False,
            spec_set: object = None,
            autospec: object = None,
            new_callable: object = None,
            **kwargs: Any,
        ) -> dict[str, Any]:
            mocked = self._start_patch(
                self.mock_module.patch.multiple, True, target, spec=spec, create=create,
                spec_set=spec_set, autospec=autospec, new_callable=new_callable, **kwargs,
            )
            item = self.__mock_cache.find(mocked)
            patchers = [item.patch, *item.patch.additional_patchers]
            item.reset_mocks = (
                *mocked.values(),
                *(p.new for p in patchers if p.new is not self.mock_module.DEFAULT),
            )
            return mocked  # type: ignore[no-any-return]

        def dict(self, in_dict: Any, values: Any = (), clear: bool = False, **kwargs: Any) -> Any:
            return self._start_patch(self.mock_module.patch.dict, True, in_dict, values=values, clear=clear, **kwargs)

        def __call__(
            self,
            target: str,
            new: object = DEFAULT,
            spec: object = None,
            create: bool = False,
            spec_set: object = None,
            autospec: object = None,
            new_callable: Any = None,
            **kwargs: Any,
        ) -> Any:
            return self._start_patch(
                self.mock_module.patch, True, target, new=self._new(new), spec=spec, create=create,
                spec_set=spec_set, autospec=autospec, new_callable=new_callable, **kwargs,
            )


MockFixture = MockerFixture
