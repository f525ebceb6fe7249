"""Builders for the ticket-page and repair tests: tickets opened and messages added through
the real actions (so deadlines, inquiries and history are what production writes), at
times a test states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import IncomingFile, IncomingMessage
from sellerdesk.tickets.models import Message, Ticket
from tests.factories import make_account

RELAY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9@relay.walmart.com"
OTHER_RELAY = "ffeeddccbbaa99887766554433221100@relay.walmart.com"
SUPPORT = "care@acme.example"
START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday, 9:00 in Chicago

_ids = count(1)


def acme(name: str = "Acme", **fields: object) -> SellerAccount:
    fields.setdefault("support_address", SUPPORT)
    fields.setdefault("sender_address", SUPPORT)
    fields.setdefault("time_zone", "America/Chicago")
    return make_account(name, **fields)


def incoming(
    at: datetime,
    *,
    sender: str = RELAY,
    subject: str = "Where is my order?",
    text: str = "Where is it?",
    kind: str = "buyer_walmart",
    attachments: tuple[IncomingFile, ...] = (),
) -> IncomingMessage:
    serial = next(_ids)
    return IncomingMessage(
        kind=kind,
        sender=sender,
        sender_name="Jane Buyer",
        recipients=[SUPPORT],
        subject=subject,
        text=text,
        new_text=text,
        html="",
        truncated=False,
        message_id=f"m{serial}@relay.walmart.com",
        in_reply_to="",
        references=[],
        received_at=at,
        raw=f"raw {serial}".encode(),
        attachments=attachments,
    )


def open_buyer_ticket(
    account: SellerAccount,
    clock: FrozenClock,
    *,
    relay: str = RELAY,
    customer: Customer | None = None,
    subject: str = "Where is my order?",
    text: str = "Where is it?",
) -> Ticket:
    ticket, _ = actions.open_ticket(
        account=account,
        incoming=incoming(clock.now(), sender=relay, subject=subject, text=text),
        kind="buyer_walmart",
        intent="where_is_my_order",
        relay_address=relay,
        customer=customer,
        order=None,
        order_number="",
        needs_reply=True,
        one_hour_deadline=False,
        clock=clock,
    )
    return ticket


def buyer_writes(
    ticket: Ticket, clock: FrozenClock, text: str = "Any news?", **options: object
) -> Message:
    return actions.add_inbound(
        ticket,
        incoming(clock.now(), sender=ticket.relay_address, text=text, **options),  # type: ignore[arg-type]
        counts_as_buyer=True,
        clock=clock,
    )


def later(clock: FrozenClock, minutes: int = 10) -> FrozenClock:
    clock.advance(timedelta(minutes=minutes))
    return clock
