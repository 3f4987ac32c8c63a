from unittest.mock import AsyncMock, MagicMock

from shop.graph import GraphClient


async def test_session_is_opened_with_the_right_database() -> None:
    client = MagicMock(spec=GraphClient)
    # Postmortem #2: `session` is `async def`, so this is a coroutine, not a context manager.
    with client.session() as session:
        assert session is not None


async def test_friends_of_uses_session() -> None:
    client = MagicMock(spec=GraphClient)
    client.friends_of.return_value = ["grace@example.com"]
    assert await client.friends_of("ada@example.com") == ["grace@example.com"]
    client.friends_of.assert_awaited_once_with("ada@example.com")


async def test_session_awaited_then_entered() -> None:
    client = MagicMock(spec=GraphClient)
    session = await client.session()
    async with session:
        pass
    client.session.assert_awaited_once()
    assert isinstance(client.session, AsyncMock)
