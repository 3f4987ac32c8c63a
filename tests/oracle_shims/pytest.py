"""A stand-in for pytest, for the run-time oracle (tests/oracle_runner.py) only.

The oracle copies this file into a case's directory as `pytest.py` when the interpreter cannot
import pytest (never where it can), so that a case's `import pytest`, `@pytest.fixture`,
`@pytest.mark.*`, `pytest.param`, `pytest.raises`, `pytest.fail`, `pytest.skip` and
`pytest.MonkeyPatch` work.  It does what pytest does with them outside a pytest run: a fixture
is wrapped in a FixtureFunctionDefinition (as pytest >= 8.4 wraps it; calling it directly
fails), marks are stored in `pytestmark`.  The oracle itself collects and runs the tests.
Standard library only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import inspect
import os
import pkgutil
import re
import sys
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any, NamedTuple

__version__ = "0+oracle.shim"
ORACLE_SHIM = True


# -- outcomes --------------------------------------------------------------------------------


class OutcomeException(BaseException):
    def __init__(self, msg: str | None = None, pytrace: bool = True) -> None:
        super().__init__(msg)
        self.msg = msg
        self.pytrace = pytrace


class Failed(OutcomeException):
    pass


class Skipped(OutcomeException):
    pass


def fail(reason: str = "", pytrace: bool = True) -> Any:
    raise Failed(reason, pytrace)


def skip(reason: str = "", *, allow_module_level: bool = False) -> Any:
    raise Skipped(reason)


fail.Exception = Failed  # type: ignore[attr-defined]
skip.Exception = Skipped  # type: ignore[attr-defined]


# -- fixtures --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FixtureFunctionMarker:
    scope: Any = "function"
    params: tuple[object, ...] | None = None
    autouse: bool = False
    ids: Any = None
    name: str | None = None

    def __call__(self, function: Callable[..., Any]) -> FixtureFunctionDefinition:
        if inspect.isclass(function):
            raise ValueError("class fixtures not supported (maybe in the future)")
        if isinstance(function, FixtureFunctionDefinition):
            raise ValueError(f"@pytest.fixture is being applied more than once to the same function {function.__name__!r}")
        if hasattr(function, "pytestmark"):
            fail("Marks cannot be applied to fixtures.", pytrace=False)
        if (self.name or function.__name__) == "request":
            fail("'request' is a reserved word for fixtures, use another name", pytrace=False)
        return FixtureFunctionDefinition(function, self)


class FixtureFunctionDefinition:
    """The fixture object: holds the function and its marker; calling it directly fails."""

    def __init__(self, function: Callable[..., Any], marker: FixtureFunctionMarker, instance: object = None) -> None:
        self.name = marker.name or function.__name__
        self.__name__ = self.name
        self._fixture_function_marker = marker
        self._fixture_function = function.__get__(instance) if instance is not None else function
        functools.update_wrapper(self, function)

    def __repr__(self) -> str:
        return f"<pytest_fixture({self._fixture_function})>"

    def __get__(self, instance: object, owner: type | None = None) -> FixtureFunctionDefinition:
        return FixtureFunctionDefinition(self._fixture_function, self._fixture_function_marker, instance)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fail(
            f'Fixture "{self.name}" called directly. Fixtures are not meant to be called directly,\n'
            "but are created automatically when test functions request them as parameters.",
            pytrace=False,
        )

    def _get_wrapped_function(self) -> Callable[..., Any]:
        return self._fixture_function


def fixture(
    fixture_function: Callable[..., Any] | None = None,
    *,
    scope: Any = "function",
    params: Any = None,
    autouse: bool = False,
    ids: Any = None,
    name: str | None = None,
) -> Any:
    marker = FixtureFunctionMarker(
        scope=scope,
        params=tuple(params) if params is not None else None,
        autouse=autouse,
        ids=None if ids is None else ids if callable(ids) else tuple(ids),
        name=name,
    )
    if fixture_function is not None:
        return marker(fixture_function)
    return marker


class FixtureRequest:
    """For annotations only: the oracle passes its own request object."""


# -- marks -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Mark:
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def combined_with(self, other: Mark) -> Mark:
        return Mark(self.name, self.args + other.args, {**self.kwargs, **other.kwargs})


class MarkDecorator:
    def __init__(self, mark: Mark) -> None:
        self.mark = mark

    name = property(lambda self: self.mark.name)
    args = property(lambda self: self.mark.args)
    kwargs = property(lambda self: self.mark.kwargs)

    def __repr__(self) -> str:
        return f"<MarkDecorator {self.mark!r}>"

    def with_args(self, *args: Any, **kwargs: Any) -> MarkDecorator:
        return MarkDecorator(self.mark.combined_with(Mark(self.name, args, kwargs)))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args and not kwargs and len(args) == 1:
            target = args[0]
            if inspect.isclass(target) or (callable(target) and getattr(target, "__name__", "<lambda>") != "<lambda>"):
                store_mark(target, self.mark)
                return target
        return self.with_args(*args, **kwargs)


def store_mark(obj: Any, mark: Mark) -> None:
    own = obj.__dict__.get("pytestmark", []) if hasattr(obj, "__dict__") else []
    own = own if isinstance(own, list) else [own]
    obj.pytestmark = [*own, mark]


class MarkGenerator:
    def __getattr__(self, name: str) -> MarkDecorator:
        if name.startswith("_"):
            raise AttributeError("Marker name must NOT start with underscore")
        return MarkDecorator(Mark(name, (), {}))


mark = MarkGenerator()


class ParameterSet(NamedTuple):
    values: tuple[Any, ...]
    marks: Any
    id: str | None


def param(*values: object, marks: Any = (), id: str | None = None) -> ParameterSet:
    return ParameterSet(values, marks, id)


# -- raises ----------------------------------------------------------------------------------


class ExceptionInfo:
    def __init__(self) -> None:
        self._info: tuple[type[BaseException], BaseException, Any] | None = None

    @property
    def type(self) -> type[BaseException]:
        assert self._info is not None, ".type can only be used after the context manager exits"
        return self._info[0]

    @property
    def value(self) -> BaseException:
        assert self._info is not None, ".value can only be used after the context manager exits"
        return self._info[1]

    @property
    def tb(self) -> Any:
        assert self._info is not None, ".tb can only be used after the context manager exits"
        return self._info[2]

    @property
    def typename(self) -> str:
        return self.type.__name__

    def errisinstance(self, exc: Any) -> bool:
        return isinstance(self.value, exc)

    def match(self, regexp: str | re.Pattern[str]) -> bool:
        value = str(self.value)
        if not re.search(regexp, value):
            raise AssertionError(f"Regex pattern did not match.\n Expected regex: {regexp!r}\n Actual message: {value!r}")
        return True


class RaisesContext:
    def __init__(self, expected: Any, match: str | re.Pattern[str] | None) -> None:
        self.expected = expected
        self.match_expr = match
        self.excinfo = ExceptionInfo()

    def __enter__(self) -> ExceptionInfo:
        return self.excinfo

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc_type is None or exc is None:
            fail(f"DID NOT RAISE {self.expected}")
        if not issubclass(exc_type, self.expected):
            return False
        self.excinfo._info = (exc_type, exc, tb)
        if self.match_expr is not None:
            self.excinfo.match(self.match_expr)
        return True


def raises(expected_exception: Any, *args: Any, **kwargs: Any) -> Any:
    """`with raises(E, match=...)`, or `raises(E, function, *args, **kwargs)` (the keywords go
    to the function)."""
    if not args:
        if set(kwargs) - {"match"}:
            raise TypeError(
                "Unexpected keyword arguments passed to pytest.raises: " + ", ".join(sorted(kwargs))
                + "\nUse context-manager form instead?"
            )
        return RaisesContext(expected_exception, kwargs.get("match"))
    function, *rest = args
    if not callable(function):
        raise TypeError(f"{function!r} object (type: {type(function)}) must be callable")
    context = RaisesContext(expected_exception, None)
    with context:
        function(*rest, **kwargs)
    return context.excinfo


# -- monkeypatch -----------------------------------------------------------------------------

notset: Any = object()


class MonkeyPatch:
    def __init__(self) -> None:
        self._setattr: list[tuple[object, str, object]] = []
        self._setitem: list[tuple[MutableMapping[Any, Any], object, object]] = []
        self._cwd: str | None = None
        self._savesyspath: list[str] | None = None

    @classmethod
    @contextlib.contextmanager
    def context(cls) -> Iterator[MonkeyPatch]:
        patcher = cls()
        try:
            yield patcher
        finally:
            patcher.undo()

    def setattr(self, target: Any, name: Any = notset, value: Any = notset, raising: bool = True) -> None:
        if value is notset:
            if not isinstance(target, str):
                raise TypeError("use setattr(target, name, value) or setattr(target, value) with target being a dotted import string")
            value = name
            name, target = _derive_importpath(target, raising)
        elif not isinstance(name, str):
            raise TypeError("use setattr(target, name, value) or setattr(target, value) with target being a dotted import string")
        oldval = getattr(target, name, notset)
        if raising and oldval is notset:
            raise AttributeError(f"{target!r} has no attribute {name!r}")
        if inspect.isclass(target):
            oldval = target.__dict__.get(name, notset)
        self._setattr.append((target, name, oldval))
        setattr(target, name, value)

    def delattr(self, target: Any, name: Any = notset, raising: bool = True) -> None:
        if name is notset:
            if not isinstance(target, str):
                raise TypeError("use delattr(target, name) or delattr(target) with target being a dotted import string")
            name, target = _derive_importpath(target, raising)
        if not hasattr(target, name):
            if raising:
                raise AttributeError(name)
            return
        oldval = getattr(target, name, notset)
        if inspect.isclass(target):
            oldval = target.__dict__.get(name, notset)
        self._setattr.append((target, name, oldval))
        delattr(target, name)

    def setitem(self, dic: MutableMapping[Any, Any], name: object, value: object) -> None:
        self._setitem.append((dic, name, dic.get(name, notset)))
        dic[name] = value

    def delitem(self, dic: MutableMapping[Any, Any], name: object, raising: bool = True) -> None:
        if name not in dic:
            if raising:
                raise KeyError(name)
            return
        self._setitem.append((dic, name, dic.get(name, notset)))
        del dic[name]

    def setenv(self, name: str, value: str, prepend: str | None = None) -> None:
        value = str(value)
        if prepend and name in os.environ:
            value = value + prepend + os.environ[name]
        self.setitem(os.environ, name, value)

    def delenv(self, name: str, raising: bool = True) -> None:
        self.delitem(os.environ, name, raising=raising)

    def syspath_prepend(self, path: Any) -> None:
        if self._savesyspath is None:
            self._savesyspath = sys.path[:]
        sys.path.insert(0, str(path))
        importlib.invalidate_caches()

    def chdir(self, path: Any) -> None:
        if self._cwd is None:
            self._cwd = os.getcwd()
        os.chdir(path)

    def undo(self) -> None:
        for obj, name, value in reversed(self._setattr):
            if value is not notset:
                setattr(obj, name, value)
            else:
                delattr(obj, name)
        self._setattr[:] = []
        for dictionary, key, value in reversed(self._setitem):
            if value is notset:
                dictionary.pop(key, None)
            else:
                dictionary[key] = value
        self._setitem[:] = []
        if self._savesyspath is not None:
            sys.path[:] = self._savesyspath
            self._savesyspath = None
        if self._cwd is not None:
            os.chdir(self._cwd)
            self._cwd = None


def _derive_importpath(import_path: str, raising: bool) -> tuple[str, object]:
    if "." not in import_path:
        raise TypeError(f"must be absolute import path string, not {import_path!r}")
    module, attr = import_path.rsplit(".", 1)
    target = pkgutil.resolve_name(module)
    if raising and not hasattr(target, attr):
        raise AttributeError(f"{target!r} object at {module} has no attribute {attr!r}")
    return attr, target
