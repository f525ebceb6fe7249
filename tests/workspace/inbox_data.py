"""Builders for inbox and triage tests: tickets and messages made directly, with the fields
the inbox reads, so a test states exactly the deadline, status and buyer it is about."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.tickets.models import Message, Ticket

_numbers = count(1)


def make_ticket(
    account: SellerAccount,
    *,
    due_in: timedelta | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> Ticket:
    """A ticket of `account`, its deadline `due_in` from now (None: owes nothing)."""
    now = now or timezone.now()
    serial = next(_numbers)
    fields.setdefault("kind", "buyer_walmart")
    fields.setdefault("subject", f"Question {serial}")
    fields.setdefault("status", Ticket.Status.OPEN)
    fields.setdefault("created_at", now - timedelta(hours=3))
    fields.setdefault("last_message_at", now - timedelta(hours=1))
    fields.setdefault("relay_address", f"buyer{serial}@relay.walmart.com")
    if due_in is not None:
        fields.setdefault("due_at", now + due_in)
        fields.setdefault("sla_state", "breached" if due_in < timedelta(0) else "ok")
    return Ticket.objects.create(account=account, **fields)


def add_message(ticket: Ticket, text: str, *, inbound: bool = True, **fields: Any) -> Message:
    at = fields.pop("received_at", None) or timezone.now()
    return Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.INBOUND if inbound else Message.Direction.OUTBOUND,
        kind=fields.pop("kind", "buyer" if inbound else "reply"),
        text=text,
        new_text=text,
        received_at=at,
        created_at=at,
        **fields,
    )
