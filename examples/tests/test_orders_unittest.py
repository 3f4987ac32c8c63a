"""unittest (IsolatedAsyncioTestCase) tests of the checkout."""

import unittest
from unittest.mock import AsyncMock, MagicMock, create_autospec, patch

from sqlalchemy.ext.asyncio import AsyncSession

from shop.orders import OrderService, PaymentGateway, Receipt


class CheckoutTest(unittest.IsolatedAsyncioTestCase):
    async def test_checkout_pays(self) -> None:
        session = AsyncMock(spec=AsyncSession)
        gateway = create_autospec(PaymentGateway, instance=True)
        gateway.fee.return_value = 0
        gateway.charge.return_value = Receipt(1, 1000)
        with patch("shop.orders.send_receipt") as email:
            receipt = await OrderService(session, gateway).checkout(1, 1000)
        self.assertEqual(receipt.cents, 1000)
        email.assert_awaited_once_with("buyer@example.com", receipt)

    async def test_checkout_patched_gateway(self) -> None:
        # Postmortem #6 (mock-async-mismatch): new_callable=MagicMock over an async def.
        session = AsyncMock(spec=AsyncSession)
        with patch.object(PaymentGateway, "charge", new_callable=MagicMock) as charge:
            charge.assert_not_called()
            with patch("shop.orders.send_receipt"):
                await OrderService(session, PaymentGateway("key")).checkout(1, 1000)

    async def test_gateway_is_not_retried(self) -> None:
        # Postmortem #7 (mock-spec): spec_set refuses a name the gateway does not have.
        gateway = MagicMock(spec_set=PaymentGateway)
        gateway.retries = 0
        gateway.fee.return_value = 0
        gateway.charge.return_value = Receipt(1, 1000)
        with patch("shop.orders.send_receipt"):
            await OrderService(AsyncMock(spec=AsyncSession), gateway).checkout(1, 1000)


if __name__ == "__main__":
    unittest.main()
