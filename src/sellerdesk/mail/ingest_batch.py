"""Taking a mailbox's messages in batches: one transaction, one query per kind of lookup,
and one INSERT per table for the batch's new tickets, instead of a transaction and a dozen
queries per message.

A batch files its messages in order through the same `file_message` as one-by-one
ingestion; only the intake differs. `BatchIntake` reads, for the whole batch at once, which
Message-IDs and raw sources we already hold, which tickets the batch's In-Reply-To,
References and reply tokens point at, each sender's recent tickets, and the orders and
buyers the batch names; then it remembers what each filed message stored, so a later
message of the batch sees an earlier one exactly as if that one had been committed first
(a reply and its parent in one batch thread together; a message twice in one batch is a
duplicate the second time). New tickets are held back and opened together
(`actions.open_tickets`) just before anything else is written, so rows still go in in the
order the messages came.

A message counts as taken only once its transaction commits: `taken` (the mailbox's UID or
Maildir bookkeeping) runs inside the batch's transaction. If anything in the batch fails,
the whole batch is rolled back and its messages are taken again one by one, each in its own
transaction, so a message that breaks filing is quarantined alone with its reason and the
others come in as usual. A message that cannot even be parsed needs no fallback: it is
quarantined inside the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Generic, TypeVar

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.mail.ingest import (
    CANDIDATE_FIELDS,
    CANDIDATES,
    IngestResult,
    OrderLink,
    Readable,
    Refused,
    file_message,
    ingest,
    latest_orders,
    linked,
    orders_numbered,
    quarantine,
    read,
)
from sellerdesk.mail.models import Mailbox
from sellerdesk.mail.parse import ParsedMessage
from sellerdesk.mail.threads import Candidate, Match, ThreadKeys, pick
from sellerdesk.orders.models import Order
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import Opening
from sellerdesk.tickets.models import Message, Ticket
from sellerdesk.tickets.rules import reply_token_of

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V", str, int)

# Messages per transaction: as many as an IMAP FETCH brings. Larger batches measured no
# faster (from 25 to 200 the per-batch queries and commit are already a small share) and
# hold SQLite's single write lock longer: a batch of 50 holds it for about a tenth of a
# second, which a web request waiting on the busy timeout does not notice.
BATCH_SIZE = 50
# ... and at most this many bytes of raw mail per batch, so a run of huge messages is not
# all held in memory, parsed, at once.
BATCH_BYTES = 16 * 1024 * 1024
# Values per IN (...) list: far below SQLite's variable limit, whatever the References
# headers of a batch hold.
IN_LIST = 500


@dataclass(frozen=True)
class RawMail(Generic[K]):
    """A message as a mailbox hands it over, with the key the mailbox remembers it by."""

    raw: bytes
    key: K
    delivered_at: datetime | None = None
    source: str = ""


def batches(
    mails: Iterable[RawMail[K]], *, size: int | None = None, max_bytes: int | None = None
) -> Iterator[list[RawMail[K]]]:
    """Consecutive runs of `mails`, each at most `size` messages (BATCH_SIZE) and
    `max_bytes` (BATCH_BYTES); a single larger message is a batch of its own."""
    size, max_bytes = size or BATCH_SIZE, max_bytes or BATCH_BYTES
    batch: list[RawMail[K]] = []
    held = 0
    for mail in mails:
        if batch and (len(batch) >= size or held + len(mail.raw) > max_bytes):
            yield batch
            batch, held = [], 0
        batch.append(mail)
        held += len(mail.raw)
    if batch:
        yield batch


def ingest_batch(
    mails: Sequence[RawMail[K]],
    *,
    account: SellerAccount,
    mailbox: Mailbox | None = None,
    clock: Clock = system_clock,
    taken: Callable[[Sequence[RawMail[K]]], None] = lambda mails: None,
) -> list[IngestResult]:
    """Take `mails` (in order) into `account`: one result per message, as `ingest` gives.
    `taken(mails)` is called inside the transaction that takes them: once for the whole
    batch, or once per message when the batch falls back to one by one."""
    # Parsing is the costliest pure step: done before the transaction, so the database
    # (SQLite's single writer) is held only for the lookups and writes.
    readings = [read(mail.raw, account, mail.source) for mail in mails]
    try:
        with transaction.atomic():
            intake = BatchIntake(
                account, [item for item in readings if isinstance(item, Readable)], clock
            )
            results = []
            for mail, item in zip(mails, readings, strict=True):
                if isinstance(item, Refused):
                    results.append(
                        quarantine(
                            mail.raw,
                            item.reason,
                            account=item.owner,
                            mailbox=mailbox,
                            source=mail.source,
                            delivered_at=mail.delivered_at,
                            clock=clock,
                        )
                    )
                else:
                    results.append(file_message(item, mail.delivered_at, clock, intake))
            intake.before_change()  # the batch's last new tickets
            taken(mails)
        return results
    except Exception:
        # Which message broke it is unknown: each goes again on its own, so only the bad
        # one is quarantined (with its reason) and the rest are filed as usual.
        log.warning(
            "a batch of %d messages (first: %s) failed; taking them one by one",
            len(mails),
            mails[0].source if mails else "",
            exc_info=True,
        )
    results = []
    for mail in mails:
        with transaction.atomic():
            result = ingest(
                mail.raw,
                account=account,
                mailbox=mailbox,
                delivered_at=mail.delivered_at,
                source=mail.source,
                clock=clock,
            )
            taken([mail])
        results.append(result)
    return results


def _chunks(values: Iterable[V], size: int = IN_LIST) -> Iterator[list[V]]:
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BatchIntake:
    """The intake of a batch of messages for one account: read in bulk on first use, then
    kept current with what the batch files (see the module docstring). Every answer is the
    one `DirectIntake` would give had the batch's earlier messages been committed.

    A new ticket held back has no id yet: it goes by a provisional negative key in the
    lookups, and keeps that key once inserted (`key_of`), so each ticket has one entry."""

    def __init__(self, account: SellerAccount, mails: Sequence[Readable], clock: Clock) -> None:
        self.account = account
        self.mails = mails
        self.clock = clock
        self.tickets: dict[int, Ticket] = {}  # by id: one instance per ticket
        self.held: list[tuple[int, Opening, IngestResult]] = []
        self.opened: dict[int, Ticket] = {}  # provisional key -> the ticket, once inserted
        self.key_of: dict[int, int] = {}  # id -> provisional key, for tickets opened here

    # --- duplicates -----------------------------------------------------------------------

    @cached_property
    def known_ids(self) -> set[str]:
        ids = (m.parsed.message_id[:500] for m in self.mails if m.parsed.message_id)
        found: set[str] = set()
        for chunk in _chunks(ids):
            found.update(
                Message.objects.filter(message_id__in=chunk).values_list("message_id", flat=True)
            )
        return found

    @cached_property
    def known_sources(self) -> set[str]:
        hashes = (m.raw_sha256 for m in self.mails if not m.parsed.message_id)
        found: set[str] = set()
        for chunk in _chunks(hashes):
            found.update(
                Message.objects.filter(raw_sha256__in=chunk).values_list("raw_sha256", flat=True)
            )
        return found

    def is_duplicate(self, parsed: ParsedMessage, raw_sha256: str) -> bool:
        if parsed.message_id:
            return parsed.message_id[:500] in self.known_ids
        return raw_sha256 in self.known_sources

    @cached_property
    def fresh(self) -> list[Readable]:
        """The batch's messages not already held: the only ones filed, so the only ones
        whose threading and order keys are looked up (and classified)."""
        return [m for m in self.mails if not self.is_duplicate(m.parsed, m.raw_sha256)]

    # --- threading ------------------------------------------------------------------------

    @cached_property
    def by_message_id(self) -> dict[str, int]:
        referenced = (i for m in self.fresh for i in (*m.parsed.in_reply_to, *m.parsed.references))
        found: dict[str, int] = {}
        for chunk in _chunks(referenced):
            # By the Message-ID index alone; the account is checked by loading the tickets
            # (joined, SQLite would walk the account's tickets instead).
            found.update(
                Message.objects.filter(message_id__in=chunk).values_list("message_id", "ticket_id")
            )
        self._load_tickets(set(found.values()))
        return {mid: pk for mid, pk in found.items() if pk in self.tickets}

    @cached_property
    def by_token(self) -> dict[str, int]:
        referenced = (i for m in self.fresh for i in (*m.parsed.in_reply_to, *m.parsed.references))
        tokens = (t for t in map(reply_token_of, referenced) if t)
        found: dict[str, int] = {}
        for chunk in _chunks(tokens):
            for token, pk, account_id in Ticket.objects.filter(reply_token__in=chunk).values_list(
                "reply_token", "pk", "account_id"
            ):
                if account_id == self.account.pk:
                    found[token] = pk
        self._load_tickets(set(found.values()))
        return found

    @cached_property
    def same_sender(self) -> dict[str, dict[int, Candidate]]:
        """Each sender's CANDIDATES most recent tickets, by ticket id."""
        senders = {m.parsed.from_address for m in self.fresh if m.parsed.from_address}
        found: dict[str, dict[int, Candidate]] = {sender: {} for sender in senders}
        for chunk in _chunks(senders):
            # By the relay address index; ranked per account, ours kept (see by_message_id).
            rows = (
                Ticket.objects.filter(relay_address__in=chunk)
                .annotate(
                    rank=Window(
                        RowNumber(),
                        partition_by=[F("account_id"), F("relay_address")],
                        order_by=F("last_message_at").desc(),
                    )
                )
                .filter(rank__lte=CANDIDATES)
                .values_list("account_id", "relay_address", *CANDIDATE_FIELDS)
            )
            for account_id, relay, pk, order_number, po, co, subject, last in rows:
                if account_id != self.account.pk:
                    continue
                found[relay][pk] = Candidate(
                    ticket_id=pk,
                    order_numbers=frozenset(n for n in (order_number, po, co) if n),
                    subject=subject,
                    last_message_at=last,
                )
        return found

    def match(self, account: SellerAccount, keys: ThreadKeys) -> Match | None:
        self._check(account)
        # The maps hold the whole batch's keys: `pick` looks up only this message's, in its
        # order of evidence, so the extra entries cannot change its answer.
        candidates = self.same_sender.get(keys.sender, {}) if keys.sender else {}
        newest = sorted(candidates.values(), key=lambda c: c.last_message_at, reverse=True)
        return pick(
            keys,
            by_message_id=self.by_message_id,
            by_token=self.by_token,
            same_sender=newest[:CANDIDATES],
        )

    def _load_tickets(self, pks: set[int]) -> None:
        # Every ticket the batch's references point at, in one query; the order comes along
        # because the deadline refresh reads it.
        for chunk in _chunks(pk for pk in pks if pk not in self.tickets):
            for ticket in Ticket.objects.filter(account=self.account, pk__in=chunk).select_related(
                "order"
            ):
                ticket.account = self.account
                self.tickets.setdefault(ticket.pk, ticket)

    def ticket(self, pk: int, account: SellerAccount) -> Ticket:
        """One instance per ticket for the whole batch: each action updates the instance it
        is given, so a later message of the batch sees the ticket as the earlier left it."""
        self._check(account)
        if pk < 0:
            # A ticket opened by this batch: a message is about to be filed on it.
            if pk not in self.opened:
                self.before_change()
            return self.opened[pk]
        if pk not in self.tickets:
            ticket = Ticket.objects.select_related("order").get(pk=pk, account=account)
            ticket.account = account
            self.tickets[pk] = ticket
        return self.tickets[pk]

    def adopt(self, ticket: Ticket) -> Ticket:
        return self.tickets.setdefault(ticket.pk, ticket)

    # --- order linking --------------------------------------------------------------------

    @cached_property
    def orders_named(self) -> list[Order]:
        """The account's orders carrying a number the batch names, most recent first."""
        numbers = [n for m in self.fresh for n in m.classification.order_numbers]
        found = [
            order for chunk in _chunks(numbers) for order in orders_numbered(self.account, chunk)
        ]
        return sorted(found, key=lambda order: (order.order_date, order.pk), reverse=True)

    @cached_property
    def buyers(self) -> dict[str, Customer]:
        relays = (m.classification.relay_address or m.parsed.from_address for m in self.fresh)
        found: dict[str, Customer] = {}
        for chunk in _chunks(relay for relay in relays if relay):
            for known in CustomerAddress.objects.filter(address__in=chunk).select_related(
                "customer"
            ):
                found[known.address] = known.customer
        return found

    @cached_property
    def latest_orders(self) -> dict[int, Order]:
        """Each of the batch's known buyers' most recent order in the account."""
        found: dict[int, Order] = {}
        for chunk in _chunks(customer.pk for customer in self.buyers.values()):
            found.update(latest_orders(self.account, chunk))
        return found

    def link_order(self, account: SellerAccount, numbers: Sequence[str], relay: str) -> OrderLink:
        self._check(account)
        wanted = set(numbers)
        for order in self.orders_named if wanted else ():
            if order.purchase_order_id in wanted or order.customer_order_id in wanted:
                return order, order.purchase_order_id, order.customer
        customer = self.buyers.get(relay) if relay else None
        return linked(numbers, self.latest_orders if customer is not None else {}, customer)

    # --- what the batch files -------------------------------------------------------------

    def open_ticket(self, opening: Opening, mail: Readable) -> IngestResult:
        """Held back until something else is written or the batch ends; the result gets its
        ticket id then."""
        key = -(len(self.opened) + len(self.held) + 1)
        result = IngestResult(
            "ingested", None, new_ticket=True, linked_order=opening.order is not None
        )
        self.held.append((key, opening, result))
        # As the ticket will read once inserted (see `_new_ticket`).
        self._remember(
            key,
            mail,
            opening.relay_address,
            _candidate(
                key,
                opening.order_number[:40],
                opening.order,
                opening.incoming.subject[:500],
                opening.incoming.received_at,
            ),
        )
        return result

    def before_change(self) -> None:
        if not self.held:
            return
        opened = actions.open_tickets([opening for _, opening, _ in self.held], clock=self.clock)
        for (key, _, result), (ticket, _) in zip(self.held, opened, strict=True):
            result.ticket_id = ticket.pk
            self.opened[key] = self.tickets[ticket.pk] = ticket
            self.key_of[ticket.pk] = key
        self.held = []

    def stored(self, ticket: Ticket, mail: Readable) -> None:
        key = self.key_of.get(ticket.pk, ticket.pk)
        self.tickets.setdefault(ticket.pk, ticket)
        self.by_token[ticket.reply_token] = key
        # New, or moved to the front by this message: among the sender's most recent.
        order = ticket.order if ticket.order_id else None
        self._remember(
            key,
            mail,
            ticket.relay_address,
            _candidate(key, ticket.order_number, order, ticket.subject, ticket.last_message_at),
        )

    def _remember(self, key: int, mail: Readable, relay: str, candidate: Candidate) -> None:
        if mail.parsed.message_id:
            self.known_ids.add(mail.parsed.message_id[:500])
            self.by_message_id[mail.parsed.message_id[:500]] = key
        self.known_sources.add(mail.raw_sha256)
        candidates = self.same_sender.get(relay)
        if candidates is not None:
            candidates[key] = candidate

    def _check(self, account: SellerAccount) -> None:
        if account.pk != self.account.pk:
            raise ValueError("a batch files mail for one account only")


def _candidate(
    key: int, order_number: str, order: Order | None, subject: str, last_message_at: datetime
) -> Candidate:
    """A ticket as threading compares it (what `CANDIDATE_FIELDS` read from the database)."""
    numbers = (order_number, *((order.purchase_order_id, order.customer_order_id) if order else ()))
    return Candidate(
        ticket_id=key,
        order_numbers=frozenset(n for n in numbers if n),
        subject=subject,
        last_message_at=last_message_at,
    )
