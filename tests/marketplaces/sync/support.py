"""Helpers for the sync tests: one fake time shared by emulator, client and sync, and
snapshots of the emulator's state and of our read model in the same shape, so a test can
say "the database equals the emulator" with one comparison."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.walmart.client import WalmartClient
from sellerdesk.marketplaces.walmart.connector import WalmartConnector
from sellerdesk.marketplaces.walmart.emulator import EmulatorHandle
from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.marketplaces.walmart.emulator.state import EmulatorState
from sellerdesk.orders.models import Order, OrderLine, Return, ReturnLine

START = 1_760_000_000.0  # 2025-10-09T08:53:20Z

# po -> (ship node, ((line number, sku, status, carrier, tracking number), ...))
OrdersSnapshot = dict[str, tuple[str, tuple[tuple[str, str, str, str, str], ...]]]
# return id -> ((line number, purchase order id, order line number), ...)
ReturnsSnapshot = dict[str, tuple[tuple[int, str | None, int | None], ...]]


class SharedClock:
    """Fake time, in step for everyone: the emulator reads it as epoch seconds (`clock()`),
    the sync and leases as a datetime (`clock.now()`), and the client's backoff sleeps move
    it, so throttling buckets refill and tokens expire without anyone waiting."""

    def __init__(self, start: float = START) -> None:
        self._now = start
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def now(self) -> datetime:
        return datetime.fromtimestamp(self(), tz=UTC)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


class ClientLog:
    """What the clients of one test saw: every response status, and token fetches."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.clients: list[WalmartClient] = []

    def hook(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)

    @property
    def token_fetches(self) -> int:
        return sum(client.token_fetches for client in self.clients)


def emulator_connector(
    handle: EmulatorHandle,
    clock: SharedClock,
    *,
    secret: str | None = None,
    log: ClientLog | None = None,
    seed: int = 0,
    on_response: Callable[[httpx.Response], None] | None = None,
    **options: Any,
) -> WalmartConnector:
    """A connector on `handle` whose sleeps move `clock`. Its token clock stands still, so
    it never renews a token early: only the emulator's 401 tells it a token expired."""
    hooks: list[Callable[..., Any]] = []
    if log is not None:
        hooks.append(log.hook)
    if on_response is not None:
        hooks.append(on_response)
    client = WalmartClient(
        handle.url,
        handle.client_id,
        handle.client_secret if secret is None else secret,
        timeout=10,
        sleep=clock.sleep,
        wall_clock=clock,
        clock=lambda: 0.0,
        random=random.Random(f"jitter:{seed}").random,
        event_hooks={"response": hooks},
        **options,
    )
    if log is not None:
        log.clients.append(client)
    return WalmartConnector(client)


def point_at(account: SellerAccount, handle: EmulatorHandle, **credentials: str) -> None:
    """Make `account` talk to the emulator, as `sellerdesk accounts` would configure it."""
    account.api_base_url = handle.url
    account.set_credentials(
        client_id=handle.client_id, client_secret=handle.client_secret, **credentials
    )
    account.save()


def settled() -> datetime:
    """An anchor for emulators on real time (the command and webhook tests): data ending a
    minute ago. The emulator may stamp a return at its very "now", and Walmart's query dates
    are whole seconds, so an item from the last fraction of a second before a run is, by
    design, left to the next run's overlap; a minute's margin keeps the figures exact."""
    return datetime.now(UTC) - timedelta(minutes=1)


def visible_orders(state: EmulatorState) -> list[cat.Order]:
    """The orders Walmart serves: created in the last 180 days (all of a fresh emulator's)."""
    oldest = state.clock_ms() - 180 * cat.DAY_MS
    return [order for order in state.orders if order.order_ms >= oldest]


def emulator_orders(state: EmulatorState) -> OrdersSnapshot:
    with state.lock:
        return {
            order.po: (
                order.ship_node,
                tuple(
                    (
                        str(line.number),
                        state.products[line.product].sku,
                        line.status,
                        line.carrier or line.other_carrier or "",
                        line.tracking_number or "",
                    )
                    for line in order.lines
                ),
            )
            for order in visible_orders(state)
        }


def db_orders(account: SellerAccount) -> OrdersSnapshot:
    nodes = dict(
        Order.objects.filter(account=account).values_list("purchase_order_id", "ship_node_type")
    )
    lines: dict[str, list[tuple[str, str, str, str, str]]] = {po: [] for po in nodes}
    for po, *line in (
        OrderLine.objects.filter(order__account=account)
        .order_by("order_id", "line_number")
        .values_list(
            "order__purchase_order_id",
            "line_number",
            "sku",
            "status",
            "carrier",
            "tracking_number",
        )
    ):
        lines[po].append(tuple(line))  # type: ignore[arg-type]
    return {po: (node, tuple(lines[po])) for po, node in nodes.items()}


def emulator_returns(state: EmulatorState) -> ReturnsSnapshot:
    with state.lock:
        return {
            ret.return_order_id: tuple((line.number, ret.po, line.po_line) for line in ret.lines)
            for ret in state.returns
        }


def db_returns(account: SellerAccount) -> ReturnsSnapshot:
    found: dict[str, list[tuple[int, str | None, int | None]]] = {
        rid: []
        for rid in Return.objects.filter(account=account).values_list("return_order_id", flat=True)
    }
    for rid, number, linked_po, line_no in (
        ReturnLine.objects.filter(return_order__account=account)
        .order_by("return_order_id", "line_number")
        .values_list(
            "return_order__return_order_id",
            "line_number",
            "order__purchase_order_id",
            "order_line_number",
        )
    ):
        # The purchase order id as reached through the *link* to our Order row: an unlinked
        # line reads None, so a missing link shows up as a difference.
        found[rid].append((number, linked_po, line_no))
    return {rid: tuple(lines) for rid, lines in found.items()}
