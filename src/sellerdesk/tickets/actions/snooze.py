"""Snoozing: hide a ticket from the inbox until a chosen time.

A snooze is a promise to look again later, not a way to stop the clock: the reply deadline
runs on, and a new buyer message (`add_inbound`) or the deadline going at risk or breached
(the SLA sweep, through `wake`) brings the ticket back early, with a history row saying why.
Snoozing does not change the conversation, so it saves with `_save` (no version bump).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.tickets.actions.core import ActionError, _event, _save
from sellerdesk.tickets.models import Ticket

# A ticket that is done needs no reminder: reopening it (a buyer message does) is the way back.
NOT_SNOOZABLE = frozenset({Ticket.Status.SOLVED, Ticket.Status.CLOSED})


@transaction.atomic
def snooze(
    ticket: Ticket,
    until: datetime,
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> None:
    """Hide the ticket until `until` (timezone-aware). Snoozing a snoozed ticket moves the
    time; the history keeps both."""
    if until.tzinfo is None:
        raise ActionError("A snooze time needs a time zone.")
    now = clock.now()
    if until <= now:
        raise ActionError("Pick a time in the future to snooze until.")
    if ticket.status in NOT_SNOOZABLE:
        raise ActionError(f"A {ticket.get_status_display().lower()} ticket cannot be snoozed.")
    if ticket.merged_into_id is not None:
        raise ActionError("A merged ticket cannot be snoozed; snooze the one it was merged into.")
    previous = ticket.snoozed_until
    _save(ticket, snoozed_until=until)
    _event(
        ticket,
        "snoozed",
        now,
        actor=actor,
        until=until.isoformat(),
        previous=previous.isoformat() if previous else None,
    )


@transaction.atomic
def unsnooze(
    ticket: Ticket, *, actor: AbstractBaseUser | None, clock: Clock = system_clock
) -> bool:
    """Bring a snoozed ticket back now. Returns False (and writes nothing) if it was not
    snoozed, or its snooze had already run out."""
    now = clock.now()
    if ticket.snoozed_until is None or ticket.snoozed_until <= now:
        return False
    until = ticket.snoozed_until
    _save(ticket, snoozed_until=None)
    _event(ticket, "unsnoozed", now, actor=actor, until=until.isoformat())
    return True


@transaction.atomic
def wake(ticket: Ticket, *, reason: str, now: datetime) -> bool:
    """Wake a snoozed ticket early because something needs attention (`reason`: e.g.
    "deadline_at_risk"). No actor: the system did it. Returns whether it was snoozed."""
    if ticket.snoozed_until is None or ticket.snoozed_until <= now:
        return False
    until = ticket.snoozed_until
    _save(ticket, snoozed_until=None)
    _event(ticket, "woken", now, reason=reason, until=until.isoformat())
    return True
