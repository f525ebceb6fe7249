"""The inbox: which tickets a user sees, in triage order, a page at a time, and the counts of
the saved views. Views call these; access goes through `tickets.access.visible_tickets`.

Triage order (what a support lead works by):
  1. pinned: under `PIN_WINDOW` (2 hours) left and not yet breached, least time left first.
     These can still be saved, so they come before everything else;
  2. breached: the deadline has passed, most overdue first. The marketplace already counts
     them late, but the buyer still waits, so they follow straight after;
  3. the rest of the tickets that owe a reply, least time left first;
  4. tickets that owe nothing (waiting on the buyer or the warehouse, answered), newest
     activity first.
The 2-hour window is the issue's rule and the default at-risk threshold of the deadline
sweep; it is applied here to `due_at` at the time of the request rather than to the stored
`sla_state`, which the sweep refreshes only once a minute.

Pages are keyset pages: each segment above is read with its own index range (`due_at`, or
`last_message_at` for the last one) starting after the previous page's last row, so the 50th
page costs what the first does. Because the segments are defined by "now", a ticket can move
between segments while an agent pages; a page may then repeat or skip it, which an inbox that
is refreshed live can afford (an OFFSET would have the same effect with every new ticket).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber, Substr

from sellerdesk.team.access import AnyUser
from sellerdesk.tickets.access import visible_tickets
from sellerdesk.tickets.actions.core import NOT_ANSWERED_KINDS
from sellerdesk.tickets.models import Message, Ticket

PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PIN_WINDOW = timedelta(hours=2)
ACTIVE_STATUSES = (
    Ticket.Status.NEW,
    Ticket.Status.OPEN,
    Ticket.Status.PENDING,
    Ticket.Status.WAITING_ON_WAREHOUSE,
)
# Marketplace notices that put the account's standing at stake (mail/classify.py kinds):
# Walmart cases and Customer Care escalations, Amazon A-to-z claims, and BBB / Attorney
# General complaints. Buyer messages, informational notices and system mail are not cases.
CASE_KINDS = ("walmart_case", "walmart_escalation", "amazon_atoz", "complaint_bbb_ag")
# How much of a message the row needs: enough for its first line, without reading whole
# bodies (a buyer message can be megabytes) for fifty rows.
PREVIEW_CHARS = 400
PREVIEW_LINE = 160

# What a row shows: loading only these keeps fifty rows (and their accounts, with their
# settings and JSON columns) cheap. Anything else a template reads would cost a query per
# row, which the inbox's pinned query count would catch.
ROW_FIELDS = (
    "account__marketplace",
    "account__name",
    "assignee__username",
    "customer__name",
    "due_at",
    "intent",
    "kind",
    "last_message_at",
    "merged_into",
    "one_hour_deadline",
    "order",
    "order_number",
    "relay_address",
    "sla_state",
    "snoozed_until",
    "status",
    "subject",
    "version",
)

# The saved views, in the order the inbox lists them.
VIEWS: dict[str, str] = {
    "mine": "My open",
    "unassigned": "Unassigned",
    "breaching": "Breaching soon",
    "cases": "Cases and escalations",
    "warehouse": "Waiting on warehouse",
    "snoozed": "Snoozed",
}
SLA_FILTERS: dict[str, str] = {
    "at_risk": "At risk (under 2 h)",
    "breached": "Breached",
    "urgent": "At risk or breached",
}
ASSIGNEE_FILTERS: dict[str, str] = {"me": "Me", "none": "Unassigned"}
ORDER_FILTERS: dict[str, str] = {"with": "With an order", "without": "Without an order"}


class Segment(IntEnum):
    PINNED = 0
    BREACHED = 1
    LATER = 2
    NO_DEADLINE = 3


@dataclass(frozen=True)
class Cursor:
    """The sort key of the last row of a page: where the next page starts."""

    segment: Segment
    at: datetime  # due_at, or last_message_at in the NO_DEADLINE segment
    pk: int

    def encode(self) -> str:
        # Integer microseconds (a float timestamp can be off by one, and the cursor must
        # equal the stored value exactly for ties to resolve by id).
        micros = (self.at - EPOCH) // timedelta(microseconds=1)
        return f"{int(self.segment)}.{micros}.{self.pk}"

    @classmethod
    def decode(cls, raw: str) -> Cursor | None:
        """None for anything malformed: the inbox then starts at its first page."""
        try:
            segment, micros, pk = raw.split(".")
            return cls(Segment(int(segment)), EPOCH + timedelta(microseconds=int(micros)), int(pk))
        except (ValueError, OverflowError, OSError):
            return None


@dataclass(frozen=True)
class InboxFilters:
    """What the agent asked to see. Unknown values are dropped rather than refused: a stale
    bookmark still opens the inbox."""

    view: str = ""
    account: int | None = None
    marketplace: str = ""
    status: str = ""  # "": the active statuses; "all": every status; else one status
    assignee: str = ""  # "": anyone; "me"; "none"
    intent: str = ""
    tag: str = ""
    sla: str = ""
    order: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> InboxFilters:
        def pick(name: str, allowed: Mapping[str, object] | tuple[str, ...]) -> str:
            value = data.get(name, "")
            return value if value in allowed else ""

        account = data.get("account", "")
        return cls(
            view=pick("view", VIEWS),
            account=int(account) if account.isdigit() and len(account) < 19 else None,
            marketplace=pick("marketplace", ("walmart", "amazon")),
            status=pick("status", (*Ticket.Status.values, "all")),
            assignee=pick("assignee", ASSIGNEE_FILTERS),
            intent=data.get("intent", "")[:30],
            tag=data.get("tag", "")[:60],
            sla=pick("sla", SLA_FILTERS),
            order=pick("order", ORDER_FILTERS),
        )

    def as_query(self) -> dict[str, str]:
        """The non-empty filters, for links that keep them."""
        return {
            name: str(value)
            for name, value in dataclasses.asdict(self).items()
            if value not in ("", None)
        }

    @property
    def active(self) -> bool:
        """Whether any filter besides the saved view is set."""
        return bool({k for k in self.as_query() if k != "view"})


def _not_merged(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    if connections[tickets.db].vendor == "sqlite":
        # Written so that no index can serve it: nearly every ticket has merged_into NULL,
        # but SQLite's statistics count each NULL as a distinct value, so a plain IS NULL
        # looks like a one-row lookup on the merged_into index and wins over the deadline
        # index. PostgreSQL knows the share of NULLs, and would misjudge the expression
        # instead (and choose a sort of every matching row), so it gets the plain test.
        return tickets.alias(merged=Coalesce("merged_into_id", 0)).filter(merged=0)
    return tickets.filter(merged_into__isnull=True)


def _awake(now: datetime) -> Q:
    return Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)


def statuses_of(filters: InboxFilters) -> tuple[str, ...]:
    """The statuses the view and filters allow (possibly none)."""
    if filters.status == "":
        statuses: tuple[str, ...] = ACTIVE_STATUSES
    elif filters.status == "all":
        statuses = tuple(Ticket.Status.values)
    else:
        statuses = (filters.status,)
    if filters.view == "warehouse":
        statuses = tuple(s for s in statuses if s == Ticket.Status.WAITING_ON_WAREHOUSE)
    return statuses


def filtered_tickets(
    tickets: QuerySet[Ticket], user: AbstractBaseUser, filters: InboxFilters, now: datetime
) -> QuerySet[Ticket]:
    """`tickets` (already limited to what the user may see) narrowed to the view and filters.
    Merged tickets never show; snoozed ones only in the Snoozed view."""
    qs = _not_merged(tickets)
    view = filters.view
    qs = qs.filter(snoozed_until__gt=now) if view == "snoozed" else qs.filter(_awake(now))
    qs = qs.filter(status__in=statuses_of(filters))
    if view == "mine":
        qs = qs.filter(assignee_id=user.pk)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif view == "breaching":
        # Breached ones too: they still owe the buyer, and hiding them from the urgent view
        # would hide the worst of it.
        qs = qs.filter(due_at__lte=now + PIN_WINDOW)
    elif view == "cases":
        qs = qs.filter(kind__in=CASE_KINDS)
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.marketplace:
        qs = qs.filter(account__marketplace=filters.marketplace)
    if filters.assignee == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    if filters.intent:
        qs = qs.filter(intent=filters.intent)
    if filters.tag:
        tagged = Ticket.tags.through.objects.filter(tag__name=filters.tag).values("ticket_id")
        qs = qs.filter(pk__in=tagged)
    if filters.sla == "at_risk":
        qs = qs.filter(due_at__gt=now, due_at__lte=now + PIN_WINDOW)
    elif filters.sla == "breached":
        qs = qs.filter(due_at__lte=now)
    elif filters.sla == "urgent":
        qs = qs.filter(due_at__lte=now + PIN_WINDOW)
    if filters.order == "with":
        qs = qs.filter(Q(order__isnull=False) | ~Q(order_number=""))
    elif filters.order == "without":
        qs = qs.filter(order__isnull=True, order_number="")
    return qs


def _segment(qs: QuerySet[Ticket], segment: Segment, now: datetime) -> QuerySet[Ticket]:
    soon = now + PIN_WINDOW
    if segment is Segment.PINNED:
        return qs.filter(due_at__gt=now, due_at__lte=soon).order_by("due_at", "pk")
    if segment is Segment.BREACHED:
        return qs.filter(due_at__lte=now).order_by("due_at", "pk")
    if segment is Segment.LATER:
        return qs.filter(due_at__gt=soon).order_by("due_at", "pk")
    return qs.filter(due_at__isnull=True).order_by("-last_message_at", "-pk")


def _after(qs: QuerySet[Ticket], cursor: Cursor) -> QuerySet[Ticket]:
    # The plain bound (>= / <=) is what lets the index range start at the cursor; the OR
    # that breaks ties by id only filters within it. Without it the 50th page would walk
    # every row of the 49 before.
    if cursor.segment is Segment.NO_DEADLINE:
        return qs.filter(
            Q(last_message_at__lt=cursor.at) | Q(pk__lt=cursor.pk),
            last_message_at__lte=cursor.at,
        )
    return qs.filter(Q(due_at__gt=cursor.at) | Q(pk__gt=cursor.pk), due_at__gte=cursor.at)


def _cursor_of(ticket: Ticket, segment: Segment) -> Cursor:
    at = ticket.last_message_at if segment is Segment.NO_DEADLINE else ticket.due_at
    assert at is not None
    return Cursor(segment, at, ticket.pk)


def _page_keys(
    qs: QuerySet[Ticket],
    statuses: tuple[str, ...],
    after: Cursor | None,
    now: datetime,
    limit: int,
) -> list[tuple[Segment, int]]:
    """The first `limit` tickets in triage order after `after`, as (segment, id): one
    query, each remaining segment a LIMITed index range, joined with UNION ALL so the number
    of queries does not depend on where a page ends.

    The last segment is read once per status (`status = X AND due_at IS NULL`, newest
    first, is an ordered walk of the by-status index; `status IN (...)` would have to sort
    every such ticket) and merged here with the others."""
    parts: list[tuple[Segment, QuerySet[Ticket]]] = []
    first = after.segment if after is not None else Segment.PINNED
    for segment in Segment:
        if segment < first:
            continue
        part = _segment(qs, segment, now)
        if after is not None and segment == after.segment:
            part = _after(part, after)
        if segment is Segment.NO_DEADLINE:
            parts += [(segment, part.filter(status=status)) for status in statuses]
        else:
            parts.append((segment, part))
    sqls: list[str] = []
    params: list[Any] = []
    for n, (segment, part) in enumerate(parts):
        key = "last_message_at" if segment is Segment.NO_DEADLINE else "due_at"
        keys = part.values("id", key)[:limit]
        try:
            sql, part_params = keys.query.get_compiler(using=keys.db).as_sql()
        except EmptyResultSet:  # nothing can match (a user who may see no account)
            continue
        # Only Django-compiled SQL (values stay in `params`) and our own integers.
        sqls.append(f"SELECT {int(segment)}, s{n}.* FROM ({sql}) s{n}")  # noqa: S608
        params.extend(part_params)
    if not sqls:
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sqls), params)
        rows = cursor.fetchall()
    # Sorted on the values as the database returned them (SQLite: its datetime text, which
    # orders like the datetimes): the order each part's ORDER BY used, merged across parts.
    by_segment: dict[int, list[tuple[Any, int]]] = {}
    for segment_number, pk, at in rows:
        by_segment.setdefault(segment_number, []).append((at, pk))
    ordered: list[tuple[Segment, int]] = []
    for segment in Segment:
        found = sorted(by_segment.get(segment, ()), reverse=segment is Segment.NO_DEADLINE)
        ordered += [(segment, pk) for _, pk in found]
    return ordered[:limit]


@dataclass
class InboxPage:
    tickets: list[Ticket] = field(default_factory=list)
    next_cursor: Cursor | None = None


def first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= PREVIEW_LINE else line[: PREVIEW_LINE - 1] + "…"
    return ""


def _latest_buyer_messages(ticket_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Per ticket, the first line of its latest message from the buyer (or the marketplace
    notice), and the sender's name: one query, ranked per ticket."""
    latest = (
        Message.objects.filter(ticket_id__in=ticket_ids, direction=Message.Direction.INBOUND)
        .exclude(kind__in=NOT_ANSWERED_KINDS)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("ticket_id")],
                order_by=[F("received_at").desc(), F("pk").desc()],
            ),
            new_head=Substr("new_text", 1, PREVIEW_CHARS),
            text_head=Substr("text", 1, PREVIEW_CHARS),
        )
        .filter(rank=1)
        .values_list("ticket_id", "new_head", "text_head", "sender_name")
    )
    return {
        ticket_id: (first_line(new_head) or first_line(text_head), sender_name)
        for ticket_id, new_head, text_head, sender_name in latest
    }


def inbox_page(
    user: AbstractBaseUser,
    filters: InboxFilters,
    *,
    after: Cursor | None = None,
    now: datetime,
    size: int = PAGE_SIZE,
    visible: QuerySet[Ticket] | None = None,
) -> InboxPage:
    """One page of the inbox. Each ticket carries `inbox_segment` (a `Segment`), `preview`
    (first line of the latest buyer message) and `buyer` (a name to show). `visible`: the
    user's `visible_tickets`, when the caller already has them."""
    statuses = statuses_of(filters)
    if not statuses:
        return InboxPage()
    if visible is None:
        visible = visible_tickets(user)
    qs = filtered_tickets(visible, user, filters, now)
    keys = _page_keys(qs, statuses, after, now, size + 1)
    if not keys:
        return InboxPage()
    page_keys = keys[:size]
    ids = [pk for _, pk in page_keys]
    rows = {
        ticket.pk: ticket
        for ticket in Ticket.objects.filter(pk__in=ids)
        .select_related("account", "customer", "assignee")
        .only(*ROW_FIELDS)
    }
    # Tag names in one plain query: cheaper than prefetching Tag objects and a manager per row.
    tag_names: dict[int, list[str]] = {}
    for ticket_id, name in (
        Ticket.tags.through.objects.filter(ticket_id__in=ids)
        .order_by("tag__name")
        .values_list("ticket_id", "tag__name")
    ):
        tag_names.setdefault(ticket_id, []).append(name)
    latest = _latest_buyer_messages(ids)
    tickets = []
    for segment, pk in page_keys:
        ticket = rows.get(pk)
        if ticket is None:  # deleted between the two reads
            continue
        preview, sender_name = latest.get(pk, ("", ""))
        # Worked out here once rather than by the template per row: the inbox renders
        # fifty rows on every refresh.
        ticket.inbox_segment = segment  # type: ignore[attr-defined]
        ticket.preview = preview  # type: ignore[attr-defined]
        ticket.buyer = (  # type: ignore[attr-defined]
            (ticket.customer.name if ticket.customer else "") or sender_name or ticket.relay_address
        )
        ticket.tag_names = tag_names.get(pk, [])  # type: ignore[attr-defined]
        tickets.append(ticket)
    next_cursor = None
    if len(keys) > size and tickets:
        last = tickets[-1]
        next_cursor = _cursor_of(last, last.inbox_segment)  # type: ignore[attr-defined]
    return InboxPage(tickets=tickets, next_cursor=next_cursor)


def view_counts(
    user: AnyUser, *, now: datetime, visible: QuerySet[Ticket] | None = None
) -> dict[str, int]:
    """The count of every saved view, in one query over the user's active tickets."""
    awake = _awake(now)
    if visible is None:
        visible = visible_tickets(user)
    counts = (
        _not_merged(visible)
        .filter(status__in=ACTIVE_STATUSES)
        .aggregate(
            mine=Count("pk", filter=awake & Q(assignee_id=user.pk)),
            unassigned=Count("pk", filter=awake & Q(assignee__isnull=True)),
            breaching=Count("pk", filter=awake & Q(due_at__lte=now + PIN_WINDOW)),
            cases=Count("pk", filter=awake & Q(kind__in=CASE_KINDS)),
            warehouse=Count("pk", filter=awake & Q(status=Ticket.Status.WAITING_ON_WAREHOUSE)),
            snoozed=Count("pk", filter=Q(snoozed_until__gt=now)),
        )
    )
    return {name: int(counts[name] or 0) for name in VIEWS}
