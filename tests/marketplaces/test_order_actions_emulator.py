"""What the emulator accepts and refuses for the order actions, as Walmart's orders.json says:
the code lists the actions offer are exactly Walmart's enums, unknown codes are refused, a
request may not mix full and partial refunds, and a full refund gives back tax and shipping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sellerdesk.marketplaces.walmart.client import WalmartClient
from sellerdesk.marketplaces.walmart.codes import CANCEL_REASONS, CARRIERS, REFUND_REASONS
from sellerdesk.marketplaces.walmart.emulator import EmulatorHandle
from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.marketplaces.walmart.errors import WalmartAPIError
from sellerdesk.marketplaces.walmart.wire import RefundLine
from tests.marketplaces.order_actions_support import pick, running_emulator
from tests.marketplaces.sync.support import SharedClock
from tests.reference import WALMART_OPENAPI


def _enums(node: Any, key: str) -> list[list[str]]:
    found = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key and isinstance(value, dict) and "enum" in value:
                found.append(value["enum"])
            found.extend(_enums(value, key))
    elif isinstance(node, list):
        for value in node:
            found.extend(_enums(value, key))
    return found


@pytest.fixture(scope="module")
def spec() -> Any:
    return json.loads((WALMART_OPENAPI / "orders.json").read_text())


def _only(enums: list[list[str]]) -> list[str]:
    assert enums, "the enum is gone from orders.json"
    assert all(e == enums[0] for e in enums), "orders.json disagrees with itself"
    return enums[0]


def test_the_refund_reasons_are_walmarts_enum_in_its_order(spec: Any) -> None:
    assert list(REFUND_REASONS) == _only(_enums(spec, "refundReason"))


def test_the_cancel_reasons_are_walmarts_enum(spec: Any) -> None:
    assert [code for code, _ in CANCEL_REASONS] == [
        "CUSTOMER_REQUESTED_SELLER_TO_CANCEL",
        "SELLER_CANCEL_OUT_OF_STOCK",
        "SELLER_CANCEL_PRICING_ERROR",
        "SELLER_CANCEL_FRAUD_STOP_SHIPMENT",
        "SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE",
    ]
    assert {code for code, _ in CANCEL_REASONS} == set(_only(_enums(spec, "cancellationReason")))


def test_the_carriers_are_walmarts_enum_in_its_order(spec: Any) -> None:
    assert list(CARRIERS) == _only(_enums(spec, "carrier"))


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    with running_emulator(SharedClock()) as handle:
        yield handle


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[WalmartClient]:
    with WalmartClient(emulator.url, emulator.client_id, emulator.client_secret) as walmart:
        yield walmart


def test_an_unknown_refund_reason_is_refused_and_changes_nothing(
    emulator: EmulatorHandle, client: WalmartClient
) -> None:
    order, line = pick(emulator, "Delivered")

    with pytest.raises(WalmartAPIError, match="Invalid refundReason 'Because'") as refused:
        client.refund(order.po, [RefundLine(str(line.number), Decimal("1"), "Because")])

    assert refused.value.status == 400 and line.refunds == []


def test_an_unknown_cancel_reason_is_refused_and_changes_nothing(
    emulator: EmulatorHandle, client: WalmartClient
) -> None:
    order, line = pick(emulator, "Acknowledged")

    with pytest.raises(WalmartAPIError, match="Invalid cancellationReason"):
        client.cancel(order.po, [str(line.number)], "SELLER_CANCEL_UNABLE_TO_FULFILL")

    assert line.status == "Acknowledged"


def test_refunding_a_line_that_has_not_shipped_is_refused(
    emulator: EmulatorHandle, client: WalmartClient
) -> None:
    order, line = pick(emulator, "Acknowledged")

    with pytest.raises(WalmartAPIError, match="only shipped or delivered lines can be refunded"):
        client.refund(order.po, [RefundLine(str(line.number), Decimal("1"), "DamagedItem")])

    assert line.refunds == []


def test_a_request_mixing_full_and_partial_refunds_is_refused(
    emulator: EmulatorHandle, client: WalmartClient
) -> None:
    order = next(
        o
        for o in emulator.emulator.state.orders
        if o.ship_node == "SellerFulfilled"
        and sum(ln.status == "Delivered" and not ln.refunds for ln in o.lines) >= 2
    )
    first, second = [ln for ln in order.lines if ln.status == "Delivered"][:2]
    lines = [
        {
            "lineNumber": str(ln.number),
            "isFullRefund": full,
            "refunds": {
                "refund": [
                    {
                        "refundCharges": {
                            "refundCharge": [
                                {
                                    "refundReason": "DamagedItem",
                                    "charge": {
                                        "chargeType": "PRODUCT",
                                        "chargeName": "Item Price",
                                        "chargeAmount": {"currency": "USD", "amount": -1.0},
                                    },
                                }
                            ]
                        }
                    }
                ]
            },
        }
        for ln, full in ((first, True), (second, False))
    ]
    payload = {"orderRefund": {"purchaseOrderId": order.po, "orderLines": {"orderLine": lines}}}

    # The client sends one mode per request, so the mixed body goes out through its transport.
    with pytest.raises(WalmartAPIError, match="in full or every line in part, not both"):
        client._send("POST", f"/v3/orders/{order.po}/refund", json=payload, retry_unsure=False)

    assert (first.refunds, second.refunds) == ([], [])


def test_a_full_refund_gives_back_the_rest_of_the_line_with_tax_and_shipping(
    emulator: EmulatorHandle, client: WalmartClient
) -> None:
    order, line = pick(emulator, "Delivered")
    unit = emulator.emulator.state.products[line.product].price_cents
    line.refunds.append((100, 8, "Others"))  # a dollar refunded before
    order.rendered.clear()

    answer = client.refund(
        order.po, [RefundLine(str(line.number), Decimal("0.01"), "DamagedItem")], full=True
    )

    rest = unit * line.quantity + line.shipping_cents - 100
    assert line.refunds[-1] == (rest, cat.line_tax_cents(unit, line.quantity) - 8, "DamagedItem")
    mapped = next(ln for ln in answer.lines if ln.line_number == str(line.number))
    assert mapped.refunded_amount == Decimal(unit * line.quantity + line.shipping_cents) / 100


def test_sending_the_whole_item_price_as_a_partial_refund_is_a_full_refund(
    emulator: EmulatorHandle, client: WalmartClient
) -> None:
    order, line = pick(emulator, "Delivered")
    unit = emulator.emulator.state.products[line.product].price_cents
    price = Decimal(unit * line.quantity) / 100

    client.refund(order.po, [RefundLine(str(line.number), price, "DamagedItem")])

    assert line.refunds == [
        (unit * line.quantity + line.shipping_cents, cat.line_tax_cents(unit, line.quantity), "DamagedItem")
    ]  # fmt: skip


def test_a_line_refunded_in_full_refuses_any_further_refund(
    emulator: EmulatorHandle, client: WalmartClient
) -> None:
    order, line = pick(emulator, "Delivered")
    client.refund(order.po, [RefundLine(str(line.number), Decimal("0.01"), "Others")], full=True)
    before = list(line.refunds)

    with pytest.raises(WalmartAPIError, match="has been refunded in full already"):
        client.refund(order.po, [RefundLine(str(line.number), Decimal("0.01"), "Others")])

    assert line.refunds == before
