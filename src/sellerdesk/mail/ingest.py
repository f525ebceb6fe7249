"""Turning one raw message into ticket state: parse, deduplicate, classify, thread, link the
order, and hand the result to `tickets.actions`, all in one transaction.

`ingest` never raises for a bad message: anything it cannot take is quarantined whole with
the reason, so the fetch moves on and nothing is lost.

What a message becomes is decided in one place, `file_message`, from what an `Intake`
answers (is it a duplicate, which ticket it threads into, which order it names). For one
message those answers are database queries and a new ticket is opened at once
(`DirectIntake`). A mailbox fetch takes its messages in batches (`ingest_batch.py`), whose
intake reads the whole batch's answers at once, remembers what the batch itself filed, and
opens the batch's new tickets together; so a batch files each message exactly as
one-by-one ingestion would.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Protocol

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.mail.classify import Classification, Kind, classify
from sellerdesk.mail.models import Mailbox, QuarantinedMail
from sellerdesk.mail.parse import ParsedMessage, UnparseableMessage, parse_message
from sellerdesk.mail.threads import Candidate, Match, ThreadKeys, pick
from sellerdesk.orders.models import Order
from sellerdesk.tickets import actions, rules
from sellerdesk.tickets.actions import IncomingFile, IncomingMessage, Opening
from sellerdesk.tickets.models import Message, Outbox, Ticket

log = logging.getLogger(__name__)

# How many of a sender's recent tickets threading considers.
CANDIDATES = 50
# How far a chain of merged tickets is followed (merges may chain; a cycle cannot be made,
# the bound only keeps a corrupted row from looping forever).
MERGE_HOPS = 10
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


@dataclass
class Readable:
    """A parsed message and the account it is filed under."""

    raw: bytes
    parsed: ParsedMessage
    account: SellerAccount
    raw_sha256: str

    @cached_property
    def classification(self) -> Classification:
        # Only when needed: a duplicate is never classified.
        return classify(self.parsed)


@dataclass(frozen=True)
class Refused:
    """A message that cannot be filed at all: quarantined with `reason` under `owner`."""

    reason: str
    owner: SellerAccount | None


OrderLink = tuple[Order | None, str, Customer | None]


class Intake(Protocol):
    """What filing a message reads from the database, and how it opens a ticket. Every other
    change goes through `tickets.actions` directly, after `before_change`."""

    def is_duplicate(self, parsed: ParsedMessage, raw_sha256: str) -> bool: ...

    def match(self, account: SellerAccount, keys: ThreadKeys) -> Match | None: ...

    def ticket(self, pk: int, account: SellerAccount) -> Ticket: ...

    def adopt(self, ticket: Ticket) -> Ticket: ...

    def link_order(
        self, account: SellerAccount, numbers: Sequence[str], relay: str
    ) -> OrderLink: ...

    def open_ticket(self, opening: Opening, mail: Readable) -> IngestResult: ...

    def before_change(self) -> None:
        """Called before any write other than opening a ticket: write what is held back."""
        ...

    def stored(self, ticket: Ticket, mail: Readable) -> None:
        """Called once a message is filed on `ticket`, so later lookups can see it."""
        ...


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


def read(raw: bytes, account: SellerAccount | None, source: str) -> Readable | Refused:
    """Parse and find the account: per message, outside any transaction (a batch parses
    before it takes the database). A message that fails is refused alone."""
    try:
        parsed = parse_message(raw)
    except UnparseableMessage as error:
        return Refused(f"unreadable: {error}", account)
    except Exception as error:
        # A parser bug must cost this one message (kept for a retry after the fix), never
        # the mailbox: an IMAP fetch would otherwise stop at the same UID forever.
        log.exception("parsing %s failed", source)
        return Refused(f"unreadable: parser failed: {_describe(error)}", account)
    target = _account_for(parsed, account)
    if target is None:
        return Refused(
            f"no seller account receives mail for {', '.join(parsed.to) or 'nobody'}", None
        )
    return Readable(raw, parsed, target, hashlib.sha256(raw).hexdigest())


class DirectIntake:
    """The intake of one message on its own: each answer is a query, and a new ticket is
    opened at once."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def is_duplicate(self, parsed: ParsedMessage, raw_sha256: str) -> bool:
        if parsed.message_id:
            return Message.objects.filter(message_id=parsed.message_id[:500]).exists()
        return Message.objects.filter(raw_sha256=raw_sha256).exists()

    def match(self, account: SellerAccount, keys: ThreadKeys) -> Match | None:
        referenced = keys.referenced_ids()
        by_message_id = (
            dict(
                Message.objects.filter(
                    ticket__account=account, message_id__in=referenced
                ).values_list("message_id", "ticket_id")
            )
            if referenced
            else {}
        )
        # `pick` tries message ids, then reply tokens, then the sender's tickets: once a
        # stronger key has matched, the weaker lookups cannot change the answer and are not
        # queried.
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
                    account=account, relay_address=keys.sender
                )
                .order_by("-last_message_at")
                .values_list(*CANDIDATE_FIELDS)[:CANDIDATES]
            ]
            if keys.sender and not by_message_id and not by_token
            else []
        )
        return pick(keys, by_message_id=by_message_id, by_token=by_token, same_sender=same_sender)

    def ticket(self, pk: int, account: SellerAccount) -> Ticket:
        return Ticket.objects.get(pk=pk, account=account)

    def adopt(self, ticket: Ticket) -> Ticket:
        return ticket

    def link_order(self, account: SellerAccount, numbers: Sequence[str], relay: str) -> OrderLink:
        named = orders_numbered(account, numbers) if numbers else []
        if named:
            return named[0], named[0].purchase_order_id, named[0].customer
        known = (
            CustomerAddress.objects.filter(address=relay).select_related("customer").first()
            if relay
            else None
        )
        customer = known.customer if known else None
        latest = latest_orders(account, [customer.pk]) if customer is not None else {}
        return linked(numbers, latest, customer)

    def open_ticket(self, opening: Opening, mail: Readable) -> IngestResult:
        ticket, _ = actions.open_ticket(
            account=opening.account,
            incoming=opening.incoming,
            kind=opening.kind,
            intent=opening.intent,
            relay_address=opening.relay_address,
            customer=opening.customer,
            order=opening.order,
            order_number=opening.order_number,
            needs_reply=opening.needs_reply,
            one_hour_deadline=opening.one_hour_deadline,
            previous=opening.previous,
            clock=self.clock,
        )
        return IngestResult(
            "ingested", ticket.pk, new_ticket=True, linked_order=opening.order is not None
        )

    def before_change(self) -> None:
        """Nothing to write first: this intake opens each ticket at once (the batch intake
        holds new tickets back and inserts them here)."""

    def stored(self, ticket: Ticket, mail: Readable) -> None:
        """Nothing to remember: the next message asks the database again (the batch intake
        keeps what it filed, so later messages of its batch see it)."""


# What threading needs of a sender's recent tickets, as `Candidate` takes it.
CANDIDATE_FIELDS = (
    "pk",
    "order_number",
    "order__purchase_order_id",
    "order__customer_order_id",
    "subject",
    "last_message_at",
)


def orders_numbered(account: SellerAccount, numbers: Sequence[str]) -> list[Order]:
    """The account's orders whose purchase or customer order number is among `numbers`,
    most recent first.

    The customer order number is looked up by its own index and the account checked here:
    SQLite, without table statistics, would otherwise walk all of the account's orders."""
    found = (
        Order.objects.filter(
            Q(account=account, purchase_order_id__in=numbers) | Q(customer_order_id__in=numbers)
        )
        .select_related("customer")
        .order_by("-order_date", "-pk")
    )
    return [order for order in found if order.account_id == account.pk]


def latest_orders(account: SellerAccount, customer_ids: Sequence[int]) -> dict[int, Order]:
    """Each customer's most recent order in the account (by the customer index, as above)."""
    latest: dict[int, Order] = {}
    for order in Order.objects.filter(customer_id__in=customer_ids).order_by("-order_date", "-pk"):
        if order.account_id == account.pk and order.customer_id is not None:
            latest.setdefault(order.customer_id, order)
    return latest


def linked(
    numbers: Sequence[str], latest: dict[int, Order], customer: Customer | None
) -> OrderLink:
    """No order carries a number the message names: the buyer's most recent order, if the
    relay address is a known buyer's; else unlinked, keeping the first number named."""
    order = latest.get(customer.pk) if customer is not None else None
    if order is not None:
        return order, order.purchase_order_id, customer
    return None, numbers[0] if numbers else "", customer


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


def _thread(mail: Readable, received_at: datetime, intake: Intake) -> Ticket | None:
    parsed, account = mail.parsed, mail.account
    keys = ThreadKeys(
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        sender=parsed.from_address,
        order_numbers=mail.classification.order_numbers,
        subject=parsed.subject,
        received_at=received_at,
    )
    match = intake.match(account, keys)
    if match is None:
        return None
    ticket = intake.ticket(match.ticket_id, account)
    # Mail threaded to a merged ticket follows to its survivor.
    for _ in range(MERGE_HOPS):
        if ticket.merged_into_id is None:
            break
        ticket = intake.ticket(ticket.merged_into_id, account)
    # The account is at hand: the deadline refresh reads it, a query saved per message.
    ticket.account = account
    return ticket


def _handle_bounce(
    mail: Readable, incoming: IncomingMessage, clock: Clock, intake: Intake
) -> IngestResult | None:
    bounced = mail.classification.bounced_message_id
    if not bounced:
        return None
    outbox = (
        Outbox.objects.filter(
            message__message_id=bounced.strip("<>"), message__ticket__account=mail.account
        )
        .select_related("message__ticket")
        .first()
    )
    if outbox is None:
        return None
    intake.before_change()
    # The same instance as the batch's earlier messages on this ticket changed, if any.
    ticket = outbox.message.ticket = intake.adopt(outbox.message.ticket)
    if outbox.state != Outbox.State.FAILED:
        reason = mail.parsed.delivery_status.get("status") or mail.parsed.subject or "bounced"
        actions.mark_bounced(outbox, reason=reason, now=clock.now())
    actions.add_inbound(ticket, incoming, counts_as_buyer=False, clock=clock)
    intake.stored(ticket, mail)
    return IngestResult("ingested", ticket.pk, threaded=True)


def file_message(
    mail: Readable, delivered_at: datetime | None, clock: Clock, intake: Intake
) -> IngestResult:
    """Deduplicate, thread, link and store one readable message, inside the caller's
    transaction."""
    parsed, account = mail.parsed, mail.account
    if intake.is_duplicate(parsed, mail.raw_sha256):
        return IngestResult("duplicate")
    classification = mail.classification
    received_at, time_source = reached_us_at(delivered_at, parsed, clock)
    incoming = _incoming(parsed, classification, mail.raw, received_at, time_source)

    if classification.kind is Kind.BOUNCE:
        handled = _handle_bounce(mail, incoming, clock, intake)
        if handled is not None:
            return handled

    ours = {a for a in (account.sender_address, account.support_address) if a}
    if parsed.from_address and parsed.from_address in ours:
        # Our own reply, sent from elsewhere (Sent folder, BCC copy): record it where it belongs.
        ticket = _thread(mail, received_at, intake)
        if ticket is None:
            return IngestResult("duplicate", reason="our own message with no ticket to file it on")
        intake.before_change()
        actions.record_outbound_copy(ticket, incoming, clock=clock)
        intake.stored(ticket, mail)
        return IngestResult("ingested", ticket.pk, threaded=True, outgoing=True)

    counts_as_buyer = classification.needs_reply and classification.kind not in NO_REPLY_KINDS
    ticket = _thread(mail, received_at, intake)
    previous = None
    if (
        ticket is not None
        and counts_as_buyer
        and not rules.continues_ticket(ticket.status, ticket.closed_at, clock.now())
    ):
        previous, ticket = ticket, None
    if ticket is not None:
        intake.before_change()
        actions.add_inbound(ticket, incoming, counts_as_buyer=counts_as_buyer, clock=clock)
        intake.stored(ticket, mail)
        return IngestResult(
            "ingested", ticket.pk, threaded=True, linked_order=ticket.order_id is not None
        )

    # The order the message names (purchase or customer order number), else the most
    # recent order of the buyer behind the relay address.
    relay = classification.relay_address or parsed.from_address
    order, order_number, customer = intake.link_order(account, classification.order_numbers, relay)
    return intake.open_ticket(
        Opening(
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
        ),
        mail,
    )


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

    mail = read(raw, account, source)
    if isinstance(mail, Refused):
        return keep(mail.reason, mail.owner)
    try:
        with transaction.atomic():
            return file_message(mail, delivered_at, clock, DirectIntake(clock))
    except IntegrityError:
        # Another worker stored the same Message-ID between our check and our insert.
        return IngestResult("duplicate")
    except Exception as error:
        # Likewise for a filing bug or an unforeseen shape: one message, never the mailbox.
        log.exception("ingesting %s failed", source)
        return keep(f"could not be filed: {_describe(error)}", mail.account)


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(error)).strip()
