"""Every change to tickets, messages and their delivery.

One function per action; each runs in one transaction and writes a `TicketEvent`, so the
history is complete by construction. Channels call these with plain data; nothing here
knows about IMAP, SMTP or marketplaces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.text import get_valid_filename

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.compliance.rules import Verdict
from sellerdesk.customers.models import Customer
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.lib.events import announce_ticket_change
from sellerdesk.orders.models import Order
from sellerdesk.tickets import rules
from sellerdesk.tickets.deadlines import plan_deadline, refresh_deadline, start_deadline
from sellerdesk.tickets.guard import NOT_OVERRIDABLE, check_reply
from sellerdesk.tickets.models import Attachment, Message, Outbox, Ticket, TicketEvent
from sellerdesk.tickets.raw_storage import keep_raw

# Each action is one transaction, or a savepoint inside its caller's: a refused action
# (ActionError) then leaves the caller's transaction usable.
atomic = transaction.atomic


class ActionError(Exception):
    """An action was refused; the message says why in plain words."""


class ComplianceBlocked(ActionError):
    """The reply breaks a marketplace rule; nothing was queued. `verdict` has the findings."""

    def __init__(self, verdict: Verdict) -> None:
        rules_hit = ", ".join(sorted({f.rule for f in verdict.findings if f.severity == "block"}))
        super().__init__(f"Not sent: the reply breaks the marketplace's rules ({rules_hit}).")
        self.verdict = verdict


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None
    inline: bool = False


@dataclass(frozen=True)
class IncomingMessage:
    """A message as a channel hands it over: already parsed, sanitized and classified."""

    kind: str
    sender: str
    sender_name: str
    recipients: Sequence[str]
    subject: str
    text: str
    new_text: str
    html: str
    truncated: bool
    message_id: str
    in_reply_to: str
    references: Sequence[str]
    received_at: datetime
    raw: bytes
    notes: Sequence[str] = ()
    attachments: Sequence[IncomingFile] = field(default_factory=tuple)


def _event(
    ticket: Ticket, event: str, at: datetime, actor: AbstractBaseUser | None = None, **data: Any
) -> TicketEvent:
    row = _new_event(ticket, event, at, actor, **data)
    row.save(force_insert=True)
    return row


def _new_event(
    ticket: Ticket, event: str, at: datetime, actor: AbstractBaseUser | None = None, **data: Any
) -> TicketEvent:
    """A history row, not yet saved (`intake.open_tickets` saves many at once)."""
    # Every action writes history through here, so every change reaches open pages and
    # inboxes live: one "ticket changed" event per ticket, after the transaction commits.
    announce_ticket_change(ticket, event, actor.get_username() if actor is not None else None)
    return TicketEvent(
        ticket=ticket,
        kind=event,
        actor=actor,  # type: ignore[misc]
        data=data,
        created_at=at,
    )


def _bump(ticket: Ticket, **fields: Any) -> None:
    """Save changed fields and move the conversation version on.

    `Ticket.version` counts changes to the conversation (a message in, a reply, a note, a
    merge, move or split): the reply guard holds back a reply or status change made from a
    view older than that. Changes that do not alter what the buyer said or was told
    (status, intent, assignee, tags, order link) use `_save` and leave open views current.
    """
    for name, value in fields.items():
        setattr(ticket, name, value)
    Ticket.objects.filter(pk=ticket.pk).update(version=F("version") + 1, **fields)
    # Local copy only; the guard against stale views compares against the database.
    ticket.version += 1


class StaleView(ActionError):
    """The agent acted on a view of the ticket older than its conversation: another reply,
    a note or a new buyer message arrived since. Nothing was written."""

    def __init__(self, ticket_id: int, seen_version: int, current_version: int) -> None:
        changes = current_version - seen_version
        super().__init__(
            "The conversation changed since you opened the ticket "
            f"({changes} {'change' if changes == 1 else 'changes'}: "
            "new messages, replies, notes or repairs)."
        )
        self.ticket_id = ticket_id
        self.seen_version = seen_version
        self.current_version = current_version


def claim_version(ticket: Ticket, seen_version: int, *, advance: bool) -> None:
    """The reply guard: `UPDATE ticket SET version = version (+ 1) WHERE id = X AND
    version = N`, as the first write of the caller's transaction. Atomic on both databases:
    on PostgreSQL a concurrent claim waits for the row lock, then re-reads the row and finds
    the version moved; on SQLite the IMMEDIATE transaction already holds the write lock. So
    of two agents sending at once exactly one matches; the other gets StaleView.

    `advance`: a reply moves the version itself; a status change only checks it (and locks
    the row for the rest of its transaction)."""
    matched = Ticket.objects.filter(pk=ticket.pk, version=seen_version).update(
        version=F("version") + 1 if advance else F("version")
    )
    if not matched:
        current = Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).first()
        raise StaleView(ticket.pk, seen_version, current or 0)
    ticket.version = seen_version + 1 if advance else seen_version


def _save(ticket: Ticket, **fields: Any) -> None:
    """Save changed fields without moving the conversation version (see `_bump`)."""
    for name, value in fields.items():
        setattr(ticket, name, value)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)


def _new_message(
    ticket: Ticket, direction: str, incoming: IncomingMessage, now: datetime
) -> Message:
    """The message row, its raw source already kept, not yet saved (`intake.open_tickets`
    saves many at once)."""
    message = Message(
        ticket=ticket,
        direction=direction,
        kind=incoming.kind,
        sender=incoming.sender,
        sender_name=incoming.sender_name[:200],
        recipients=list(incoming.recipients),
        subject=incoming.subject[:500],
        text=incoming.text,
        new_text=incoming.new_text,
        html=incoming.html,
        truncated=incoming.truncated,
        message_id=incoming.message_id[:500],
        in_reply_to=incoming.in_reply_to[:500],
        references=list(incoming.references),
        received_at=incoming.received_at,
        raw_sha256=hashlib.sha256(incoming.raw).hexdigest(),
        notes=list(incoming.notes),
        created_at=now,
    )
    if incoming.raw:
        keep_raw(message, incoming.raw)
    return message


def _store_message(
    ticket: Ticket, direction: str, incoming: IncomingMessage, now: datetime
) -> Message:
    message = _new_message(ticket, direction, incoming, now)
    message.save()
    _store_files(message, incoming.attachments)
    return message


def _store_files(message: Message, files: Sequence[IncomingFile]) -> None:
    for file in files:
        _new_file(message, file).save()


def _new_file(message: Message, file: IncomingFile) -> Attachment:
    """The attachment row, its file already stored, not yet saved."""
    attachment = Attachment(
        message=message,
        filename=file.filename[:255],
        content_type=file.content_type[:100],
        size=len(file.data),
        content_id=(file.content_id or "")[:255],
        inline=file.inline,
    )
    try:
        stored_name = get_valid_filename(file.filename[:100] or "attachment")
    except SuspiciousFileOperation:
        # A name of nothing but markup or dots ("<>", ".."): the shown name stays as
        # sent, the stored one is plain.
        stored_name = "attachment"
    attachment.file.save(stored_name, ContentFile(file.data), save=False)
    return attachment


@atomic
def open_ticket(
    *,
    account: SellerAccount,
    incoming: IncomingMessage,
    kind: str,
    intent: str,
    relay_address: str,
    customer: Customer | None,
    order: Order | None,
    order_number: str,
    needs_reply: bool,
    one_hour_deadline: bool,
    previous: Ticket | None = None,
    clock: Clock = system_clock,
) -> tuple[Ticket, Message]:
    """A new ticket from its first message. Mail that needs no reply (system notices,
    unmatched bounces, auto-replies) is filed as solved: kept and searchable, not in the way.
    (`intake.open_tickets` opens many at once with the same rows.)"""
    now = clock.now()
    ticket = _new_ticket(
        account=account,
        incoming=incoming,
        kind=kind,
        intent=intent,
        relay_address=relay_address,
        customer=customer,
        order=order,
        order_number=order_number,
        needs_reply=needs_reply,
        one_hour_deadline=one_hour_deadline,
        previous=previous,
        now=now,
    )
    ticket.save(force_insert=True)
    message = _store_message(ticket, Message.Direction.INBOUND, incoming, now)
    _event(ticket, "created", now, **_created(ticket, message, order_number))
    start_deadline(ticket, message, now)
    return ticket, message


def _new_ticket(
    *,
    account: SellerAccount,
    incoming: IncomingMessage,
    kind: str,
    intent: str,
    relay_address: str,
    customer: Customer | None,
    order: Order | None,
    order_number: str,
    needs_reply: bool,
    one_hour_deadline: bool,
    previous: Ticket | None,
    now: datetime,
) -> Ticket:
    """The ticket row `open_ticket` inserts, deadline included, not yet saved."""
    ticket = Ticket(
        account=account,
        kind=kind,
        intent=intent,
        subject=incoming.subject[:500],
        relay_address=relay_address,
        customer=customer,
        order=order,
        order_number=order_number[:40],
        needs_reply=needs_reply,
        one_hour_deadline=one_hour_deadline,
        previous=previous,
        status=Ticket.Status.NEW if needs_reply else Ticket.Status.SOLVED,
        created_at=now,
        last_message_at=incoming.received_at,
    )
    # The deadline goes in with the insert: saves an UPDATE per new ticket.
    plan_deadline(ticket, incoming.kind, incoming.received_at, now)
    return ticket


def _created(ticket: Ticket, first: Message, order_number: str) -> dict[str, Any]:
    """What the "created" event records of a new ticket."""
    return {
        "kind": ticket.kind,
        "intent": ticket.intent,
        "message": first.pk,
        "order": ticket.order.purchase_order_id if ticket.order else order_number,
        "previous": ticket.previous_id,
    }


@atomic
def add_inbound(
    ticket: Ticket, incoming: IncomingMessage, *, counts_as_buyer: bool, clock: Clock = system_clock
) -> Message:
    """A further message on a ticket. A buyer message reopens a pending or solved ticket
    (and a recently closed one); auto-replies and bounces never change the status."""
    now = clock.now()
    message = _store_message(ticket, Message.Direction.INBOUND, incoming, now)
    changes: dict[str, Any] = {"last_message_at": max(ticket.last_message_at, incoming.received_at)}
    if counts_as_buyer and ticket.status in {
        Ticket.Status.PENDING,
        Ticket.Status.SOLVED,
        Ticket.Status.CLOSED,
    }:
        _event(ticket, "reopened", now, previous_status=ticket.status, message=message.pk)
        changes.update(status=Ticket.Status.OPEN, closed_at=None)
    if counts_as_buyer and ticket.snoozed_until is not None:
        # A buyer message wakes a snoozed ticket: it is back in the inbox at once.
        if ticket.snoozed_until > now:
            _event(
                ticket,
                "woken",
                now,
                reason="buyer_message",
                until=ticket.snoozed_until.isoformat(),
                message=message.pk,
            )
        changes["snoozed_until"] = None
    # The deadline reads only messages and clock events (not the fields bumped here), so it
    # is computed first and saved with the bump: one UPDATE of the ticket instead of two.
    refresh_deadline(ticket, now, save_ticket=False)
    _bump(ticket, **changes, due_at=ticket.due_at, sla_state=ticket.sla_state)
    _event(ticket, "message_received", now, message=message.pk, kind=incoming.kind)
    return message


@atomic
def record_outbound_copy(
    ticket: Ticket, incoming: IncomingMessage, *, clock: Clock = system_clock
) -> Message:
    """A reply sent from elsewhere (the mailbox's Sent folder, a BCC copy): recorded as ours,
    never sent again."""
    now = clock.now()
    message = _store_message(ticket, Message.Direction.OUTBOUND, incoming, now)
    changes: dict[str, Any] = {"last_message_at": max(ticket.last_message_at, incoming.received_at)}
    if ticket.status in {Ticket.Status.NEW, Ticket.Status.OPEN}:
        # As after a reply from here: answered, now waiting on the buyer.
        changes["status"] = Ticket.Status.PENDING
    # As in add_inbound: the deadline is saved with the bump, one UPDATE instead of two.
    refresh_deadline(ticket, now, save_ticket=False)
    _bump(ticket, **changes, due_at=ticket.due_at, sla_state=ticket.sla_state)
    _event(ticket, "replied_elsewhere", now, message=message.pk)
    return message


# What one reply may carry in attachments, all files together: relays and buyers' mail
# servers commonly refuse messages past 10-25 MB, and base64 adds a third on the wire.
MAX_REPLY_ATTACHMENT_BYTES = 10 * 1024 * 1024


# Inbound messages a reply never answers: threading headers point at what the buyer wrote.
NOT_ANSWERED_KINDS = ("auto_reply", "bounce", "spam", "marketplace_system")


def _last_inbound(ticket: Ticket) -> Message | None:
    return (
        ticket.messages.filter(direction=Message.Direction.INBOUND)
        .exclude(message_id="")
        .exclude(kind__in=NOT_ANSWERED_KINDS)
        .order_by("-received_at", "-pk")
        .first()
    )


@atomic
def do_reply(
    ticket: Ticket,
    *,
    author: AbstractBaseUser | None,
    text: str,
    override_reason: str = "",
    attachments: Sequence[IncomingFile] = (),
    expected_version: int | None = None,
    clock: Clock = system_clock,
) -> Message:
    """Queue a reply to the ticket's relay address, from the account's approved sender,
    once the compliance guard allows it. A blocked reply is queued only when its author may
    override the guard and gives a reason; the override and its findings are recorded.
    `attachments` go out with it (at most MAX_REPLY_ATTACHMENT_BYTES together).

    `expected_version`: the conversation version the author's view showed. The reply goes
    only if the ticket is still at that version (else StaleView, nothing written); callers
    normally go through `send_reply`, which keeps a refused reply as a held draft."""
    text = text.strip()
    if not text:
        raise ActionError("The reply is empty.")
    if sum(len(file.data) for file in attachments) > MAX_REPLY_ATTACHMENT_BYTES:
        raise ActionError(
            f"The attachments are larger than {MAX_REPLY_ATTACHMENT_BYTES // (1024 * 1024)} MB "
            "together; nothing was sent."
        )
    verdict = check_reply(ticket, text, clock=clock)
    override_reason = override_reason.strip()
    if verdict.verdict == "block":
        allowed = author is not None and author.has_perm("tickets.override_compliance")  # type: ignore[attr-defined]
        if any(f.rule in NOT_OVERRIDABLE for f in verdict.findings):
            allowed = False  # an unfilled snippet variable: no reason makes it sendable
        if not (allowed and override_reason):
            raise ComplianceBlocked(verdict)
    account = ticket.account
    if not ticket.relay_address:
        raise ActionError(
            "This ticket has no marketplace relay address to answer: replies never go to a "
            "buyer's personal address."
        )
    if not account.sender_address:
        raise ActionError(f"{account.name} has no approved sender address to reply from.")
    now = clock.now()
    if expected_version is not None:
        claim_version(ticket, expected_version, advance=True)
    parent = _last_inbound(ticket)
    references = [*parent.references, parent.message_id] if parent else []
    domain = account.sender_address.rpartition("@")[2]
    message = Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        kind="reply",
        author=author,  # type: ignore[misc]
        sender=account.sender_address,
        sender_name=account.name,
        recipients=[ticket.relay_address],
        subject=rules.reply_subject(ticket.subject)[:500],
        text=text,
        new_text=text,
        message_id=rules.make_message_id(ticket.reply_token, domain),
        in_reply_to=parent.message_id if parent else "",
        references=references[-20:],
        received_at=now,
        created_at=now,
    )
    _store_files(message, attachments)
    Outbox.objects.create(
        message=message,
        sender=account.sender_address,
        recipients=[ticket.relay_address],
        next_attempt_at=now,
        created_at=now,
    )
    status = Ticket.Status.PENDING if ticket.status != Ticket.Status.CLOSED else ticket.status
    if expected_version is None:
        _bump(ticket, status=status, last_message_at=now)
    else:
        _save(ticket, status=status, last_message_at=now)  # the version moved with the claim
    _event(ticket, "replied", now, actor=author, message=message.pk)
    if verdict.findings:
        _event(
            ticket,
            "compliance_override" if verdict.verdict == "block" else "compliance_warnings",
            now,
            actor=author,
            message=message.pk,
            reason=override_reason,
            findings=[
                {"rule": f.rule, "severity": str(f.severity), "excerpt": f.excerpt}
                for f in verdict.findings
            ],
        )
    # A queued reply answers nothing yet: the deadline stands until SMTP accepts it.
    refresh_deadline(ticket, now)
    return message


@atomic
def set_status(
    ticket: Ticket,
    status: str,
    *,
    actor: AbstractBaseUser | None,
    expected_version: int | None = None,
    clock: Clock = system_clock,
) -> None:
    """`expected_version`: as for `do_reply`, a change made from a stale view is refused
    (StaleView) so that nobody solves a ticket the buyer has just written to again."""
    if status not in Ticket.Status.values:
        raise ActionError(f"Unknown status {status!r}.")
    if status == ticket.status:
        return
    if status in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        # Every ended ticket carries the reason buyers wrote (`actions.close`), or per-SKU
        # analytics would count only the tickets someone remembered to label.
        raise ActionError(
            f"#{ticket.pk}: solving or closing a ticket needs a root cause; close it from its page."
        )
    if expected_version is not None:
        claim_version(ticket, expected_version, advance=False)
    now = clock.now()
    previous = ticket.status
    _save(ticket, status=status, closed_at=now if status == Ticket.Status.CLOSED else None)
    _event(ticket, "status_changed", now, actor=actor, previous=previous, status=status)
    refresh_deadline(ticket, now)


@atomic
def set_intent(
    ticket: Ticket, intent: str, *, actor: AbstractBaseUser | None, clock: Clock = system_clock
) -> None:
    if intent == ticket.intent:
        return
    now = clock.now()
    previous = ticket.intent
    _save(ticket, intent=intent)
    _event(ticket, "intent_changed", now, actor=actor, previous=previous, intent=intent)


@atomic
def link_order(
    ticket: Ticket,
    order: Order | None,
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> None:
    if order is not None and order.account_id != ticket.account_id:
        raise ActionError("That order belongs to another seller account.")
    now = clock.now()
    previous = ticket.order.purchase_order_id if ticket.order else None
    changes: dict[str, Any] = {"order": order}
    if order is not None:
        changes["order_number"] = order.purchase_order_id
        if ticket.customer_id is None and order.customer_id is not None:
            changes["customer_id"] = order.customer_id
    _save(ticket, **changes)
    _event(
        ticket,
        "order_linked",
        now,
        actor=actor,
        previous=previous,
        order=order.purchase_order_id if order else None,
    )


# --- delivery -------------------------------------------------------------------------


@atomic
def mark_no_response_needed(
    ticket: Ticket, *, actor: AbstractBaseUser | None, clock: Clock = system_clock
) -> None:
    """Amazon lets a seller mark a message as needing no response; the clock honours it only
    where the marketplace does (on Walmart every inquiry still counts)."""
    now = clock.now()
    _event(ticket, "no_response_needed", now, actor=actor)
    refresh_deadline(ticket, now)
