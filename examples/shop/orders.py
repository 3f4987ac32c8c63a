from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class Receipt:
    order_id: int
    cents: int


class PaymentGateway:
    """An HTTP payment provider's client."""

    currency = "EUR"

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    async def charge(self, order_id: int, cents: int, *, idempotency_key: str) -> Receipt:
        raise NotImplementedError("talks to the provider")

    def fee(self, cents: int) -> int:
        return cents // 50


async def send_receipt(to: str, receipt: Receipt) -> None:
    raise NotImplementedError("sends an email")


class OrderService:
    def __init__(self, session: AsyncSession, gateway: PaymentGateway) -> None:
        self.session = session
        self.gateway = gateway

    async def checkout(self, order_id: int, cents: int) -> Receipt:
        total = cents + self.gateway.fee(cents)
        receipt = await self.gateway.charge(order_id, total, idempotency_key=f"order-{order_id}")
        await self.session.execute(
            text("UPDATE orders SET paid = :cents WHERE id = :id"), {"cents": receipt.cents, "id": order_id}
        )
        await self.session.commit()
        await send_receipt("buyer@example.com", receipt)
        return receipt
