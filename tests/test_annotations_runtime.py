"""The public annotations work at run time: subscriptable, no side effects, usable by
`typing.get_type_hints` (also under `from __future__ import annotations`), never instantiated."""

from __future__ import annotations

import typing

import pytest

from mypy_async_strict import AsyncMockOf, MagicMockOf, MockOf, NonCallableMagicMockOf


class Session:
    async def execute(self) -> int:
        return 1


def fixture_like() -> MagicMockOf[Session]:
    raise NotImplementedError


def test_subscription_with_one_or_two_arguments() -> None:
    assert typing.get_origin(MagicMockOf[Session]) is MagicMockOf
    assert typing.get_args(AsyncMockOf[Session, typing.Literal["autospec"]]) == (
        Session,
        typing.Literal["autospec"],
    )
    assert typing.get_args(NonCallableMagicMockOf[type[Session]]) == (type[Session],)


def test_get_type_hints_resolves_postponed_annotations() -> None:
    hints = typing.get_type_hints(fixture_like)
    assert typing.get_origin(hints["return"]) is MagicMockOf


def test_wrong_arity_and_instantiation_are_rejected() -> None:
    with pytest.raises(TypeError):
        MockOf[int, int, int]  # type: ignore[misc]
    with pytest.raises(TypeError):
        MagicMockOf()


def test_importing_the_annotations_does_not_import_mypy() -> None:
    import subprocess
    import sys

    code = "import sys, mypy_async_strict; print('mypy' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "False"
