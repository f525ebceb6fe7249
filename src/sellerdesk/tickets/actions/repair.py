"""Repairing threading mistakes: merge two tickets of one buyer, move a message to another
ticket, split a message into a ticket of its own; each reversible from the history.

Each repair writes a *primary* history row on the ticket it was started from, holding what
is needed to undo it, and a *mirror* row on the other ticket pointing at the primary (so the
history of both says what happened and either offers "Undo"). Undoing writes an `*_undone`
row on both, naming the primary in `undoes`. An undo is refused, with the reason, when later
changes would make it unsafe (the message moved on since, a ticket was merged away...).

Every repair changes the conversation of both tickets, so both versions move (`_bump`) and
both deadlines are recomputed from their new histories.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.tickets.actions.core import ActionError, _bump, _event
from sellerdesk.tickets.deadlines import refresh_deadline
from sellerdesk.tickets.models import Message, Note, Ticket, TicketEvent

# Primary rows (they hold the undo data), and the mirror kind written on the other ticket.
PRIMARY_KINDS = {
    "merged": "merged_into",
    "message_moved": "message_moved_in",
    "message_split": "split_from",
}
MIRROR_KINDS = frozenset(PRIMARY_KINDS.values())
UNDONE_KINDS = {
    "merged": "merge_undone",
    "message_moved": "move_undone",
    "message_split": "split_undone",
}
ENDED = frozenset({Ticket.Status.SOLVED, Ticket.Status.CLOSED})


def _lock(*tickets: Ticket) -> dict[int, Ticket]:
    """The tickets as stored now, locked in id order (PostgreSQL; SQLite's write
    transactions are serialized anyway): every check below reads the current rows, never a
    page's stale copy."""
    rows = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("account", "order")
        .filter(pk__in=[t.pk for t in tickets])
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def _last_message_at(ticket: Ticket, fallback: datetime) -> datetime:
    latest = ticket.messages.aggregate(latest=Max("received_at"))["latest"]
    return latest or fallback


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _same_buyer(a: Ticket, b: Ticket) -> bool:
    if a.customer_id is not None and a.customer_id == b.customer_id:
        return True
    return bool(a.relay_address) and a.relay_address.lower() == b.relay_address.lower()


def _not_merged(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None:
        raise ActionError(
            f"#{ticket.pk} was merged into #{ticket.merged_into_id}; work on that ticket instead."
        )


def _open(ticket: Ticket) -> None:
    if ticket.status in ENDED:
        raise ActionError(
            f"#{ticket.pk} is {ticket.get_status_display().lower()}; reopen it first, so the "
            "buyer's messages do not land in a finished ticket."
        )


# --- merge ----------------------------------------------------------------------------


@transaction.atomic
def merge(
    source: Ticket,
    survivor: Ticket,
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> TicketEvent:
    """Merge `source` into `survivor`: its messages and notes move over (inquiries follow,
    recomputed), it is closed and points to the survivor, and later mail threaded to it
    follows there. Only for two tickets of the same buyer in the same seller account.
    Returns the primary history row (on the survivor)."""
    if source.pk == survivor.pk:
        raise ActionError("A ticket cannot be merged into itself.")
    rows = _lock(source, survivor)
    source, survivor = rows[source.pk], rows[survivor.pk]
    if source.account_id != survivor.account_id:
        raise ActionError(
            f"#{source.pk} and #{survivor.pk} belong to different seller accounts; "
            "replies go out through one account, so they cannot be merged."
        )
    if not _same_buyer(source, survivor):
        raise ActionError(
            f"#{source.pk} and #{survivor.pk} are not from the same buyer (neither the same "
            "customer nor the same relay address); only one buyer's tickets can be merged."
        )
    _not_merged(source)
    _not_merged(survivor)
    _open(survivor)
    now = clock.now()
    message_ids = list(source.messages.order_by("pk").values_list("pk", flat=True))
    note_ids = list(source.notes.order_by("pk").values_list("pk", flat=True))
    Message.objects.filter(pk__in=message_ids).update(ticket=survivor)
    Note.objects.filter(pk__in=note_ids).update(ticket=survivor)
    primary = _event(
        survivor,
        "merged",
        now,
        actor=actor,
        source=source.pk,
        source_subject=source.subject[:200],
        messages=message_ids,
        notes=note_ids,
        source_status=source.status,
        source_closed_at=_iso(source.closed_at),
        source_snoozed_until=_iso(source.snoozed_until),
    )
    _event(source, "merged_into", now, actor=actor, survivor=survivor.pk, primary=primary.pk)
    _bump(survivor, last_message_at=max(survivor.last_message_at, source.last_message_at))
    _bump(
        source,
        status=Ticket.Status.CLOSED,
        closed_at=now,
        merged_into=survivor,
        snoozed_until=None,
    )
    refresh_deadline(survivor, now)
    refresh_deadline(source, now)
    return primary


def _undo_merge(primary: TicketEvent, actor: AbstractBaseUser | None, now: datetime) -> None:
    data = primary.data
    rows = _lock(Ticket(pk=primary.ticket_id), Ticket(pk=data["source"]))
    survivor, source = rows[primary.ticket_id], rows.get(data["source"])
    if source is None:
        raise ActionError(f"#{data['source']} no longer exists; the merge cannot be undone.")
    if source.merged_into_id != survivor.pk:
        raise ActionError(f"#{source.pk} is no longer merged into #{survivor.pk}.")
    _not_merged(survivor)
    messages = set(data["messages"])
    still_here = set(
        Message.objects.filter(pk__in=messages, ticket=survivor).values_list("pk", flat=True)
    )
    if moved := sorted(messages - still_here):
        raise ActionError(
            f"Message {moved[0]} of #{source.pk} has moved on since the merge; move it back "
            "to this ticket first, or leave the merge as it is."
        )
    Message.objects.filter(pk__in=messages).update(ticket=source)
    Note.objects.filter(pk__in=data["notes"], ticket=survivor).update(ticket=source)
    restored_status = data["source_status"]
    closed_at = data["source_closed_at"]
    _bump(
        source,
        status=restored_status,
        closed_at=datetime.fromisoformat(closed_at) if closed_at else None,
        merged_into=None,
    )
    _bump(survivor, last_message_at=_last_message_at(survivor, survivor.last_message_at))
    _event(survivor, "merge_undone", now, actor=actor, undoes=primary.pk, source=source.pk)
    _event(source, "merge_undone", now, actor=actor, undoes=primary.pk, survivor=survivor.pk)
    refresh_deadline(survivor, now)
    refresh_deadline(source, now)


# --- move -----------------------------------------------------------------------------


@transaction.atomic
def move_message(
    message: Message,
    target: Ticket,
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> TicketEvent:
    """Move one message (with its attachments) to another ticket of the same account.
    Returns the primary history row (on the ticket it left)."""
    message = Message.objects.get(pk=message.pk)
    if message.ticket_id == target.pk:
        raise ActionError(f"The message is already on #{target.pk}.")
    rows = _lock(Ticket(pk=message.ticket_id), target)
    source, target = rows[message.ticket_id], rows[target.pk]
    if source.account_id != target.account_id:
        raise ActionError(
            f"#{target.pk} belongs to another seller account; a message can only move within "
            f"{source.account.name}."
        )
    _not_merged(target)
    _open(target)
    if source.messages.count() == 1:
        raise ActionError(
            f"This is the only message of #{source.pk}; merge the two tickets instead."
        )
    now = clock.now()
    Message.objects.filter(pk=message.pk).update(ticket=target)
    primary = _event(source, "message_moved", now, actor=actor, message=message.pk, to=target.pk)
    _event(
        target,
        "message_moved_in",
        now,
        actor=actor,
        message=message.pk,
        source=source.pk,
        primary=primary.pk,
    )
    _bump(source, last_message_at=_last_message_at(source, source.last_message_at))
    _bump(target, last_message_at=max(target.last_message_at, message.received_at))
    refresh_deadline(source, now)
    refresh_deadline(target, now)
    return primary


def _undo_move(primary: TicketEvent, actor: AbstractBaseUser | None, now: datetime) -> None:
    data = primary.data
    rows = _lock(Ticket(pk=primary.ticket_id), Ticket(pk=data["to"]))
    source, target = rows[primary.ticket_id], rows.get(data["to"])
    message = Message.objects.filter(pk=data["message"]).first()
    if message is None or target is None or message.ticket_id != target.pk:
        where = f" to #{message.ticket_id}" if message is not None else ""
        raise ActionError(
            f"The message has moved on since{where}; it cannot be moved back from here."
        )
    _not_merged(source)
    Message.objects.filter(pk=message.pk).update(ticket=source)
    _bump(source, last_message_at=max(source.last_message_at, message.received_at))
    _bump(target, last_message_at=_last_message_at(target, target.last_message_at))
    _event(source, "move_undone", now, actor=actor, undoes=primary.pk, message=message.pk)
    _event(target, "move_undone", now, actor=actor, undoes=primary.pk, message=message.pk)
    refresh_deadline(source, now)
    refresh_deadline(target, now)


# --- split ----------------------------------------------------------------------------


@transaction.atomic
def split_message(
    message: Message,
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> Ticket:
    """Take one message out into a new ticket of its own (same account, buyer, order and
    relay address; the message's subject). Returns the new ticket."""
    message = Message.objects.get(pk=message.pk)
    source = _lock(Ticket(pk=message.ticket_id))[message.ticket_id]
    if source.messages.count() == 1:
        raise ActionError(
            f"This is the only message of #{source.pk}; there is nothing to split from."
        )
    now = clock.now()
    inbound = message.direction == Message.Direction.INBOUND
    new = Ticket.objects.create(
        account=source.account,
        channel=source.channel,
        kind=message.kind if inbound else source.kind,
        intent=source.intent,
        customer=source.customer,
        order=source.order,
        order_number=source.order_number,
        subject=(message.subject or source.subject)[:500],
        status=Ticket.Status.OPEN,
        assignee=source.assignee,
        relay_address=source.relay_address,
        needs_reply=source.needs_reply,
        one_hour_deadline=source.one_hour_deadline and message.kind == source.kind,
        created_at=now,
        last_message_at=message.received_at,
    )
    Message.objects.filter(pk=message.pk).update(ticket=new)
    primary = _event(
        source, "message_split", now, actor=actor, message=message.pk, new_ticket=new.pk
    )
    _event(
        new,
        "split_from",
        now,
        actor=actor,
        message=message.pk,
        source=source.pk,
        primary=primary.pk,
    )
    _bump(source, last_message_at=_last_message_at(source, source.last_message_at))
    refresh_deadline(source, now)
    refresh_deadline(new, now)
    return new


def _undo_split(primary: TicketEvent, actor: AbstractBaseUser | None, now: datetime) -> None:
    data = primary.data
    rows = _lock(Ticket(pk=primary.ticket_id), Ticket(pk=data["new_ticket"]))
    source, new = rows[primary.ticket_id], rows.get(data["new_ticket"])
    if new is None:
        raise ActionError(f"#{data['new_ticket']} no longer exists; the split cannot be undone.")
    _not_merged(source)
    _not_merged(new)
    on_new = list(new.messages.values_list("pk", flat=True))
    if on_new != [data["message"]] or new.notes.exists():
        raise ActionError(
            f"#{new.pk} has its own conversation since the split (messages or notes); move "
            "the message back instead, or merge the tickets."
        )
    message = Message.objects.get(pk=data["message"])
    Message.objects.filter(pk=message.pk).update(ticket=source)
    _bump(source, last_message_at=max(source.last_message_at, message.received_at))
    # The split-off ticket stays as a closed pointer to the original rather than vanishing:
    # its history is kept, and mail carrying its reply token follows to the original.
    _bump(new, status=Ticket.Status.CLOSED, closed_at=now, merged_into=source, snoozed_until=None)
    _event(source, "split_undone", now, actor=actor, undoes=primary.pk, new_ticket=new.pk)
    _event(new, "split_undone", now, actor=actor, undoes=primary.pk, source=source.pk)
    refresh_deadline(source, now)
    refresh_deadline(new, now)


# --- undo -----------------------------------------------------------------------------

_UNDO = {"merged": _undo_merge, "message_moved": _undo_move, "message_split": _undo_split}


def primary_of(event: TicketEvent) -> TicketEvent | None:
    """The row holding the undo data for a repair row (itself, or the one a mirror names);
    None for rows that are not repairs."""
    if event.kind in PRIMARY_KINDS:
        return event
    if event.kind in MIRROR_KINDS and event.data.get("primary"):
        return TicketEvent.objects.select_related("ticket").filter(pk=event.data["primary"]).first()
    return None


@transaction.atomic
def undo(
    event: TicketEvent, *, actor: AbstractBaseUser | None, clock: Clock = system_clock
) -> None:
    """Undo the repair a history row records (its primary row or its mirror)."""
    primary = primary_of(event)
    if primary is None:
        raise ActionError("Only a merge, a move or a split can be undone from the history.")
    undone_kind = UNDONE_KINDS[primary.kind]
    if TicketEvent.objects.filter(
        ticket_id=primary.ticket_id, kind=undone_kind, data__undoes=primary.pk
    ).exists():
        raise ActionError("This was undone already.")
    _UNDO[primary.kind](primary, actor, clock.now())
