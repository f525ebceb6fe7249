"""The client against the emulator over real HTTP on loopback; every answer spec-validated."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from openapi_core.exceptions import OpenAPIError

from sellerdesk.marketplaces.base import OrderData
from sellerdesk.marketplaces.walmart.client import RefundLine, ShipmentLine, WalmartClient
from sellerdesk.marketplaces.walmart.emulator import build_emulator, main, start_live
from sellerdesk.marketplaces.walmart.emulator.catalog import DAY_MS
from sellerdesk.marketplaces.walmart.emulator.live import step
from sellerdesk.marketplaces.walmart.emulator.server import EmulatorHandle
from sellerdesk.marketplaces.walmart.errors import WalmartAPIError

from .conftest import EmulatorFactory, FakeClock, SpecValidator

START = 1_760_000_000.0


def _client(handle: EmulatorHandle, clock: FakeClock | None = None, **kwargs: Any) -> WalmartClient:
    if clock is not None:
        kwargs.setdefault("sleep", clock.sleep)
        kwargs.setdefault("wall_clock", clock)
    return WalmartClient(handle.url, handle.client_id, handle.client_secret, timeout=10, **kwargs)


def _expected(
    handle: EmulatorHandle, start: datetime, end: datetime, node: str = "SellerFulfilled"
) -> list[str]:
    lo, hi = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    return sorted(
        o.po for o in handle.emulator.state.orders if o.ship_node == node and lo <= o.order_ms <= hi
    )


def _window(days: int = 91) -> tuple[datetime, datetime]:
    end = datetime.fromtimestamp(START, tz=UTC)
    return end - timedelta(days=days), end


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def test_full_walk_returns_exactly_the_emulators_orders_with_mapped_fields(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=3, orders=600, clock=clock)
    start, end = _window()
    with _client(handle, clock) as client:
        orders = list(client.iter_orders(created_start=start, created_end=end))
    assert sorted(o.order_id for o in orders) == _expected(handle, start, end)
    lines = [ln for o in orders for ln in o.lines]
    assert {ln.status for ln in lines} == {
        "Created",
        "Acknowledged",
        "Shipped",
        "Delivered",
        "Cancelled",
    }
    assert all(ln.image_url and ln.image_url.startswith("https://") for ln in lines)
    assert any(ln.intent_to_cancel for ln in lines)
    assert any(
        len({ln.tracking_number for ln in o.lines if ln.tracking_number}) > 1 for o in orders
    ), "no split shipment"
    assert any(ln.refunded_amount > 0 for ln in lines)
    emails = [o.buyer_email for o in orders]
    assert all(
        e and e.endswith("@relay.walmart.com") and len(e.split("@")[0]) == 32 for e in emails
    )
    assert len(set(emails)) < len(emails), "no repeat buyer"
    assert {o.ship_node_type for o in orders} == {"SellerFulfilled"}


def test_wfs_orders_come_back_only_when_asked_for(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=3, orders=600, clock=clock)
    start, end = _window()
    with _client(handle, clock) as client:
        wfs = list(
            client.iter_orders(created_start=start, created_end=end, ship_node_type="WFSFulfilled")
        )
        assert (
            sorted(o.order_id for o in wfs) == _expected(handle, start, end, "WFSFulfilled") != []
        )
        assert {o.ship_node_type for o in wfs} == {"WFSFulfilled"}
        with pytest.raises(WalmartAPIError, match="WFS"):
            client.acknowledge(wfs[0].order_id)


def test_token_expiring_mid_iteration_is_refreshed_and_nothing_is_lost(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=5, orders=400, clock=clock, token_ttl=30)
    start, end = _window()
    seen: list[OrderData] = []
    # The client's own clock is real, so it believes its token is fresh: only the
    # emulator's 401 can tell it otherwise.
    with _client(handle, random=lambda: 0.0) as client:
        for order in client.iter_orders(created_start=start, created_end=end, limit=25):
            seen.append(order)
            if len(seen) % 25 == 0:
                clock.advance(20)
        assert client.token_fetches >= 5
    assert sorted(o.order_id for o in seen) == _expected(handle, start, end)


def test_a_429_storm_converges_to_exactly_the_orders(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=6, orders=800, clock=clock, rate_limit=2)
    start, end = _window()
    with (
        _client(handle, clock, limit=50)
        if False
        else _client(handle, clock, max_retries=8) as client
    ):
        orders = [
            o.order_id for o in client.iter_orders(created_start=start, created_end=end, limit=50)
        ]
    assert sorted(orders) == _expected(handle, start, end)
    assert len(orders) == len(set(orders))
    assert len(clock.slept) > 5, "the storm never throttled"
    assert max(clock.slept) <= 1.0, "replenishment header should allow a short wait"


def test_5xx_bursts_converge_to_exactly_the_orders_and_returns(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=8, orders=800, clock=clock, fail_rate=0.3)
    start, end = _window()
    with _client(handle, clock, max_retries=10) as client:
        orders = [
            o.order_id for o in client.iter_orders(created_start=start, created_end=end, limit=40)
        ]
        returns = [r.return_order_id for r in client.iter_returns(limit=5)]
    assert sorted(orders) == _expected(handle, start, end)
    assert len(orders) == len(set(orders))
    assert sorted(returns) == sorted(r.return_order_id for r in handle.emulator.state.returns)
    assert len(clock.slept) > 5, "no fault was injected"


def test_more_than_20000_orders_in_one_query_is_refused_and_a_windowed_walk_gets_them_all(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=11, orders=22_500, clock=clock)
    start, end = _window()
    with _client(handle, clock) as client:
        with pytest.raises(WalmartAPIError) as info:
            client.list_orders(created_start=start, created_end=end)
        assert info.value.is_query_too_large and info.value.status == 400 and info.value.permanent
        found: list[str] = []
        middle = start + (end - start) / 2
        # Windows are inclusive at both ends; step the second by a second to avoid overlap.
        for lo, hi in ((start, middle), (middle + timedelta(seconds=1), end)):
            found.extend(o.order_id for o in client.iter_orders(created_start=lo, created_end=hi))
    assert len(found) > 20_000
    assert len(found) == len(set(found))
    assert sorted(found) == _expected(handle, start, end)


def test_no_match_is_an_empty_page(make_emulator: EmulatorFactory, clock: FakeClock) -> None:
    handle = make_emulator(seed=1, orders=50, clock=clock)
    with _client(handle, clock) as client:
        page = client.list_orders(purchase_order_id="0000000000000")
    assert page.items == () and page.next_cursor is None


def test_incremental_walk_by_last_modified_sees_changes(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=2, orders=300, clock=clock)
    state = handle.emulator.state
    created = next(
        o
        for o in state.orders
        if o.ship_node == "SellerFulfilled" and any(ln.status == "Created" for ln in o.lines)
    )
    mark = datetime.fromtimestamp(clock() + 1, tz=UTC)
    clock.advance(60)
    with _client(handle, clock) as client:
        client.acknowledge(created.po)
        changed = [o.order_id for o in client.iter_orders(last_modified_start=mark)]
    assert changed == [created.po]


def _pick(handle: EmulatorHandle, status: str, *, intent: bool = False) -> tuple[str, str]:
    for order in handle.emulator.state.orders:
        if order.ship_node != "SellerFulfilled":
            continue
        for line in order.lines:
            if line.status == status and line.intent_to_cancel == intent and not line.refunds:
                return order.po, str(line.number)
    raise AssertionError(f"no {status} line")


def test_state_transitions_acknowledge_ship_cancel_refund(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=4, orders=400, clock=clock)
    shipped_at = datetime.fromtimestamp(START, tz=UTC)
    with _client(handle, clock) as client:
        po, line = _pick(handle, "Created")
        acked = client.acknowledge(po)
        assert {ln.status for ln in acked.lines if ln.line_number == line} == {"Acknowledged"}
        shipped = client.ship(
            po, [ShipmentLine(line, "1Z12345E0205271688", shipped_at, carrier="UPS")]
        )
        got = next(ln for ln in shipped.lines if ln.line_number == line)
        assert (got.status, got.carrier, got.tracking_number, got.ship_date) == (
            "Shipped",
            "UPS",
            "1Z12345E0205271688",
            shipped_at,
        )
        assert client.get_order(po) == shipped

        refunded = client.refund(
            po, [RefundLine(line, Decimal("1.50"), "DamagedItem", tax=Decimal("0.12"))]
        )
        got = next(ln for ln in refunded.lines if ln.line_number == line)
        assert (got.refunded_amount, got.refunded_tax, got.refund_reasons) == (
            Decimal("1.50"),
            Decimal("0.12"),
            ("DamagedItem",),
        )

        po2, line2 = _pick(handle, "Acknowledged")
        cancelled = client.cancel(po2, [line2], "SELLER_CANCEL_OUT_OF_STOCK")
        got = next(ln for ln in cancelled.lines if ln.line_number == line2)
        assert (got.status, got.cancellation_reason) == ("Cancelled", "SELLER_CANCEL_OUT_OF_STOCK")


def test_invalid_transitions_are_refused_with_400_and_change_nothing(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=4, orders=400, clock=clock)
    when = datetime.fromtimestamp(START, tz=UTC)
    with _client(handle, clock) as client:
        cases: list[tuple[tuple[str, str], Callable[[str, str], object], str]] = [
            (
                _pick(handle, "Cancelled"),
                lambda po, ln: client.ship(po, [ShipmentLine(ln, "X", when, carrier="UPS")]),
                "cannot be shipped",
            ),
            (
                _pick(handle, "Delivered"),
                lambda po, ln: client.cancel(po, [ln]),
                "cannot be cancelled",
            ),
            (
                _pick(handle, "Acknowledged"),
                lambda po, ln: client.refund(po, [RefundLine(ln, Decimal("1"), "Others")]),
                "only shipped or delivered",
            ),
            (
                _pick(handle, "Created", intent=True),
                lambda po, ln: client.ship(po, [ShipmentLine(ln, "X", when, carrier="UPS")]),
                "intentToCancelOverride",
            ),
            (
                _pick(handle, "Acknowledged"),
                lambda po, ln: client.cancel(po, [ln], "CUSTOMER_REQUESTED_SELLER_TO_CANCEL"),
                "only for lines the customer asked",
            ),
            (
                _pick(handle, "Delivered"),
                lambda po, ln: client.refund(po, [RefundLine(ln, Decimal("100000"), "Others")]),
                "exceeds",
            ),
        ]
        for (po, line), action, message in cases:
            before = client.get_order(po)
            with pytest.raises(WalmartAPIError, match=message) as info:
                action(po, line)
            assert info.value.status == 400 and info.value.permanent
            assert client.get_order(po) == before


def test_returns_list_and_refund(make_emulator: EmulatorFactory, clock: FakeClock) -> None:
    handle = make_emulator(seed=9, orders=500, clock=clock)
    with _client(handle, clock) as client:
        returns = list(client.iter_returns(limit=7))
        assert (
            returns and {r.lines[0].reason for r in returns} and all(r.return_date for r in returns)
        )
        open_return = next(r for r in returns if r.lines[0].current_refund_status == "NOT_REFUNDED")
        answer = client.refund_return(
            open_return.return_order_id, open_return.customer_order_id, [1]
        )
        assert answer["refundLines"] == [{"returnOrderLineNumber": 1}]
        again = client.list_returns(return_order_id=open_return.return_order_id).items[0]
        assert (again.lines[0].current_refund_status, again.lines[0].status) == (
            "REFUNDED",
            "COMPLETED",
        )
        order = client.get_order(str(open_return.lines[0].purchase_order_id))
        assert order.refunded_total > 0
        with pytest.raises(WalmartAPIError, match="already refunded"):
            client.refund_return(open_return.return_order_id, open_return.customer_order_id, [1])


def test_inventory_pause_resume_item_and_subscriptions(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=9, orders=20, clock=clock)
    sku = handle.emulator.state.products[0].sku
    with _client(handle, clock) as client:
        assert client.pause_listing(sku).amount == 0
        assert client.get_inventory(sku).amount == 0
        assert client.get_item(sku)["ItemResponse"][0]["publishedStatus"] == "UNPUBLISHED"
        assert client.resume_listing(sku, 12).amount == 12
        assert client.get_item(sku)["ItemResponse"][0]["sku"] == sku
        with pytest.raises(WalmartAPIError) as info:
            client.get_inventory("NO-SUCH-SKU")
        assert info.value.status == 404
        created = client.create_subscription(
            "PO_CREATED",
            "https://example.com/hooks",
            auth_details={
                "authMethod": "HMAC",
                "clientSecret": "s",
                "authHeaderName": "WM-Signature",
            },
        )
        sub_id = created[0]["subscriptionId"]
        assert [
            s["subscriptionId"] for s in client.list_subscriptions(event_type="PO_CREATED")
        ] == [sub_id]
        assert client.delete_subscription(sub_id)["subscriptionId"] == sub_id
        assert client.list_subscriptions() == []


def test_wrong_credentials_are_a_permanent_error(
    make_emulator: EmulatorFactory, clock: FakeClock
) -> None:
    handle = make_emulator(seed=1, orders=10, clock=clock)
    client = WalmartClient(handle.url, handle.client_id, "wrong", sleep=clock.sleep)
    with client, pytest.raises(WalmartAPIError) as info:
        client.get_inventory("x")
    assert (info.value.status, info.value.code, info.value.permanent) == (
        401,
        "UNAUTHORIZED.GMP_GATEWAY_API",
        True,
    )


def test_generation_is_deterministic_and_fast() -> None:
    began = time.perf_counter()
    first = build_emulator(seed=7, orders=25_000, now=datetime(2025, 1, 1, tzinfo=UTC))
    assert time.perf_counter() - began < 3.0
    second = build_emulator(seed=7, orders=25_000, now=datetime(2025, 1, 1, tzinfo=UTC))
    assert [o.po for o in first.state.orders[:50]] == [o.po for o in second.state.orders[:50]]
    assert first.state.order_bytes(first.state.orders[123], True) == second.state.order_bytes(
        second.state.orders[123], True
    )
    assert first.client_id == second.client_id


class _Hooks(BaseHTTPRequestHandler):
    received: list[tuple[bytes, str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers.get("WM-Signature", "")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def hook_server() -> Iterator[tuple[str, list[tuple[bytes, str]]]]:
    received: list[tuple[bytes, str]] = []
    handler = type("Hooks", (_Hooks,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    server.shutdown()
    server.server_close()


def test_live_mode_adds_orders_and_sends_signed_webhooks(
    make_emulator: EmulatorFactory, hook_server: tuple[str, list[tuple[bytes, str]]]
) -> None:
    url, received = hook_server
    handle = make_emulator(seed=12, orders=30)
    before = len(handle.emulator.state.orders)
    start_live(handle, interval=3600, webhook_url=url, webhook_secret="s3cret")
    for _ in range(10):
        step(handle.emulator.state)
    assert len(handle.emulator.state.orders) > before
    deadline = time.monotonic() + 5
    while not received and time.monotonic() < deadline:
        time.sleep(0.02)
    body, signature = received[0]
    assert signature == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    envelope = json.loads(body)
    assert envelope["source"]["eventType"] == "PO_CREATED" and envelope["source"]["eventId"]
    assert envelope["payload"]["purchaseOrderId"] in handle.emulator.state.by_po


def test_main_prints_url_and_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    stop.set()
    assert (
        main(
            [
                "--port",
                "0",
                "--seed",
                "7",
                "--orders",
                "5",
                "--client-id",
                "ID",
                "--client-secret",
                "SECRET",
            ],
            stop=stop,
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "http://127.0.0.1:" in out and "ID" in out and "SECRET" in out


def test_order_day_span_is_ninety_days(make_emulator: EmulatorFactory, clock: FakeClock) -> None:
    handle = make_emulator(seed=7, orders=200, clock=clock)
    times = [o.order_ms for o in handle.emulator.state.orders]
    assert max(times) <= START * 1000 and min(times) >= START * 1000 - 90 * DAY_MS


def test_the_spec_validator_rejects_an_off_contract_answer(spec_validator: SpecValidator) -> None:
    from sellerdesk.marketplaces.walmart.emulator import Exchange

    bad_list = {
        "list": {
            "meta": {"totalCount": 1},
            "elements": {"order": [{"purchaseOrderId": "1", "orderDate": "yesterday"}]},
        }
    }
    with pytest.raises(OpenAPIError):
        spec_validator(
            Exchange(
                "GET",
                "/v3/orders",
                {},
                {},
                b"",
                200,
                {"content-type": "application/json"},
                json.dumps(bad_list).encode(),
            )
        )
    with pytest.raises(AssertionError, match="undocumented error shape"):
        spec_validator(Exchange("GET", "/v3/orders", {}, {}, b"", 400, {}, b'{"message": "bad"}'))
