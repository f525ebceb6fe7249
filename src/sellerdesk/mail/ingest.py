"""Turning one raw message into ticket state: parse, deduplicate, classify, thread, link the
order, and hand the result to `tickets.actions`, all in one transaction.

`ingest` never raises for a bad message: anything it cannot take is quarantined whole with
the reason, so the fetch moves on and nothing is lost.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.mail.classify import Classification, Kind, classify
from sellerdesk.mail.models import Mailbox, QuarantinedMail
from sellerdesk.mail.parse import ParsedMessage, UnparseableMessage, parse_message
from sellerdesk.mail.threads import Candidate, ThreadKeys, pick
from sellerdesk.orders.models import Order
from sellerdesk.tickets import actions, rules
from sellerdesk.tickets.actions import IncomingFile, IncomingMessage
from sellerdesk.tickets.models import Message, Outbox, Ticket

log = logging.getLogger(__name__)

# How many of a sender's recent tickets threading considers.
CANDIDATES = 50
NOTICE_KINDS = {
    Kind.WALMART_CASE,
    Kind.WALMART_ESCALATION,
    Kind.AMAZON_ATOZ,
    Kind.AMAZON_RETURN,
    Kind.AMAZON_REFUND,
    Kind.COMPLAINT_BBB_AG,
}
NO_REPLY_KINDS = {Kind.MARKETPLACE_SYSTEM, Kind.SPAM, Kind.BOUNCE, Kind.AUTO_REPLY}


@dataclass
class IngestResult:
    outcome: str  # "ingested", "duplicate", "quarantined"
    ticket_id: int | None = None
    new_ticket: bool = False
    threaded: bool = False
    linked_order: bool = False
    outgoing: bool = False
    reason: str = ""


def reached_us_at(
    delivered_at: datetime | None, parsed: ParsedMessage, clock: Clock
) -> tuple[datetime, str]:
    """IMAP INTERNALDATE, else the top Received: header, else Date:; the fetch time only
    when the message carries none of them (noted on the message)."""
    for when, source in (
        (delivered_at, "delivery"),
        (parsed.received_at, "received_header"),
        (parsed.date, "date_header"),
    ):
        if when is not None:
            return when, source
    return clock.now(), "fetch_time"


def quarantine(
    raw: bytes,
    reason: str,
    *,
    account: SellerAccount | None,
    mailbox: Mailbox | None,
    source: str,
    delivered_at: datetime | None,
    clock: Clock,
    into: QuarantinedMail | None = None,
) -> IngestResult:
    log.warning("quarantined %s: %s", source, reason.splitlines()[0] if reason else "")
    if into is not None:
        # A retry that failed again: one entry per message, with the latest reason.
        into.reason = reason
        into.save(update_fields=["reason"])
        return IngestResult("quarantined", reason=reason)
    item = QuarantinedMail(
        account=account,
        mailbox=mailbox,
        source=source[:300],
        reason=reason,
        delivered_at=delivered_at,
        created_at=clock.now(),
    )
    item.raw.save(f"{hashlib.sha256(raw).hexdigest()}.eml", ContentFile(raw), save=False)
    item.save()
    return IngestResult("quarantined", reason=reason)


def _account_for(parsed: ParsedMessage, account: SellerAccount | None) -> SellerAccount | None:
    if account is not None:
        return account
    addresses = {*parsed.to, *parsed.cc}
    return (
        SellerAccount.objects.filter(
            Q(support_address__in=addresses) | Q(sender_address__in=addresses)
        )
        .order_by("pk")
        .first()
    )


def _is_duplicate(parsed: ParsedMessage, raw_sha256: str) -> bool:
    if parsed.message_id:
        return Message.objects.filter(message_id=parsed.message_id[:500]).exists()
    return Message.objects.filter(raw_sha256=raw_sha256).exists()


def _incoming(
    parsed: ParsedMessage,
    classification: Classification,
    raw: bytes,
    received_at: datetime,
    note: str,
) -> IncomingMessage:
    notes = [*parsed.defects, *classification.reasons]
    if note != "delivery":
        notes.append(f"time it reached us taken from: {note}")
    return IncomingMessage(
        kind=classification.kind.value,
        sender=parsed.from_address,
        sender_name=parsed.from_name,
        recipients=[*parsed.to, *parsed.cc],
        subject=parsed.subject,
        text=parsed.text,
        new_text=parsed.new_text,
        html=parsed.html or "",
        truncated=parsed.truncated,
        message_id=parsed.message_id or "",
        in_reply_to=parsed.in_reply_to[0] if parsed.in_reply_to else "",
        references=list(parsed.references),
        received_at=received_at,
        raw=raw,
        notes=notes,
        attachments=[
            IncomingFile(a.filename, a.content_type, a.data, a.content_id, a.inline)
            for a in parsed.attachments
        ],
    )


def _thread(
    account: SellerAccount,
    parsed: ParsedMessage,
    classification: Classification,
    received_at: datetime,
) -> Ticket | None:
    keys = ThreadKeys(
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        sender=parsed.from_address,
        order_numbers=classification.order_numbers,
        subject=parsed.subject,
        received_at=received_at,
    )
    referenced = keys.referenced_ids()
    by_message_id = (
        dict(
            Message.objects.filter(ticket__account=account, message_id__in=referenced).values_list(
                "message_id", "ticket_id"
            )
        )
        if referenced
        else {}
    )
    # `pick` tries message ids, then reply tokens, then the sender's tickets: once a stronger
    # key has matched, the weaker lookups cannot change the answer and are not queried.
    tokens = keys.tokens() if not by_message_id else []
    by_token = (
        dict(
            Ticket.objects.filter(account=account, reply_token__in=tokens).values_list(
                "reply_token", "pk"
            )
        )
        if tokens
        else {}
    )
    same_sender = (
        [
            Candidate(
                ticket_id=pk,
                order_numbers=frozenset(n for n in (order_number, po, co) if n),
                subject=subject,
                last_message_at=last,
            )
            for pk, order_number, po, co, subject, last in Ticket.objects.filter(
                account=account, relay_address=parsed.from_address
            )
            .order_by("-last_message_at")
            .values_list(
                "pk",
                "order_number",
                "order__purchase_order_id",
                "order__customer_order_id",
                "subject",
                "last_message_at",
            )[:CANDIDATES]
        ]
        if parsed.from_address and not by_message_id and not by_token
        else []
    )
    match = pick(keys, by_message_id=by_message_id, by_token=by_token, same_sender=same_sender)
    if match is None:
        return None
    ticket = Ticket.objects.get(pk=match.ticket_id, account=account)
    # The account is at hand: the deadline refresh reads it, a query saved per message.
    ticket.account = account
    return ticket


def _link_order(
    account: SellerAccount, classification: Classification, relay: str
) -> tuple[Order | None, str, Customer | None]:
    """The order the message names (purchase or customer order number), else the most
    recent order of the buyer behind the relay address."""
    numbers = list(classification.order_numbers)
    if numbers:
        order = (
            Order.objects.filter(account=account)
            .filter(Q(purchase_order_id__in=numbers) | Q(customer_order_id__in=numbers))
            .select_related("customer")
            .order_by("-order_date")
            .first()
        )
        if order is not None:
            return order, order.purchase_order_id, order.customer
    customer = None
    if relay:
        known = CustomerAddress.objects.filter(address=relay).select_related("customer").first()
        customer = known.customer if known else None
    if customer is not None:
        order = customer.orders.filter(account=account).order_by("-order_date").first()
        if order is not None:
            return order, order.purchase_order_id, customer
    return None, numbers[0] if numbers else "", customer


def _handle_bounce(
    account: SellerAccount,
    parsed: ParsedMessage,
    classification: Classification,
    incoming: IncomingMessage,
    clock: Clock,
) -> IngestResult | None:
    bounced = classification.bounced_message_id
    if not bounced:
        return None
    outbox = (
        Outbox.objects.filter(
            message__message_id=bounced.strip("<>"), message__ticket__account=account
        )
        .select_related("message__ticket")
        .first()
    )
    if outbox is None:
        return None
    ticket = outbox.message.ticket
    if outbox.state != Outbox.State.FAILED:
        reason = parsed.delivery_status.get("status") or parsed.subject or "bounced"
        actions.mark_bounced(outbox, reason=reason, now=clock.now())
    actions.add_inbound(ticket, incoming, counts_as_buyer=False, clock=clock)
    return IngestResult("ingested", ticket.pk, threaded=True)


def _ingest_parsed(
    raw: bytes,
    parsed: ParsedMessage,
    account: SellerAccount,
    delivered_at: datetime | None,
    clock: Clock,
) -> IngestResult:
    raw_sha256 = hashlib.sha256(raw).hexdigest()
    if _is_duplicate(parsed, raw_sha256):
        return IngestResult("duplicate")
    classification = classify(parsed)
    received_at, time_source = reached_us_at(delivered_at, parsed, clock)
    incoming = _incoming(parsed, classification, raw, received_at, time_source)

    if classification.kind is Kind.BOUNCE:
        handled = _handle_bounce(account, parsed, classification, incoming, clock)
        if handled is not None:
            return handled

    ours = {a for a in (account.sender_address, account.support_address) if a}
    if parsed.from_address and parsed.from_address in ours:
        # Our own reply, sent from elsewhere (Sent folder, BCC copy): record it where it belongs.
        ticket = _thread(account, parsed, classification, received_at)
        if ticket is None:
            return IngestResult("duplicate", reason="our own message with no ticket to file it on")
        actions.record_outbound_copy(ticket, incoming, clock=clock)
        return IngestResult("ingested", ticket.pk, threaded=True, outgoing=True)

    counts_as_buyer = classification.needs_reply and classification.kind not in NO_REPLY_KINDS
    ticket = _thread(account, parsed, classification, received_at)
    previous = None
    if (
        ticket is not None
        and counts_as_buyer
        and not rules.continues_ticket(ticket.status, ticket.closed_at, clock.now())
    ):
        previous, ticket = ticket, None
    if ticket is not None:
        actions.add_inbound(ticket, incoming, counts_as_buyer=counts_as_buyer, clock=clock)
        return IngestResult(
            "ingested", ticket.pk, threaded=True, linked_order=ticket.order_id is not None
        )

    relay = classification.relay_address or parsed.from_address
    order, order_number, customer = _link_order(account, classification, relay)
    ticket, _ = actions.open_ticket(
        account=account,
        incoming=incoming,
        kind=classification.kind.value,
        intent=classification.intent.value,
        relay_address=relay,
        customer=customer,
        order=order,
        order_number=order_number,
        needs_reply=counts_as_buyer,
        one_hour_deadline=classification.one_hour_deadline,
        previous=previous,
        clock=clock,
    )
    return IngestResult("ingested", ticket.pk, new_ticket=True, linked_order=order is not None)


def ingest(
    raw: bytes,
    *,
    account: SellerAccount | None = None,
    mailbox: Mailbox | None = None,
    delivered_at: datetime | None = None,
    source: str = "",
    clock: Clock = system_clock,
    quarantine_into: QuarantinedMail | None = None,
) -> IngestResult:
    """Take one message. Returns what happened; quarantines instead of raising."""
    account = account or (mailbox.account if mailbox else None)

    def keep(reason: str, owner: SellerAccount | None) -> IngestResult:
        return quarantine(
            raw,
            reason,
            account=owner,
            mailbox=mailbox,
            source=source,
            delivered_at=delivered_at,
            clock=clock,
            into=quarantine_into,
        )

    try:
        parsed = parse_message(raw)
    except UnparseableMessage as error:
        return keep(f"unreadable: {error}", account)
    except Exception as error:
        # A parser bug must cost this one message (kept for a retry after the fix), never
        # the mailbox: an IMAP fetch would otherwise stop at the same UID forever.
        log.exception("parsing %s failed", source)
        return keep(f"unreadable: parser failed: {_describe(error)}", account)
    target = _account_for(parsed, account)
    if target is None:
        return keep(f"no seller account receives mail for {', '.join(parsed.to) or 'nobody'}", None)
    try:
        with transaction.atomic():
            return _ingest_parsed(raw, parsed, target, delivered_at, clock)
    except IntegrityError:
        # Another worker stored the same Message-ID between our check and our insert.
        return IngestResult("duplicate")
    except Exception as error:
        # Likewise for a filing bug or an unforeseen shape: one message, never the mailbox.
        log.exception("ingesting %s failed", source)
        return keep(f"could not be filed: {_describe(error)}", target)


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(error)).strip()
