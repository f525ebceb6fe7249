"""The delivery of our replies: the outbox's states as workers claim, send, retry and give
up, and an agent's "send again". Each step is recorded in the ticket's history; a failed
reply reopens the ticket, since the buyer is still owed an answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.tickets.actions.core import ActionError, _event, _save, atomic
from sellerdesk.tickets.deadlines import refresh_deadline
from sellerdesk.tickets.models import Message, Outbox, Ticket

# Temporary SMTP failures are retried with growing gaps; after this many the reply is marked
# failed and shown, since a reply days late is worse than an agent knowing it did not go.
MAX_SEND_ATTEMPTS = 8
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)


def claim_due(now: datetime, *, limit: int = 20) -> list[Outbox]:
    """Claim queued deliveries that are due. Each row is taken with a conditional UPDATE
    (state queued -> sending), so two workers never send the same reply."""
    claimed = []
    candidates = Outbox.objects.filter(
        state=Outbox.State.QUEUED, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")[:limit]
    for outbox_id in candidates.values_list("pk", flat=True):
        taken = Outbox.objects.filter(pk=outbox_id, state=Outbox.State.QUEUED).update(
            state=Outbox.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if taken:
            claimed.append(
                Outbox.objects.select_related("message__ticket__account").get(pk=outbox_id)
            )
    return claimed


@atomic
def mark_sent(outbox: Outbox, *, accepted_at: datetime, response: str) -> None:
    Outbox.objects.filter(pk=outbox.pk).update(
        state=Outbox.State.SENT, sent_at=accepted_at, smtp_response=response[:500], last_error=""
    )
    # The reply counts from the moment the server accepted it, not from when it was typed.
    Message.objects.filter(pk=outbox.message_id).update(received_at=accepted_at)
    _event(outbox.message.ticket, "reply_sent", accepted_at, message=outbox.message_id)
    refresh_deadline(outbox.message.ticket, accepted_at)


def retry_delay(attempts: int) -> timedelta:
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)


@atomic
def mark_temporary_failure(outbox: Outbox, *, error: str, now: datetime) -> bool:
    """Schedule another attempt; returns False when this was the last one and the reply
    is now marked failed instead."""
    attempts = Outbox.objects.get(pk=outbox.pk).attempts
    if attempts >= MAX_SEND_ATTEMPTS:
        mark_failed(outbox, error=f"gave up after {attempts} attempts: {error}", now=now)
        return False
    Outbox.objects.filter(pk=outbox.pk).update(
        state=Outbox.State.QUEUED,
        last_error=error[:2000],
        next_attempt_at=now + retry_delay(attempts),
    )
    _event(
        outbox.message.ticket, "reply_delayed", now, message=outbox.message_id, error=error[:500]
    )
    return True


@atomic
def mark_failed(outbox: Outbox, *, error: str, now: datetime) -> None:
    Outbox.objects.filter(pk=outbox.pk).update(state=Outbox.State.FAILED, last_error=error[:2000])
    ticket = outbox.message.ticket
    # The buyer is still waiting: a failed reply leaves the ticket open for an agent.
    if ticket.status in {Ticket.Status.PENDING, Ticket.Status.SOLVED}:
        _save(ticket, status=Ticket.Status.OPEN)
    _event(ticket, "reply_failed", now, message=outbox.message_id, error=error[:500])
    refresh_deadline(ticket, now)


@atomic
def mark_uncertain(outbox: Outbox, *, error: str, now: datetime) -> None:
    Outbox.objects.filter(pk=outbox.pk).update(
        state=Outbox.State.UNCERTAIN, last_error=error[:2000]
    )
    _event(
        outbox.message.ticket, "reply_uncertain", now, message=outbox.message_id, error=error[:500]
    )


def sweep_abandoned(now: datetime, *, older_than: timedelta) -> int:
    """Deliveries left in `sending` by a worker that died: they may have reached the server,
    so they become uncertain, never queued again."""
    stale = list(
        Outbox.objects.filter(
            state=Outbox.State.SENDING, claimed_at__lt=now - older_than
        ).select_related("message__ticket")
    )
    for outbox in stale:
        mark_uncertain(
            outbox, error="the sending worker stopped before recording the answer", now=now
        )
    return len(stale)


@atomic
def mark_bounced(outbox: Outbox, *, reason: str, now: datetime) -> None:
    """A bounce came back for a reply we sent: it did not reach the buyer."""
    mark_failed(outbox, error=f"bounced: {reason}", now=now)


@atomic
def retry_delivery(
    outbox: Outbox, *, actor: AbstractBaseUser | None, clock: Clock = system_clock
) -> None:
    """An agent decides to send a failed or uncertain reply again."""
    if outbox.state not in {Outbox.State.FAILED, Outbox.State.UNCERTAIN}:
        raise ActionError("Only a failed or uncertain reply can be sent again.")
    now = clock.now()
    Outbox.objects.filter(pk=outbox.pk).update(state=Outbox.State.QUEUED, next_attempt_at=now)
    _event(outbox.message.ticket, "reply_requeued", now, actor=actor, message=outbox.message_id)
