"""Mapping is pure and must accept every example payload in Walmart's own OpenAPI files."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from sellerdesk.marketplaces.base import Address, MappingError
from sellerdesk.marketplaces.walmart.mapping import (
    address_fingerprint,
    map_order,
    map_orders_page,
    map_return,
    map_returns_page,
    relay_email,
)
from tests.reference import WALMART_OPENAPI

SPEC_DIR = WALMART_OPENAPI


def _examples(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``example`` value and every ``examples.*.value`` in a spec, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example":
                yield f"{path}/example", value
            elif key == "examples" and isinstance(value, dict):
                for name, entry in value.items():
                    yield (
                        f"{path}/examples/{name}",
                        entry.get("value", entry) if isinstance(entry, dict) else entry,
                    )
            else:
                yield from _examples(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _examples(value, f"{path}[{i}]")


def _orders_in(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "purchaseOrderId" in value and "orderDate" in value:
            yield value
            return
        for inner in value.values():
            yield from _orders_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _orders_in(inner)


def _response_examples(name: str) -> list[tuple[str, Any]]:
    spec = json.loads((SPEC_DIR / name).read_text())
    return [
        (p, v) for p, v in _examples(spec["paths"]) if "/responses/" in p and not isinstance(v, str)
    ]


ORDER_EXAMPLES = [(p, o) for p, v in _response_examples("orders.json") for o in _orders_in(v)]
RETURN_EXAMPLES = [
    (p, v)
    for p, v in _response_examples("returns.json")
    if isinstance(v, dict) and "returnOrders" in v
]


def test_the_spec_holds_the_examples_we_expect() -> None:
    assert len(ORDER_EXAMPLES) == 26
    assert len(RETURN_EXAMPLES) == 1


@pytest.mark.parametrize(
    ("where", "raw"), ORDER_EXAMPLES, ids=[f"{p}#{o['purchaseOrderId']}" for p, o in ORDER_EXAMPLES]
)
def test_every_spec_order_example_maps(where: str, raw: dict[str, Any]) -> None:
    order = map_order(raw)
    assert order.order_id == raw["purchaseOrderId"]
    assert order.order_date == datetime.fromtimestamp(raw["orderDate"] / 1000, tz=UTC)
    assert order.order_date.tzinfo is UTC
    assert len(order.lines) == len(raw["orderLines"]["orderLine"])
    assert order.last_modified >= order.order_date
    for line, raw_line in zip(order.lines, raw["orderLines"]["orderLine"], strict=True):
        assert line.line_number == raw_line["lineNumber"]
        assert line.sku == raw_line["item"]["sku"]
        assert isinstance(line.unit_price, Decimal)


def test_every_list_example_maps_as_a_page_and_keeps_its_cursor_verbatim() -> None:
    pages = [v for _, v in _response_examples("orders.json") if isinstance(v, dict) and "list" in v]
    assert pages
    for raw in pages:
        page = map_orders_page(raw)
        assert len(page.items) == len(raw["list"]["elements"]["order"])
        assert page.next_cursor == raw["list"]["meta"].get("nextCursor")
    first = map_orders_page(pages[0])
    assert first.next_cursor == (
        "?limit=10&hasMoreElements=true&soIndex=31&poIndex=10&partnerId=100009&sellerId=8"
        "&createdStartDate=2013-08-16&createdEndDate=2019-09-17T18:47:03.703Z"
    )
    assert first.total_count == 31


def test_spec_order_example_with_tracking_refund_and_3pl_node_maps_exact_values() -> None:
    raw = next(o for p, o in ORDER_EXAMPLES if "ATTRIBUTES" in p)
    order = map_order(raw)
    line = order.lines[0]
    assert order.ship_node_type == "3PLFulfilled"
    assert order.buyer_email == "3a31739d8b0a45a1b23f7f8c81c8747f@relay.walmart.com"
    assert order.shipping_name == "Kathryn Cole"
    assert order.estimated_ship_date == datetime(2019, 9, 17, 6, 0, tzinfo=UTC)
    assert line.carrier == "FED_EX"  # carrier wins over otherCarrier when both are sent
    assert line.tracking_number == "001792410114462199"
    assert line.ship_date == datetime.fromtimestamp(1241715945678 / 1000, tz=UTC)
    assert line.refunded_amount == Decimal("798") and line.refunded_tax == Decimal("798")
    assert line.refund_reasons == ("INCORRECT_ITEM_RECEIVED",)
    assert line.unit_price == Decimal("10") and line.tax == Decimal("0.8")
    assert line.status == "Created" and line.cancellation_reason == "xyz"


def test_spec_return_example_maps_iso_dates_refunds_and_tracking_in_order() -> None:
    page = map_returns_page(RETURN_EXAMPLES[0][1])
    assert page.next_cursor == "?sellerId=151&limit=10&offset=10"
    ret = page.items[0]
    assert ret.return_order_id == "103738048909818825"
    assert ret.return_date == datetime(2019, 2, 21, 1, 1, 8, tzinfo=UTC)
    assert ret.total_refund_amount == Decimal("127.45")
    assert ret.label_tracking == (("FEDEX", "785611449666"),)
    line = ret.lines[0]
    assert (line.purchase_order_id, line.reason, line.status, line.current_refund_status) == (
        "4790210558890",
        "ARRIVED_LATE",
        "COMPLETED",
        "NOT_REFUNDED",
    )
    assert line.line_total == Decimal("127.45") and line.unit_price == Decimal("119.95")
    assert [e.tag for e in line.tracking_events] == ["RETURN_INITIATED", "RETURN_IN_TRANSIT"]
    assert line.tracking_events[1].time == datetime(2019, 2, 23, 0, 46, 11, tzinfo=UTC)
    assert ret.last_modified == datetime(2019, 3, 2, 5, 45, 45, tzinfo=UTC)


def _minimal_order() -> dict[str, Any]:
    return {
        "purchaseOrderId": "1",
        "customerOrderId": "2",
        "orderDate": 1568466571000,
        "orderLines": {"orderLine": [{"lineNumber": "1", "item": {"sku": "A"}}]},
    }


def test_missing_optional_fields_never_crash() -> None:
    order = map_order(_minimal_order())
    assert (
        order.buyer_email is None
        and order.shipping_address is None
        and order.address_fingerprint is None
    )
    assert order.ship_node_type == "SellerFulfilled"
    assert order.lines[0].status == "Created" and order.lines[0].unit_price == Decimal("0")
    assert order.order_total == Decimal("0")
    assert map_return({"returnOrderId": "9"}).lines == ()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda o: o.pop("purchaseOrderId"), "purchaseOrderId"),
        (lambda o: o.pop("orderDate"), "order[1].orderDate"),
        (lambda o: o.__setitem__("orderDate", "yesterday"), "order[1].orderDate"),
        (lambda o: o.pop("orderLines"), "order[1].orderLines"),
        (
            lambda o: o["orderLines"]["orderLine"][0]["item"].pop("sku"),
            "order[1].orderLines.orderLine[0].item.sku",
        ),
        (
            lambda o: o["orderLines"]["orderLine"][0].__setitem__(
                "charges",
                {"charge": [{"chargeType": "PRODUCT", "chargeAmount": {"amount": "ten"}}]},
            ),
            "order[1].orderLines.orderLine[0].charges.charge[0].chargeAmount.amount",
        ),
        (
            lambda o: o["orderLines"]["orderLine"][0].__setitem__("statusDate", True),
            "order[1].orderLines.orderLine[0].statusDate",
        ),
    ],
)
def test_malformed_required_field_raises_mapping_error_naming_it(mutate: Any, field: str) -> None:
    raw = copy.deepcopy(_minimal_order())
    mutate(raw)
    with pytest.raises(MappingError) as info:
        map_order(raw)
    assert info.value.field == field
    assert info.value.permanent is True


def test_malformed_iso_date_in_return_names_the_field() -> None:
    with pytest.raises(MappingError) as info:
        map_return({"returnOrderId": "9", "returnOrderDate": "21/02/2019"})
    assert info.value.field == "returnOrder[9].returnOrderDate"


def test_intent_to_cancel_split_statuses_and_wfs_node() -> None:
    raw = _minimal_order()
    raw["shipNode"] = {"type": "WFSFulfilled"}
    raw["orderLines"]["orderLine"][0].update(
        intentToCancel="Y",
        orderLineQuantity={"unitOfMeasurement": "EACH", "amount": "2"},
        orderLineStatuses={
            "orderLineStatus": [
                {"status": "Cancelled", "statusQuantity": {"amount": "1"}},
                {
                    "status": "Shipped",
                    "statusQuantity": {"amount": "1"},
                    "trackingInfo": {
                        "shipDateTime": 1568500000000,
                        "carrierName": {"otherCarrier": "Acme"},
                        "trackingNumber": "X1",
                        "trackingURL": "https://acme.example/X1",
                    },
                },
            ]
        },
    )
    line = map_order(raw).lines[0]
    assert map_order(raw).ship_node_type == "WFSFulfilled"
    assert (line.status, line.status_quantities, line.intent_to_cancel) == (
        "Shipped",
        (("Cancelled", 1), ("Shipped", 1)),
        True,
    )
    assert (line.carrier, line.tracking_number, line.tracking_url) == (
        "Acme",
        "X1",
        "https://acme.example/X1",
    )


def test_address_fingerprint_ignores_formatting_but_not_the_door() -> None:
    a = Address("Kathryn Cole", "3258B Warners Rd.", "", "Warners", "NY", "13164-1234", "USA")
    b = Address("KATHRYN  COLE", "3258B warners rd", "", "warners", "ny", "13164", "US")
    c = Address("Kathryn Cole", "3260 Warners Rd", "", "Warners", "NY", "13164", "USA")
    assert address_fingerprint(a) == address_fingerprint(b)
    assert address_fingerprint(a) != address_fingerprint(c)
    assert len(address_fingerprint(a)) == 64


def test_placeholder_email_is_not_a_buyer_address() -> None:
    assert relay_email("nocxemail@walmartone.com") is None
    assert (
        relay_email("3A31739D8B0A45A1B23F7F8C81C8747F@relay.walmart.com")
        == "3a31739d8b0a45a1b23f7f8c81c8747f@relay.walmart.com"
    )
