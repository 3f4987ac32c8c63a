from unittest.mock import AsyncMock, MagicMock

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shop.users import UserService


async def test_register_commits() -> None:
    session = AsyncMock(spec=AsyncSession)  # correct: async methods are AsyncMock
    session.execute.return_value = MagicMock(**{"scalar_one.return_value": 7})
    user = await UserService(session).register("ada@example.com")
    assert user.id == 7
    session.commit.assert_awaited_once()


async def test_count_after_cleanup() -> None:
    # Postmortem #1: a plain MagicMock standing in for the AsyncSession.  Its methods return
    # MagicMocks, so the first await raises TypeError.
    session = MagicMock()
    await session.execute(text("DELETE FROM users"))
    session.execute.return_value = MagicMock(**{"scalar_one.return_value": 0})
    assert await UserService(session).count() == 0


async def test_count_with_spec() -> None:
    session = MagicMock(spec=AsyncSession)  # correct: spec'd async members become AsyncMock
    session.execute.return_value = MagicMock(**{"scalar_one.return_value": 3})
    assert await UserService(session).count() == 3
