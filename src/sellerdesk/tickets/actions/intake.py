"""Opening many tickets at once, for mail taken in batches.

`open_tickets` writes, for each first message, exactly the rows `open_ticket` writes (the
ticket with its deadline, the message with its raw source kept, its attachments, the
"created" event, the inquiries), built by the same helpers, but with one INSERT per table
for the whole group instead of five statements and a savepoint per ticket. One action, so
one transaction and one moment: every ticket of the group is created at the same `now`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.orders.models import Order
from sellerdesk.tickets.actions.core import (
    IncomingMessage,
    _created,
    _new_event,
    _new_file,
    _new_message,
    _new_ticket,
    atomic,
)
from sellerdesk.tickets.deadlines import start_deadline
from sellerdesk.tickets.models import Attachment, Message, Ticket, TicketEvent


@dataclass(frozen=True)
class Opening:
    """One new ticket from its first message: what `open_ticket` takes."""

    account: SellerAccount
    incoming: IncomingMessage
    kind: str
    intent: str
    relay_address: str
    customer: Customer | None
    order: Order | None
    order_number: str
    needs_reply: bool
    one_hour_deadline: bool
    previous: Ticket | None = None


@atomic
def open_tickets(
    openings: Sequence[Opening], *, clock: Clock = system_clock
) -> list[tuple[Ticket, Message]]:
    """`open_ticket` for each of `openings`, in order (ids follow the order given)."""
    if not openings:
        return []
    now = clock.now()
    tickets = [
        _new_ticket(
            account=o.account,
            incoming=o.incoming,
            kind=o.kind,
            intent=o.intent,
            relay_address=o.relay_address,
            customer=o.customer,
            order=o.order,
            order_number=o.order_number,
            needs_reply=o.needs_reply,
            one_hour_deadline=o.one_hour_deadline,
            previous=o.previous,
            now=now,
        )
        for o in openings
    ]
    Ticket.objects.bulk_create(tickets)
    messages = [
        _new_message(ticket, Message.Direction.INBOUND, o.incoming, now)
        for ticket, o in zip(tickets, openings, strict=True)
    ]
    Message.objects.bulk_create(messages)
    Attachment.objects.bulk_create(
        [
            _new_file(message, file)
            for message, o in zip(messages, openings, strict=True)
            for file in o.incoming.attachments
        ]
    )
    TicketEvent.objects.bulk_create(
        [
            _new_event(ticket, "created", now, **_created(ticket, message, o.order_number))
            for ticket, message, o in zip(tickets, messages, openings, strict=True)
        ]
    )
    for ticket, message in zip(tickets, messages, strict=True):
        start_deadline(ticket, message, now)
    return list(zip(tickets, messages, strict=True))
