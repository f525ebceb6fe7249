"""Performance figures (issue 5, item 4): Seller Response Rate, first-response and resolution
times, reopen rate, breached inquiries and volumes, in total and per account, marketplace,
agent or channel.

Everything is read from stored rows (`Inquiry`, `Ticket`, `TicketEvent`): a report never
recomputes a ticket's history. Counts are aggregated in SQL; durations come back as a single
float column of seconds computed by the database, because parsing two datetimes per row in
Python is what made naive versions slow, and medians need the individual values anyway.

Definitions, all as of `now`, over the window [now - days, now]:

- Inquiries in the window are those *received* in it; tickets are those *created* in it.
  Anything recorded after `now` (an answer, a close, an event) is treated as not yet happened,
  so figures for a past moment are reproducible.
- Excluded inquiries (Amazon's "no response needed") count only in `inquiries` and
  `excluded`; every other inquiry figure leaves them out.
- Each other inquiry is exactly one of: answered (`answered_in_time` when answered_at <=
  due_at, else `answered_late`), closed without a reply, open past its deadline, or `pending`
  (open, deadline still ahead). `due_or_answered` is all but the pending ones, and
  Seller Response Rate = answered_in_time / due_or_answered (None when nothing is due):
  a close without a reply counts as not answered in time, as the clock decides.
- `breached`: answered late, open past the deadline, or closed without a reply after the
  deadline had passed. (Closed without a reply before the deadline lowers the rate but is not
  a breach: no deadline was missed while the inquiry was owed.)
- First response: answered_at - received_at of the answered inquiries.
- Resolution: created_at to the first time the ticket reached solved or closed (its first
  `status_changed` event to one of them; `Ticket.closed_at` when no event says so).
- Reopen rate: of the tickets created in the window that were resolved, the share that has a
  "reopened" event.
- Grouping: inquiries by the ticket's account, marketplace or channel, or by the agent who
  answered (`answered_by`; unanswered ones in the `None` group); tickets by account,
  marketplace, channel, or by assignee for `agent`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.sql.compiler import SQLCompiler

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.tickets.models import Inquiry, Ticket, TicketEvent

WINDOWS = (7, 30, 60, 90)
GROUPINGS = ("account", "marketplace", "agent", "channel")
# Walmart's bar: a real reply to at least 95 % of inquiries within the deadline.
RESPONSE_RATE_TARGET = 0.95
RESOLVED_STATUSES = (Ticket.Status.SOLVED.value, Ticket.Status.CLOSED.value)

_INQUIRY_GROUP = {
    "account": "account_id",
    "marketplace": "account__marketplace",
    "agent": "answered_by_id",
    "channel": "ticket__channel",
}
_TICKET_GROUP = {
    "account": "account_id",
    "marketplace": "account__marketplace",
    "agent": "assignee_id",
    "channel": "channel",
}

GroupKey = int | str | None


class SecondsBetween(Func):
    """`end - start` in seconds, as a float computed by the database (NULL if either is).

    Written per backend because Django's own datetime subtraction returns an interval that is
    converted row by row in Python, and there is no portable SQL for it."""

    arity = 2
    output_field = FloatField()

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Any:
        # Django stores aware datetimes in SQLite as UTC text, which julianday() reads; a
        # julian day is a double, precise to well under a millisecond at today's dates.
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Any:
        # EXTRACT returns numeric on PostgreSQL 14+; the cast keeps the column a float.
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s))::double precision)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        # Only reached on a backend without its own method above (settings allow no other).
        raise NotSupportedError(f"SecondsBetween is not written for {connection.vendor}")


@dataclass
class _Tally:
    """The figures of one group (or of everything) while they are being added up."""

    counts: Counter[str] = field(default_factory=Counter)
    first_response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)
    by_intent: Counter[str] = field(default_factory=Counter)
    by_root_cause: Counter[str] = field(default_factory=Counter)

    def add(self, other: _Tally) -> None:
        self.counts.update(other.counts)
        self.first_response.extend(other.first_response)
        self.resolution.extend(other.resolution)
        self.by_intent.update(other.by_intent)
        self.by_root_cause.update(other.by_root_cause)


def _inquiry_counts(now: datetime) -> dict[str, Count]:
    rated = Q(excluded=False)
    answered = Q(answered_at__lte=now)
    unanswered = Q(answered_at__isnull=True) | Q(answered_at__gt=now)
    closed = Q(closed_at__lte=now)
    still_open = Q(closed_at__isnull=True) | Q(closed_at__gt=now)
    # Named apart from the model's fields: an aggregate called "excluded" would shadow the
    # column in the other filters and nest one COUNT in another.
    counts = {
        "inquiries": Count("pk"),
        "excluded": Count("pk", filter=Q(excluded=True)),
        "answered_in_time": Count("pk", filter=rated & answered & Q(answered_at__lte=F("due_at"))),
        "answered_late": Count("pk", filter=rated & answered & Q(answered_at__gt=F("due_at"))),
        "closed_without_reply": Count("pk", filter=rated & unanswered & closed),
        "closed_after_due_without_reply": Count(
            "pk", filter=rated & unanswered & closed & Q(closed_at__gt=F("due_at"))
        ),
        "overdue_open": Count("pk", filter=rated & unanswered & still_open & Q(due_at__lt=now)),
        "pending": Count("pk", filter=rated & unanswered & still_open & Q(due_at__gte=now)),
    }
    return {f"n_{name}": aggregate for name, aggregate in counts.items()}


def _grouped_rows(
    queryset: QuerySet[Any], group: str | None, aggregates: dict[str, Count]
) -> list[tuple[GroupKey, dict[str, int]]]:
    if group is None:
        return [(None, queryset.aggregate(**aggregates))]
    # order_by() drops any default ordering, which would otherwise join the GROUP BY.
    rows = queryset.order_by().values(group).annotate(**aggregates)
    return [(row.pop(group), row) for row in rows]


def _tally_inquiries(
    inquiries: QuerySet[Inquiry], group: str | None, now: datetime, tallies: dict[GroupKey, _Tally]
) -> None:
    for key, counts in _grouped_rows(inquiries, group, _inquiry_counts(now)):
        tallies.setdefault(key, _Tally()).counts.update(
            {name.removeprefix("n_"): value for name, value in counts.items()}
        )
    answered = inquiries.filter(excluded=False, answered_at__lte=now).order_by()
    seconds = SecondsBetween(F("answered_at"), F("received_at"))
    if group is None:
        tally = tallies.setdefault(None, _Tally())
        tally.first_response.extend(answered.values_list(seconds, flat=True))
    else:
        for key, value in answered.values_list(group, seconds):
            tallies.setdefault(key, _Tally()).first_response.append(value)


def _tally_tickets(
    tickets: QuerySet[Ticket], group: str | None, now: datetime, tallies: dict[GroupKey, _Tally]
) -> None:
    first_resolved = (
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"),
            kind="status_changed",
            data__status__in=RESOLVED_STATUSES,
            created_at__lte=now,
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    # Both parts are already limited to `now`, so a NULL means "not resolved yet" and the
    # duration needs no second test (which would evaluate the subquery twice).
    resolved_at = Coalesce(
        Subquery(first_resolved), Case(When(closed_at__lte=now, then=F("closed_at")))
    )
    reopened = Exists(
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind="reopened", created_at__lte=now)
    )
    columns: list[Any] = ["intent", "root_cause", SecondsBetween(resolved_at, F("created_at"))]
    columns.append(reopened)
    if group is not None:
        columns.append(group)
    # One pass over the window's tickets: counting in Python is cheaper than running the
    # correlated subqueries again for each figure.
    rows = list(tickets.order_by().values_list(*columns))
    buckets: dict[GroupKey, list[tuple[Any, ...]]] = {}
    if group is None:
        buckets[None] = rows
    else:
        for row in rows:
            buckets.setdefault(row[4], []).append(row)
    # Counter() and comprehensions over each bucket run in C; a per-row loop doing the same
    # updates was a third of the time on 50,000 tickets.
    for key, bucket in buckets.items():
        tally = tallies.setdefault(key, _Tally())
        resolved = [row for row in bucket if row[2] is not None]
        tally.counts["tickets"] += len(bucket)
        tally.counts["resolved"] += len(resolved)
        tally.counts["reopened"] += sum(1 for row in resolved if row[3])
        tally.resolution.extend(row[2] for row in resolved)
        tally.by_intent.update(row[0] or "none" for row in bucket)
        tally.by_root_cause.update(row[1] or "none" for row in bucket)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _durations(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "mean_seconds": None, "median_seconds": None}
    # Rounded to the millisecond: finer digits are floating-point noise of the database's
    # arithmetic and would make SQLite and PostgreSQL disagree.
    return {
        "count": len(values),
        "mean_seconds": round(statistics.fmean(values), 3),
        "median_seconds": round(statistics.median(values), 3),
    }


def _summarise(tally: _Tally) -> dict[str, Any]:
    c = tally.counts
    rated = c["inquiries"] - c["excluded"]
    due_or_answered = rated - c["pending"]
    answered = c["answered_in_time"] + c["answered_late"]
    return {
        "inquiries": c["inquiries"],
        "excluded": c["excluded"],
        "pending": c["pending"],
        "due_or_answered": due_or_answered,
        "answered": answered,
        "answered_in_time": c["answered_in_time"],
        "answered_late": c["answered_late"],
        "closed_without_reply": c["closed_without_reply"],
        "breached": c["answered_late"] + c["overdue_open"] + c["closed_after_due_without_reply"],
        "response_rate": _ratio(c["answered_in_time"], due_or_answered),
        "response_rate_target": RESPONSE_RATE_TARGET,
        "first_response": _durations(tally.first_response),
        "tickets": c["tickets"],
        "resolved": c["resolved"],
        "reopened": c["reopened"],
        "reopen_rate": _ratio(c["reopened"], c["resolved"]),
        "resolution": _durations(tally.resolution),
        "by_intent": dict(sorted(tally.by_intent.items())),
        "by_root_cause": dict(sorted(tally.by_root_cause.items())),
    }


def _labels(by: str, keys: Iterable[GroupKey]) -> dict[GroupKey, str]:
    present = [k for k in keys if k is not None]
    if by == "account":
        return dict(SellerAccount.objects.filter(pk__in=present).values_list("pk", "name"))
    if by == "agent":
        user_model = get_user_model()
        users = user_model.objects.filter(pk__in=present)
        labels: dict[GroupKey, str] = {user.pk: user.get_username() for user in users}
        # Unanswered inquiries and unassigned tickets have no agent.
        labels[None] = "(nobody)"
        return labels
    choices = dict(
        SellerAccount.Marketplace.choices if by == "marketplace" else Ticket.Channel.choices
    )
    return {key: str(choices.get(str(key), key)) for key in present}


def figures(
    account_ids: Sequence[int] | None,
    *,
    days: int,
    now: datetime,
    by: str | None = None,
) -> dict[str, Any]:
    """The figures over the `days` before `now`, for the given accounts (None: all of them).

    Returns JSON-ready data with stable keys (see the module docstring for what each means);
    with `by`, also a `groups` list holding the same figures for each account, marketplace,
    agent or channel, ordered by label.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}: choose one of {', '.join(GROUPINGS)}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    since = now - timedelta(days=days)
    inquiries = Inquiry.objects.filter(received_at__gte=since, received_at__lte=now)
    tickets = Ticket.objects.filter(created_at__gte=since, created_at__lte=now)
    if account_ids is not None:
        inquiries = inquiries.filter(account_id__in=list(account_ids))
        tickets = tickets.filter(account_id__in=list(account_ids))

    tallies: dict[GroupKey, _Tally] = {}
    _tally_inquiries(inquiries, _INQUIRY_GROUP[by] if by else None, now, tallies)
    _tally_tickets(tickets, _TICKET_GROUP[by] if by else None, now, tallies)

    # The groups partition every inquiry and ticket, so the totals are their sum: one set of
    # queries serves both.
    total = _Tally()
    for tally in tallies.values():
        total.add(tally)
    data: dict[str, Any] = {
        "as_of": now.isoformat(),
        "since": since.isoformat(),
        "days": days,
        "by": by,
        **_summarise(total),
    }
    if by is not None:
        labels = _labels(by, tallies)
        groups = [
            {"key": key, "label": labels.get(key, str(key)), **_summarise(tally)}
            for key, tally in tallies.items()
            if tally.counts["inquiries"] or tally.counts["tickets"]
        ]
        # Named groups alphabetically, the "nobody" group last.
        groups.sort(key=lambda g: (g["key"] is None, str(g["label"]).casefold(), str(g["key"])))
        data["groups"] = groups
    return data
