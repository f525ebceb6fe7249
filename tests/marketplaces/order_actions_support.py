"""Helpers for the order-action tests: a Walmart emulator on loopback whose every answer is
validated against Walmart's OpenAPI files, orders stored as the sync stores them, and
snapshots of everything an action may change, here and at Walmart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.store import upsert_orders
from sellerdesk.marketplaces.walmart.emulator import EmulatorHandle, build_emulator, serve
from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.orders.models import Order, OrderLine
from sellerdesk.tickets.models import Ticket, TicketEvent
from tests.marketplaces.sync.support import SharedClock, emulator_connector
from tests.marketplaces.walmart.conftest import SpecValidator
from tests.orders.builders import make_ticket

# One validator for every test: it parses Walmart's OpenAPI files once (seconds each time).
_VALIDATOR = SpecValidator()


@contextmanager
def running_emulator(clock: SharedClock, orders: int = 900) -> Iterator[EmulatorHandle]:
    """A seller with `orders` orders (enough recent ones in every state), on `clock`; fails
    the test if any answer broke Walmart's contract."""
    handle = serve(
        build_emulator(seed=5, orders=orders, clock=clock, response_validator=_VALIDATOR)
    )
    try:
        yield handle
    finally:
        handle.stop()
    problems = handle.emulator.validation_errors
    assert not problems, "\n".join(problems[:5])


def pick(
    emulator: EmulatorHandle, status: str, *, node: str = "SellerFulfilled"
) -> tuple[cat.Order, cat.Line]:
    """An order of the emulator with a line in `status`, no cancel request and no refund."""
    for order in emulator.emulator.state.orders:
        if order.ship_node != node:
            continue
        for line in order.lines:
            if line.status == status and not line.intent_to_cancel and not line.refunds:
                return order, line
    raise AssertionError(f"the emulator has no {status} line")


def synced_ticket(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, po: str
) -> Ticket:
    """The order stored as the sync stores it, and a ticket about it."""
    connector = emulator_connector(emulator, clock)
    try:
        upsert_orders(shop, [connector.get_order(po)], now=clock.now())
    finally:
        connector.close()
    return make_ticket(shop, order=Order.objects.get(account=shop, purchase_order_id=po))


def local(ticket: Ticket) -> tuple[object, ...]:
    """Everything an action may change here: the order, its lines, the ticket's history."""
    order = Order.objects.get(tickets=ticket)
    lines = tuple(
        OrderLine.objects.filter(order=order)
        .order_by("line_number")
        .values_list(
            "status", "carrier", "tracking_number", "refunded_amount", "cancellation_reason"
        )
    )
    return order.content_hash, lines, TicketEvent.objects.filter(ticket=ticket).count()


def walmart(emulator: EmulatorHandle, po: str) -> list[tuple[object, ...]]:
    """Everything an action may change at Walmart (the emulator's state of the order)."""
    order = emulator.emulator.state.by_po[po]
    return [
        (ln.status, ln.carrier, ln.tracking_number, tuple(ln.refunds), ln.cancellation_reason)
        for ln in order.lines
    ]
