"""The order and return sync against the Walmart emulator over real HTTP on loopback.

Every test compares our read model with the emulator's own state (`support.emulator_orders`
and kin): the sync must store exactly what Walmart holds, no more, no fewer, no duplicates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.marketplaces import sync
from sellerdesk.marketplaces.base import ConnectorError, OrderData, Page, RawOrder, ReturnData
from sellerdesk.marketplaces.connector import QueryTooLarge, Window
from sellerdesk.marketplaces.running import AccountBusy, lease_name, run_sync
from sellerdesk.marketplaces.store import upsert_orders
from sellerdesk.marketplaces.sync import SyncReport
from sellerdesk.marketplaces.walmart import mapping
from sellerdesk.marketplaces.walmart.client import ShipmentLine, WalmartClient
from sellerdesk.marketplaces.walmart.connector import WalmartConnector
from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.marketplaces.walmart.emulator.state import EmulatorState
from sellerdesk.orders.models import Order, OrderLine, Return, ReturnLine, SyncState
from sellerdesk.runtime import leases
from sellerdesk.runtime.models import Lease
from tests.factories import make_account
from tests.marketplaces.walmart.conftest import SpecValidator

from .conftest import StartEmulator
from .support import (
    ClientLog,
    SharedClock,
    db_orders,
    db_returns,
    emulator_connector,
    emulator_orders,
    emulator_returns,
)

pytestmark = pytest.mark.django_db

RESOURCES = ["orders", "orders_wfs", "returns"]


def figures(report: SyncReport) -> dict[str, dict[str, Any]]:
    return {r.resource: r.as_dict() for r in report.resources}


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Order, OrderLine, Return, ReturnLine, Customer, CustomerAddress)
    }


def expected_totals(state: EmulatorState) -> dict[str, int]:
    expected = emulator_orders(state)
    seller = sum(1 for node, _ in expected.values() if node == "SellerFulfilled")
    return {"orders": seller, "orders_wfs": len(expected) - seller, "returns": len(state.returns)}


def states(account: SellerAccount) -> dict[str, SyncState]:
    return {s.resource: s for s in SyncState.objects.filter(account=account)}


def assert_db_equals_emulator(account: SellerAccount, state: EmulatorState) -> None:
    assert db_orders(account) == emulator_orders(state)
    assert db_returns(account) == emulator_returns(state)


def open_line(
    state: EmulatorState, *, skip: frozenset[str] = frozenset()
) -> tuple[cat.Order, cat.Line]:
    """A seller-fulfilled line that can still be shipped or cancelled by the seller."""
    for order in state.orders:
        if order.ship_node != "SellerFulfilled" or order.po in skip:
            continue
        for line in order.lines:
            if line.status in ("Created", "Acknowledged") and not line.intent_to_cancel:
                return order, line
    raise AssertionError("the emulator has no open seller-fulfilled line")


def correct_tracking(state: EmulatorState, order: cat.Order, number: str) -> None:
    """Walmart-side change: the tracking number of a shipped line is corrected."""
    with state.lock:
        line = next(ln for ln in order.lines if ln.tracking_number)
        line.tracking_number = number
        state.changed(order, "PO_SHIPPED")


# --- first sync ---------------------------------------------------------------------------


def test_first_sync_stores_exactly_the_emulators_orders_returns_and_buyers(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=21, orders=600, response_validator=SpecValidator())
    state = handle.emulator.state
    totals = expected_totals(state)
    assert totals["orders_wfs"] > 0 and totals["returns"] > 0  # both kinds are exercised

    report = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert report.ok
    assert figures(report) == {
        name: {"fetched": n, "created": n, "updated": 0, "unchanged": 0}
        for name, n in totals.items()
    }
    # Per line: sku, status, carrier and tracking, and each order's ship node.
    assert db_orders(account) == emulator_orders(state)
    # Every return line is linked to its Order row (db_returns reads the po through the link).
    assert db_returns(account) == emulator_returns(state)
    assert not ReturnLine.objects.filter(order__isnull=True).exists()

    # Buyers: one Customer per relay address, repeat buyers holding all their orders.
    email_of = {o.po: state.buyers[o.buyer].email.lower() for o in state.orders}
    orders_per_email = Counter(email_of.values())
    assert max(orders_per_email.values()) >= 3  # the emulator has repeat buyers
    buyers = {state.buyers[o.buyer] for o in state.orders}
    # No two buyers share a name and door, so the fingerprint fallback never merges two.
    assert len({(b.name, b.address1, b.city, b.postal_code) for b in buyers}) == len(buyers)
    rows = Order.objects.filter(account=account).values_list(
        "purchase_order_id", "buyer_email", "customer_id"
    )
    assert {po: email for po, email, _ in rows} == email_of
    customer_of_email = dict(CustomerAddress.objects.values_list("address", "customer_id"))
    assert set(customer_of_email) == set(orders_per_email)
    assert len(set(customer_of_email.values())) == len(orders_per_email)
    assert Customer.objects.count() == len(orders_per_email)
    assert all(customer == customer_of_email[email] for _, email, customer in rows)
    repeat_email, repeat_count = orders_per_email.most_common(1)[0]
    repeat_buyer = Customer.objects.get(addresses__address=repeat_email)
    assert repeat_buyer.orders.count() == repeat_count
    # A return belongs to the buyer of the order it returns.
    buyer_of_returned_order = dict(
        ReturnLine.objects.values_list("return_order__return_order_id", "order__customer_id")
    )
    assert dict(Return.objects.values_list("return_order_id", "customer_id")) == (
        buyer_of_returned_order
    )

    synced = states(account)
    assert sorted(synced) == sorted(RESOURCES)
    for resource in RESOURCES:
        assert synced[resource].last_outcome == SyncState.Outcome.OK
        assert synced[resource].last_error == ""
        assert synced[resource].high_water_mark == clock.now()
        assert synced[resource].last_counts == figures(report)[resource]
    # The account lease is given back.
    assert not Lease.objects.filter(name=lease_name(account)).exists()


def test_an_account_with_no_orders_syncs_ok_with_nothing_fetched(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=22, orders=0)

    report = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert report.ok
    empty = {"fetched": 0, "created": 0, "updated": 0, "unchanged": 0}
    assert figures(report) == dict.fromkeys(RESOURCES, empty)
    assert set(row_counts().values()) == {0}
    assert {s.last_outcome for s in states(account).values()} == {SyncState.Outcome.OK}


# --- idempotency ---------------------------------------------------------------------------


def test_second_incremental_and_full_runs_change_nothing(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=23, orders=500)
    state = handle.emulator.state
    totals = expected_totals(state)
    assert run_sync(account, connector=emulator_connector(handle, clock), clock=clock).ok
    rows_before = row_counts()
    synced_before = dict(Order.objects.values_list("purchase_order_id", "synced_at"))
    returns_synced_before = dict(Return.objects.values_list("return_order_id", "synced_at"))
    first_mark = clock.now()

    clock.advance(120)
    incremental = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)
    clock.advance(120)
    full = run_sync(account, full=True, connector=emulator_connector(handle, clock), clock=clock)

    assert incremental.ok and full.ok
    for name, report in figures(incremental).items():
        # Only the overlap is re-read, and whatever it re-reads is unchanged.
        assert (report["created"], report["updated"]) == (0, 0), name
        assert report["unchanged"] == report["fetched"], name
    assert figures(full) == {
        name: {"fetched": n, "created": 0, "updated": 0, "unchanged": n}
        for name, n in totals.items()
    }
    assert row_counts() == rows_before
    assert dict(Order.objects.values_list("purchase_order_id", "synced_at")) == synced_before
    assert dict(Return.objects.values_list("return_order_id", "synced_at")) == returns_synced_before
    assert_db_equals_emulator(account, state)
    # Each successful run moves the mark to its own start.
    assert {s.high_water_mark for s in states(account).values()} == {clock.now()}
    assert clock.now() == first_mark + timedelta(seconds=240)


def test_an_unchanged_resync_maps_no_order_and_a_changed_one_is_mapped_and_stored(
    start_emulator: StartEmulator,
    clock: SharedClock,
    account: SellerAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handle = start_emulator(seed=29, orders=300)
    state = handle.emulator.state
    assert run_sync(account, connector=emulator_connector(handle, clock), clock=clock).ok
    mapped: list[str] = []
    real_map_order = mapping.map_order

    def counting_map_order(raw: Any) -> OrderData:
        order = real_map_order(raw)
        mapped.append(order.order_id)
        return order

    monkeypatch.setattr(mapping, "map_order", counting_map_order)
    clock.advance(120)

    unchanged = run_sync(
        account, full=True, connector=emulator_connector(handle, clock), clock=clock
    )

    assert unchanged.ok
    assert figures(unchanged)["orders"]["unchanged"] == figures(unchanged)["orders"]["fetched"]
    assert mapped == []  # unchanged fingerprints: no order was even mapped

    # A webhook refresh fingerprints a fetched order as the listing does: nothing to write.
    order = next(
        o
        for o in state.orders
        if o.ship_node == "SellerFulfilled" and any(ln.tracking_number for ln in o.lines)
    )
    connector = emulator_connector(handle, clock)
    refreshed = upsert_orders(account, [connector.get_order(order.po)], now=clock.now())
    assert (refreshed.unchanged, mapped) == (1, [])

    correct_tracking(state, order, "1ZFINGERPRINT0001")
    clock.advance(120)
    changed = run_sync(account, full=True, connector=emulator_connector(handle, clock), clock=clock)

    assert changed.ok
    assert mapped == [order.po]
    assert figures(changed)["orders"]["updated"] == 1
    assert "1ZFINGERPRINT0001" in OrderLine.objects.filter(
        order__purchase_order_id=order.po
    ).values_list("tracking_number", flat=True)
    assert_db_equals_emulator(account, state)


# --- changes on Walmart's side ------------------------------------------------------------


def test_lines_shipped_and_cancelled_on_walmart_are_picked_up_by_the_next_incremental_sync(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=24, orders=500)
    state = handle.emulator.state
    assert run_sync(account, connector=emulator_connector(handle, clock), clock=clock).ok
    untouched_synced_at = dict(Order.objects.values_list("purchase_order_id", "synced_at"))
    to_ship, ship_line = open_line(state)
    to_cancel, cancel_line = open_line(state, skip=frozenset({to_ship.po}))
    clock.advance(3600)

    # The seller acts in Seller Center (here: the API), not through sellerdesk.
    with WalmartClient(
        handle.url, handle.client_id, handle.client_secret, sleep=clock.sleep
    ) as seller:
        seller.ship(
            to_ship.po,
            [
                ShipmentLine(
                    str(ship_line.number),
                    "1ZSYNCTEST0000001",
                    clock.now(),
                    carrier="UPS",
                    tracking_url="https://www.ups.com/track?tracknum=1ZSYNCTEST0000001",
                )
            ],
        )
        seller.cancel(to_cancel.po, [str(cancel_line.number)], "SELLER_CANCEL_OUT_OF_STOCK")
    clock.advance(60)

    report = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert report.ok
    orders = figures(report)["orders"]
    assert (orders["created"], orders["updated"]) == (0, 2)
    shipped = OrderLine.objects.get(
        order__purchase_order_id=to_ship.po, line_number=str(ship_line.number)
    )
    assert (shipped.status, shipped.carrier, shipped.tracking_number) == (
        "Shipped",
        "UPS",
        "1ZSYNCTEST0000001",
    )
    assert shipped.tracking_url == "https://www.ups.com/track?tracknum=1ZSYNCTEST0000001"
    cancelled = OrderLine.objects.get(
        order__purchase_order_id=to_cancel.po, line_number=str(cancel_line.number)
    )
    assert (cancelled.status, cancelled.cancellation_reason) == (
        "Cancelled",
        "SELLER_CANCEL_OUT_OF_STOCK",
    )
    assert_db_equals_emulator(account, state)
    synced_after = dict(Order.objects.values_list("purchase_order_id", "synced_at"))
    changed = {po for po, at in synced_after.items() if at != untouched_synced_at[po]}
    assert changed == {to_ship.po, to_cancel.po}
    assert synced_after[to_ship.po] == clock.now()


def test_an_order_created_after_the_last_sync_is_picked_up_incrementally(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=25, orders=200)
    state = handle.emulator.state
    assert run_sync(account, connector=emulator_connector(handle, clock), clock=clock).ok
    clock.advance(600)
    new = state.add_order(int(clock() * 1000))
    # (The emulator stamps a new line's status a minute after the order.)
    clock.advance(300)

    report = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert report.ok
    resource = "orders_wfs" if new.ship_node == "WFSFulfilled" else "orders"
    assert figures(report)[resource]["created"] == 1
    assert Order.objects.filter(purchase_order_id=new.po).count() == 1
    assert_db_equals_emulator(account, state)


# --- faults ---------------------------------------------------------------------------------


def test_faults_throttling_and_token_expiry_converge_to_exactly_the_emulators_data(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=26, orders=500, fail_rate=0.2, rate_limit=3, token_ttl=5)
    state = handle.emulator.state
    log = ClientLog()

    runs = []
    for attempt in range(5):
        connector = emulator_connector(handle, clock, log=log, seed=attempt)
        runs.append(run_sync(account, connector=connector, clock=clock))
        if runs[-1].ok:
            break
        clock.advance(60)

    assert runs[-1].ok, [figures(r) for r in runs]
    assert_db_equals_emulator(account, state)
    # Each kind of fault really happened: throttling, server errors, expired tokens.
    seen = Counter(log.statuses)
    assert seen[429] > 0 and seen[500] + seen[503] > 0 and seen[401] > 0, seen
    assert log.token_fetches > len(runs)  # at least one token expired mid-run and was renewed
    assert {s.last_outcome for s in states(account).values()} == {SyncState.Outcome.OK}


def test_a_run_failing_midway_keeps_the_last_good_mark_and_the_next_run_converges(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=27, orders=600)
    state = handle.emulator.state
    assert run_sync(account, connector=emulator_connector(handle, clock), clock=clock).ok
    good_mark = clock.now()
    good = {name: (s.high_water_mark, s.last_success_at) for name, s in states(account).items()}

    # An hour later Walmart corrects tracking on orders spread over the whole 90 days.
    clock.advance(3600)
    shipped = [
        o
        for o in state.orders
        if o.ship_node == "SellerFulfilled" and any(ln.tracking_number for ln in o.lines)
    ]
    corrected = shipped[::25]
    for i, order in enumerate(corrected):
        correct_tracking(state, order, f"CORRECTED{i:05d}")
    clock.advance(3600)
    failing_at = clock.now()

    # A full run: after two pages of orders the API starts answering 5xx and never stops.
    pages_served = 0

    def outage_after_two_pages(response: httpx.Response) -> None:
        nonlocal pages_served
        if response.request.url.path == "/v3/orders" and response.status_code == 200:
            pages_served += 1
            if pages_served == 2:
                handle.emulator.fail_rate = 1.0

    failed = run_sync(
        account,
        full=True,
        connector=emulator_connector(handle, clock, on_response=outage_after_two_pages),
        clock=clock,
    )

    assert not failed.ok
    for name, resource_state in states(account).items():
        assert resource_state.last_outcome == SyncState.Outcome.FAILED, name
        assert "Injected server error" in resource_state.last_error, name
        assert resource_state.last_error == figures(failed)[name]["error"]
        # Each resource starts when the one before gave up (backoff sleeps move the clock).
        assert resource_state.last_run_at is not None
        assert failing_at <= resource_state.last_run_at < clock.now()
        assert (resource_state.high_water_mark, resource_state.last_success_at) == good[name]
    assert states(account)["orders"].last_run_at == failing_at
    stored = dict(
        OrderLine.objects.filter(tracking_number__startswith="CORRECTED").values_list(
            "order__purchase_order_id", "tracking_number"
        )
    )
    # Midway indeed: the older corrections were stored, the newer ones not yet.
    assert 0 < len(stored) < len(corrected)

    # The outage ends; an incremental run from the kept mark gets everything.
    handle.emulator.fail_rate = 0.0
    clock.advance(3600)
    recovered = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert recovered.ok
    assert figures(recovered)["orders"]["updated"] == len(corrected) - len(stored)
    assert_db_equals_emulator(account, state)
    for name, resource_state in states(account).items():
        assert resource_state.last_outcome == SyncState.Outcome.OK, name
        assert resource_state.last_error == "", name
        assert resource_state.high_water_mark == clock.now() > good_mark


class OrdersDown:
    """The Walmart connector during an outage of the orders API only (returns answer)."""

    def __init__(self, inner: WalmartConnector) -> None:
        self.inner = inner

    def order_pages(self, window: Window, *, ship_node_type: str) -> Iterator[Page[RawOrder]]:
        raise ConnectorError("orders API unavailable", permanent=False, code="SYSTEM_ERROR")

    def return_pages(self, window: Window) -> Iterator[Page[ReturnData]]:
        return self.inner.return_pages(window)

    def get_order(self, order_id: str) -> RawOrder:
        return self.inner.get_order(order_id)

    def close(self) -> None:
        self.inner.close()


def test_returns_synced_before_their_orders_are_linked_once_the_orders_arrive(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=28, orders=300)
    state = handle.emulator.state
    first = run_sync(account, connector=OrdersDown(emulator_connector(handle, clock)), clock=clock)
    assert figures(first)["orders"]["error"] == "SYSTEM_ERROR: orders API unavailable"
    assert figures(first)["returns"]["created"] == len(state.returns) > 0
    assert Order.objects.count() == 0
    clock.advance(300)

    second = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert second.ok
    # Every return line now points at its order, and every return at its buyer.
    assert_db_equals_emulator(account, state)
    assert not Return.objects.filter(customer__isnull=True).exists()


# --- scale and window splitting -----------------------------------------------------------


class WindowLog:
    """The Walmart connector, noting each orders window Walmart refused as too large and how
    many orders each accepted window gave."""

    def __init__(self, inner: WalmartConnector) -> None:
        self.inner = inner
        self.refused: list[tuple[str, Window]] = []
        self.served: dict[tuple[str, Window], int] = {}

    def order_pages(self, window: Window, *, ship_node_type: str) -> Iterator[Page[RawOrder]]:
        key = (ship_node_type, window)
        try:
            for page in self.inner.order_pages(window, ship_node_type=ship_node_type):
                self.served[key] = self.served.get(key, 0) + len(page.items)
                yield page
        except QueryTooLarge:
            self.refused.append(key)
            raise

    def return_pages(self, window: Window) -> Iterator[Page[ReturnData]]:
        return self.inner.return_pages(window)

    def get_order(self, order_id: str) -> RawOrder:
        return self.inner.get_order(order_id)

    def close(self) -> None:
        self.inner.close()


def test_a_full_window_over_the_per_query_limit_is_split_until_every_order_is_fetched(
    start_emulator: StartEmulator,
    clock: SharedClock,
    account: SellerAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A limit of 60 stands in for Walmart's 20,000 so the splitting runs in a second (the
    # slow test below uses the real one). 1,200 orders over 90 days put about 180
    # seller-fulfilled orders in each 15-day window: each must be split twice.
    monkeypatch.setattr("sellerdesk.marketplaces.walmart.emulator.state.MAX_ORDERS_PER_QUERY", 60)
    handle = start_emulator(seed=29, orders=1200)
    state = handle.emulator.state
    connector = WindowLog(emulator_connector(handle, clock))

    report = run_sync(account, connector=connector, clock=clock)

    assert report.ok
    refused = set(connector.refused)
    assert refused
    # Each refused window was walked as its two halves, and some halves were split again.
    for node, window in refused:
        assert {(node, half) for half in window.halves()} <= refused | set(connector.served)
    assert any((node, window.halves()[0]) in refused for node, window in refused)
    # Walmart answered only windows within its limit.
    assert 0 < max(connector.served.values()) <= 60
    totals = expected_totals(state)
    assert figures(report)["orders"] == {
        "fetched": totals["orders"],
        "created": totals["orders"],
        "updated": 0,
        "unchanged": 0,
    }
    assert db_orders(account) == emulator_orders(state)


@pytest.mark.slow
@pytest.mark.parametrize("one_window", [False, True], ids=["15-day-windows", "one-window"])
def test_a_full_sync_over_more_than_20000_orders_gets_every_one(
    start_emulator: StartEmulator,
    clock: SharedClock,
    account: SellerAccount,
    monkeypatch: pytest.MonkeyPatch,
    one_window: bool,
) -> None:
    handle = start_emulator(seed=30, orders=23_000)
    state = handle.emulator.state
    totals = expected_totals(state)
    assert totals["orders"] > 20_000  # more seller-fulfilled orders than one query may list
    if one_window:
        # One window over the whole history, as if the orders clustered: Walmart's real limit
        # refuses it, and the sync must split its way down to windows Walmart accepts.
        monkeypatch.setattr(sync, "FULL_WINDOW", sync.HISTORY)
    connector = WindowLog(emulator_connector(handle, clock))

    report = run_sync(account, connector=connector, clock=clock)

    assert report.ok
    if one_window:
        # The whole history, then its newer half (the older half holds no orders), then
        # quarters small enough.
        assert [(node, w.end - w.start) for node, w in connector.refused] == [
            ("SellerFulfilled", sync.HISTORY),
            ("SellerFulfilled", sync.HISTORY / 2),
        ]
    else:
        # At this volume the 15-day windows stay under the limit by themselves.
        assert connector.refused == []
    assert figures(report) == {
        name: {"fetched": n, "created": n, "updated": 0, "unchanged": 0}
        for name, n in totals.items()
    }
    assert set(
        Order.objects.filter(account=account).values_list("purchase_order_id", flat=True)
    ) == {o.po for o in state.orders}
    assert Order.objects.filter(account=account).count() == len(state.orders)


# --- bad input -------------------------------------------------------------------------------


def assert_failed_everywhere_and_nothing_written(
    account: SellerAccount, report: SyncReport, error_part: str
) -> None:
    assert not report.ok
    assert [r.resource for r in report.resources] == RESOURCES
    for resource in report.resources:
        assert error_part in resource.error, resource.error
        assert (resource.fetched, resource.counts.created, resource.counts.updated) == (0, 0, 0)
    for name, resource_state in states(account).items():
        assert resource_state.last_outcome == SyncState.Outcome.FAILED, name
        assert error_part in resource_state.last_error, name
        assert resource_state.high_water_mark is None
        assert resource_state.last_success_at is None
    assert sorted(states(account)) == sorted(RESOURCES)
    assert set(row_counts().values()) == {0}
    assert not Lease.objects.exists()


def test_wrong_credentials_fail_every_resource_with_a_clear_error_and_write_nothing(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=31, orders=50)

    report = run_sync(
        account, connector=emulator_connector(handle, clock, secret="not-the-secret"), clock=clock
    )

    assert_failed_everywhere_and_nothing_written(
        account, report, "UNAUTHORIZED.GMP_GATEWAY_API: Invalid client credentials"
    )


def test_an_unreachable_api_fails_every_resource_and_writes_nothing(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=32, orders=50)
    handle.stop()  # connection refused from now on

    report = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert_failed_everywhere_and_nothing_written(account, report, "TRANSPORT_ERROR")
    assert "ConnectError" in report.resources[0].error


def test_an_account_without_api_credentials_records_why_on_every_resource(
    clock: SharedClock,
) -> None:
    account = SellerAccount.objects.create(
        name="bare",
        marketplace=SellerAccount.Marketplace.WALMART,
        api_base_url="http://127.0.0.1:9",
    )

    report = run_sync(account, clock=clock)

    assert_failed_everywhere_and_nothing_written(
        account, report, "seller account 'bare' has no Walmart API credentials"
    )


def test_a_previous_good_mark_survives_a_failed_run(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=33, orders=100)
    assert run_sync(account, connector=emulator_connector(handle, clock), clock=clock).ok
    good_mark = clock.now()
    rows = row_counts()
    clock.advance(600)

    report = run_sync(
        account, connector=emulator_connector(handle, clock, secret="rotated-away"), clock=clock
    )

    assert not report.ok
    for resource_state in states(account).values():
        assert resource_state.last_outcome == SyncState.Outcome.FAILED
        assert resource_state.high_water_mark == good_mark
        assert resource_state.last_success_at == good_mark
        assert resource_state.last_run_at == clock.now()
    assert row_counts() == rows


# --- lease ---------------------------------------------------------------------------------


def test_sync_refuses_while_another_worker_holds_the_account_lease_and_writes_nothing(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=34, orders=50)
    assert leases.acquire(
        lease_name(account), "other-host:1:sync", timedelta(minutes=5), clock=clock
    )
    connector = emulator_connector(handle, clock)

    with pytest.raises(AccountBusy, match="acme is being synced by other-host:1:sync"):
        run_sync(account, connector=connector, clock=clock)

    assert handle.emulator.request_count == 0
    assert not SyncState.objects.exists()
    assert set(row_counts().values()) == {0}
    # The other worker keeps its lease.
    assert leases.holder_of(lease_name(account), clock=clock) == "other-host:1:sync"


def test_a_lease_left_by_a_crashed_worker_expires_and_the_sync_proceeds(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=35, orders=50)
    leases.acquire(lease_name(account), "crashed-host:9:sync", timedelta(minutes=5), clock=clock)
    clock.advance(5 * 60 + 1)

    report = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert report.ok
    assert_db_equals_emulator(account, handle.emulator.state)
    assert not Lease.objects.filter(name=lease_name(account)).exists()


def test_another_accounts_lease_does_not_block_this_one(
    start_emulator: StartEmulator, clock: SharedClock, account: SellerAccount
) -> None:
    handle = start_emulator(seed=36, orders=50)
    other = make_account("other")
    leases.acquire(lease_name(other), "other-host:1:sync", timedelta(minutes=5), clock=clock)

    report = run_sync(account, connector=emulator_connector(handle, clock), clock=clock)

    assert report.ok
    assert Order.objects.filter(account=other).count() == 0
    assert Order.objects.filter(account=account).count() == len(
        emulator_orders(handle.emulator.state)
    )
