"""Tickets for the realtime and reply-guard tests, made through the real actions."""

from __future__ import annotations

import itertools
from datetime import datetime

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib import events
from sellerdesk.lib.clock import system_clock
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import IncomingMessage
from sellerdesk.tickets.models import Message, Ticket
from tests.factories import make_account

_numbers = itertools.count(1)


def shop(name: str = "Acme") -> SellerAccount:
    """A Walmart account that can answer (it has an approved sender address)."""
    return make_account(name, sender_address=f"care@{name.lower()}.example")


def buyer_mail(text: str, *, at: datetime | None = None) -> IncomingMessage:
    n = next(_numbers)
    return IncomingMessage(
        kind="buyer_walmart",
        sender="0a1b@relay.walmart.com",
        sender_name="Jane Buyer",
        recipients=["care@acme.example"],
        subject="Where is my order?",
        text=text,
        new_text=text,
        html="",
        truncated=False,
        message_id=f"buyer-{n}@relay.walmart.com",
        in_reply_to="",
        references=[],
        received_at=at or system_clock.now(),
        raw=b"",
    )


def open_ticket(account: SellerAccount, text: str = "Where is my order?") -> Ticket:
    ticket, _ = actions.open_ticket(
        account=account,
        incoming=buyer_mail(text),
        kind="buyer_walmart",
        intent="where_is_my_order",
        relay_address="0a1b@relay.walmart.com",
        customer=None,
        order=None,
        order_number="",
        needs_reply=True,
        one_hour_deadline=False,
    )
    # Its "created" event is on its way (channels-redis sends from a loop of this process's
    # own): let it go out now, so that a test listening next does not hear it late.
    events.flush()
    return Ticket.objects.select_related("account").get(pk=ticket.pk)


def buyer_writes(ticket: Ticket, text: str) -> Message:
    return actions.add_inbound(ticket, buyer_mail(text), counts_as_buyer=True)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("account").get(pk=ticket.pk)
