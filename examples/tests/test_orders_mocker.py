"""pytest-mock tests of the checkout, each postmortem bug next to its correct twin."""

from pytest_mock import MockerFixture
from sqlalchemy.ext.asyncio import AsyncSession

from shop.orders import OrderService, PaymentGateway, Receipt


async def paid(order_id: int, cents: int, *, idempotency_key: str) -> Receipt:
    return Receipt(order_id, cents)


async def fake_receipt() -> Receipt:
    return Receipt(1, 1020)


async def test_checkout_commits(mocker: MockerFixture) -> None:
    session = mocker.MagicMock(spec=AsyncSession)
    gateway = mocker.create_autospec(PaymentGateway, instance=True)
    gateway.fee.return_value = 20
    gateway.charge.side_effect = paid
    email = mocker.patch("shop.orders.send_receipt", autospec=True)
    receipt = await OrderService(session, gateway).checkout(1, 1000)
    assert receipt == Receipt(1, 1020)
    session.commit.assert_awaited_once()
    email.assert_awaited_once_with("buyer@example.com", receipt)


async def test_checkout_with_a_sync_commit(mocker: MockerFixture) -> None:
    # Postmortem #2 (mock-async-mismatch): commit replaced by a MagicMock "to inspect it";
    # the service's `await self.session.commit()` raises TypeError.
    session = mocker.MagicMock(spec=AsyncSession)
    session.commit = mocker.MagicMock()
    gateway = mocker.create_autospec(PaymentGateway, instance=True)
    gateway.fee.return_value = 0
    gateway.charge.side_effect = paid
    mocker.patch("shop.orders.send_receipt")
    await OrderService(session, gateway).checkout(1, 1000)


async def test_checkout_with_a_canned_receipt(mocker: MockerFixture) -> None:
    # Postmortem #3 (mock-return): the coroutine object itself becomes the "receipt".
    session = mocker.MagicMock(spec=AsyncSession)
    gateway = mocker.create_autospec(PaymentGateway, instance=True)
    gateway.fee.return_value = 20
    gateway.charge.return_value = fake_receipt()
    mocker.patch("shop.orders.send_receipt")
    receipt = await OrderService(session, gateway).checkout(1, 1000)
    assert receipt.cents == 1020


async def test_checkout_emails_the_receipt(mocker: MockerFixture) -> None:
    # Postmortem #4 (mock-call): the assertion forgot the recipient, so it can never pass,
    # whatever the service does.
    gateway = mocker.create_autospec(PaymentGateway, instance=True)
    gateway.fee.return_value = 20
    gateway.charge.side_effect = paid
    email = mocker.patch("shop.orders.send_receipt", autospec=True)
    receipt = await OrderService(mocker.MagicMock(spec=AsyncSession), gateway).checkout(1, 1000)
    email.assert_awaited_once_with(receipt)


async def test_checkout_adds_the_fee_once(mocker: MockerFixture) -> None:
    # Postmortem #5 (mock-assert): fee is a plain method, so its mock has no
    # assert_awaited_once; the test dies with AttributeError.
    fee = mocker.patch.object(PaymentGateway, "fee", return_value=20)
    mocker.patch.object(PaymentGateway, "charge", side_effect=paid)
    mocker.patch("shop.orders.send_receipt")
    await OrderService(mocker.MagicMock(spec=AsyncSession), PaymentGateway("key")).checkout(1, 1000)
    fee.assert_awaited_once()
