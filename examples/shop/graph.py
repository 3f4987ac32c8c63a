from __future__ import annotations

from neo4j import AsyncDriver, AsyncSession


class GraphClient:
    """Wraps the neo4j driver.  `session` became `async def` in a refactor."""

    def __init__(self, driver: AsyncDriver) -> None:
        self._driver = driver

    async def session(self) -> AsyncSession:
        return self._driver.session(database="neo4j")

    async def friends_of(self, email: str) -> list[str]:
        async with await self.session() as session:
            result = await session.run(
                "MATCH (:User {email: $email})-[:FRIEND]-(f) RETURN f.email AS email", email=email
            )
            return [record["email"] async for record in result]
