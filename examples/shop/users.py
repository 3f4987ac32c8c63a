from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class User:
    id: int
    email: str


class UserService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def register(self, email: str) -> User:
        result = await self.session.execute(
            text("INSERT INTO users (email) VALUES (:email) RETURNING id"), {"email": email}
        )
        await self.session.commit()
        return User(id=result.scalar_one(), email=email)

    async def count(self) -> int:
        result = await self.session.execute(text("SELECT count(*) FROM users"))
        return int(result.scalar_one())
