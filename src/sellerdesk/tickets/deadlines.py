"""Keeping a ticket's reply deadline current: its history goes through the pure SLA clock,
and the result is stored as `Inquiry` rows and `Ticket.due_at` / `sla_state`.

Called by every action that can change what is owed (a message in, a reply queued, sent,
failed or bounced, a status change), so reports read rows and the inbox sorts on an
indexed column without recomputing anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.sla.clock import ClockEvent, ClockResult, EventKind, ReplyState, compute
from sellerdesk.sla.policies import Policy, policy_for, policy_from_dict
from sellerdesk.tickets.models import Inquiry, Message, Outbox, Ticket

# Inbound kinds that owe a reply (buyer messages, marketplace notices, complaints) and the
# one that never answers anything but is part of the story (auto-replies).
OWED_KINDS = frozenset(
    {
        "buyer_walmart",
        "buyer_amazon",
        "buyer_direct",
        "walmart_case",
        "walmart_escalation",
        "amazon_atoz",
        "complaint_bbb_ag",
    }
)
REPLY_STATES = {
    Outbox.State.SENT: ReplyState.SENT,
    Outbox.State.QUEUED: ReplyState.QUEUED,
    Outbox.State.SENDING: ReplyState.QUEUED,
    Outbox.State.FAILED: ReplyState.FAILED,
    Outbox.State.UNCERTAIN: ReplyState.UNCERTAIN,
}


def policy_of(ticket: Ticket, account: SellerAccount) -> Policy | None:
    overrides = {
        kind: policy_from_dict(data)
        for kind, data in (account.reply_policy_overrides or {}).items()
    }
    policy = policy_for(
        account.marketplace,
        ticket_kind=ticket.kind,
        one_hour_deadline=ticket.one_hour_deadline,
        is_wfs=bool(ticket.order_id and ticket.order and ticket.order.is_wfs),
        wfs_needs_reply=account.wfs_needs_reply,
        overrides=overrides,
    )
    if policy is not None and account.at_risk_minutes and not ticket.one_hour_deadline:
        # The account's threshold, except for 1-hour complaints, where 2 h would mean "at
        # risk from the first second".
        policy = replace(policy, at_risk_before=timedelta(minutes=account.at_risk_minutes))
    return policy


def clock_events(ticket: Ticket) -> list[ClockEvent]:
    events: list[ClockEvent] = []
    # `ticket` is in the list because the related manager sets it on each row: deferring it
    # would cost one query per message.
    messages: Iterable[Message] = ticket.messages.select_related("outbox").only(
        "pk",
        "ticket",
        "direction",
        "kind",
        "received_at",
        "author_id",
        "outbox__state",
        "outbox__last_error",
    )
    for message in messages:
        ref = f"message:{message.pk}"
        if message.direction == Message.Direction.INBOUND:
            if message.kind in OWED_KINDS:
                events.append(ClockEvent(EventKind.BUYER_MESSAGE, message.received_at, ref))
            elif message.kind == "auto_reply":
                events.append(ClockEvent(EventKind.AUTO_REPLY, message.received_at, ref))
            continue
        outbox = getattr(message, "outbox", None)
        if outbox is None:
            state = ReplyState.SENT  # sent from elsewhere (Sent folder, BCC copy)
        elif outbox.state == Outbox.State.FAILED and outbox.last_error.startswith("bounced"):
            state = ReplyState.BOUNCED
        else:
            state = REPLY_STATES[Outbox.State(outbox.state)]
        actor = str(message.author_id) if message.author_id else None
        events.append(
            ClockEvent(EventKind.REPLY, message.received_at, ref, actor=actor, reply_state=state)
        )
    for event in ticket.events.filter(
        kind__in=["status_changed", "reopened", "no_response_needed"]
    ).only("pk", "kind", "data", "created_at"):
        ref = f"event:{event.pk}"
        if event.kind == "no_response_needed":
            events.append(ClockEvent(EventKind.NO_RESPONSE_NEEDED, event.created_at, ref))
        elif event.kind == "status_changed":
            events.append(
                ClockEvent(
                    EventKind.STATUS_CHANGE, event.created_at, ref, status=event.data.get("status")
                )
            )
    return events


def _pk(ref: str | None, prefix: str) -> int | None:
    if ref and ref.startswith(prefix):
        return int(ref.removeprefix(prefix))
    return None


def store(
    ticket: Ticket,
    result: ClockResult,
    policy: Policy | None,
    *,
    fresh: bool = False,
    save_ticket: bool = True,
) -> None:
    """Store the inquiries, and the deadline on the ticket unless it already holds it (a new
    ticket inserted with it) or the caller saves it with its own update (`save_ticket`)."""
    if not fresh:
        Inquiry.objects.filter(ticket=ticket).delete()
    Inquiry.objects.bulk_create(
        [
            Inquiry(
                ticket=ticket,
                account_id=ticket.account_id,
                policy=policy.name if policy else "",
                opened_by_id=_pk(inquiry.opened_by, "message:"),
                received_at=inquiry.received_at,
                due_at=inquiry.due_at,
                answered_at=inquiry.answered_at,
                answered_by_message_id=_pk(inquiry.answered_by, "message:"),
                answered_by_id=int(inquiry.answered_actor) if inquiry.answered_actor else None,
                closed_at=inquiry.closed_at,
                closed_reason=inquiry.closed_reason or "",
                in_time=inquiry.in_time,
                excluded=inquiry.excluded,
            )
            for inquiry in result.inquiries
        ]
    )
    changed = (ticket.due_at, ticket.sla_state) != (result.due_at, result.state.value)
    if save_ticket and (changed or not fresh):
        Ticket.objects.filter(pk=ticket.pk).update(
            due_at=result.due_at, sla_state=result.state.value
        )
    ticket.due_at, ticket.sla_state = result.due_at, result.state.value


def refresh_deadline(ticket: Ticket, now: datetime, *, save_ticket: bool = True) -> ClockResult:
    """Recompute and store the ticket's inquiries and deadline from its whole history.
    With `save_ticket=False` only the instance gets `due_at` / `sla_state`: the caller
    writes them in the update it makes anyway (one query less per message)."""
    account = ticket.account
    policy = policy_of(ticket, account)
    result = compute(clock_events(ticket), policy, now)
    store(ticket, result, policy, save_ticket=save_ticket)
    return result


def _first_events(kind: str, received_at: datetime, ref: str) -> list[ClockEvent]:
    if kind in OWED_KINDS:
        return [ClockEvent(EventKind.BUYER_MESSAGE, received_at, ref)]
    return []


def plan_deadline(ticket: Ticket, kind: str, received_at: datetime, now: datetime) -> None:
    """Set `due_at` / `sla_state` on a ticket not yet inserted, opened by a message of `kind`
    received at `received_at`, so the insert carries them and `start_deadline` need not
    update the row. The deadline does not depend on the message's id, unknown yet."""
    result = compute(
        _first_events(kind, received_at, "message:new"), policy_of(ticket, ticket.account), now
    )
    ticket.due_at, ticket.sla_state = result.due_at, result.state.value


def start_deadline(ticket: Ticket, first: Message, now: datetime) -> ClockResult:
    """The deadline of a ticket just opened by `first`: its only history is that message, so
    nothing needs reading back (mail ingestion opens thousands of tickets)."""
    events = _first_events(first.kind, first.received_at, f"message:{first.pk}")
    policy = policy_of(ticket, ticket.account)
    result = compute(events, policy, now)
    store(ticket, result, policy, fresh=True)
    return result
