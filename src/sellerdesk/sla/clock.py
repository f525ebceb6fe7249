"""The SLA clock: from a ticket's history to its inquiries, deadlines and state.

Pure (standard library only): callers turn their rows into `ClockEvent`s, pass the ticket's
`Policy` and the current time, and store what `compute` returns.

Rules (issue 5):

- An inquiry starts with the first buyer message that finds no inquiry open; further buyer
  messages while it is open join it, and its deadline counts from the first.
- The first real reply (`ReplyState.SENT`) answers every open inquiry received at or before
  it. Held, queued, failed, bounced or uncertain replies answer nothing: the buyer may never
  have seen them. Automatic replies and notes never answer (marketplaces say so).
- "No response needed" closes open inquiries only when the policy honours it (Amazon); they
  are then excluded from the response rate. Elsewhere the event is ignored.
- A status change to solved or closed closes open inquiries without a reply; they count as
  not answered in time. A buyer message afterwards opens a new inquiry.
- Two refinements keep common sequences from being miscounted. "Send and solve" records the
  status change when the agent clicks but the reply when SMTP accepts it, seconds later; so a
  real reply still answers inquiries closed by a status change as long as no newer inquiry
  has opened since. Likewise "no response needed" marked just after solving still excludes
  those inquiries.

Events are processed in the order (instant, precedence, ref), so the result never depends on
the order they are passed in. Precedence at the same instant: status change, then buyer
message, then replies / automatic replies / notes, then "no response needed". Hence a reply
answers messages received at or before its instant, a buyer message arriving the instant a
ticket is solved stays owed, and "no response needed" applies to a message of the same instant.

All datetimes returned are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sellerdesk.sla.calendar import add_working_time, working_time_between
from sellerdesk.sla.policies import Policy

__all__ = [
    "ClockEvent",
    "ClockResult",
    "EventKind",
    "InquiryResult",
    "ReplyState",
    "SlaState",
    "compute",
    "deadline",
    "time_left",
    "working_time_between",
]

SOLVED_WITHOUT_REPLY = "solved_without_reply"
NO_RESPONSE_NEEDED = "no_response_needed"
# Statuses that end the seller's obligation from our side (tickets.models.Ticket.Status).
_CLOSING_STATUSES = frozenset({"solved", "closed"})


class EventKind(StrEnum):
    BUYER_MESSAGE = "buyer_message"
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    NO_RESPONSE_NEEDED = "no_response_needed"
    NOTE = "note"
    STATUS_CHANGE = "status_change"


class ReplyState(StrEnum):
    SENT = "sent"
    HELD = "held"
    QUEUED = "queued"
    FAILED = "failed"
    BOUNCED = "bounced"
    UNCERTAIN = "uncertain"


class SlaState(StrEnum):
    NONE = "none"
    OK = "ok"
    AT_RISK = "at_risk"
    BREACHED = "breached"


# Same-instant order; see the module docstring for why.
_PRECEDENCE: dict[EventKind, int] = {
    EventKind.STATUS_CHANGE: 0,
    EventKind.BUYER_MESSAGE: 1,
    EventKind.REPLY: 2,
    EventKind.AUTO_REPLY: 2,
    EventKind.NOTE: 2,
    EventKind.NO_RESPONSE_NEEDED: 3,
}


@dataclass(frozen=True)
class ClockEvent:
    """One thing that happened on a ticket.

    `at`: for a buyer message, when it reached us (not the sender's Date header); for a reply,
    when SMTP accepted it. `ref` is a stable id ("message:12", "event:40") used to break ties
    and to say which message opened or answered an inquiry.
    """

    kind: EventKind
    at: datetime
    ref: str
    actor: str | None = None
    reply_state: ReplyState | None = None
    status: str | None = None

    def __post_init__(self) -> None:
        # A naive timestamp would be silently read in the server's zone; refuse it at the door.
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"ClockEvent {self.ref!r} has a naive datetime")


@dataclass(frozen=True)
class InquiryResult:
    opened_by: str
    received_at: datetime
    due_at: datetime
    answered_at: datetime | None
    answered_by: str | None
    answered_actor: str | None
    closed_at: datetime | None
    closed_reason: str | None
    # True / False once decided; None while still running, or when excluded.
    in_time: bool | None
    excluded: bool


@dataclass(frozen=True)
class ClockResult:
    inquiries: tuple[InquiryResult, ...]
    due_at: datetime | None
    state: SlaState
    first_response_at: datetime | None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the SLA clock needs aware datetimes")
    return moment.astimezone(UTC)


def deadline(received_at: datetime, policy: Policy) -> datetime:
    """When a reply to a message received at `received_at` is due (UTC): `reply_within` of
    real time, or of working time on `policy.calendar`."""
    return add_working_time(received_at, policy.reply_within, policy.calendar)


def time_left(due_at: datetime, now: datetime, policy: Policy) -> timedelta:
    """Time left until `due_at`, on the policy's clock; negative once overdue."""
    return working_time_between(now, due_at, policy.calendar)


@dataclass
class _Inquiry:
    """Mutable while the events are replayed; frozen into an `InquiryResult` at the end."""

    opened_by: str
    received_at: datetime
    due_at: datetime
    answered_at: datetime | None = None
    answered_by: str | None = None
    answered_actor: str | None = None
    closed_at: datetime | None = None
    closed_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.closed_at is None

    def answer(self, event: ClockEvent, at: datetime) -> None:
        self.answered_at, self.answered_by, self.answered_actor = at, event.ref, event.actor
        # Answered after all (send-and-solve): no longer "closed without a reply".
        self.closed_at = self.closed_reason = None

    def close(self, at: datetime, reason: str) -> None:
        self.closed_at, self.closed_reason = at, reason

    def result(self, now: datetime) -> InquiryResult:
        excluded = self.closed_reason == NO_RESPONSE_NEEDED
        in_time: bool | None
        if excluded:
            in_time = None
        elif self.answered_at is not None:
            in_time = self.answered_at <= self.due_at
        elif self.closed_at is not None:
            in_time = False
        else:
            in_time = False if now > self.due_at else None
        return InquiryResult(
            opened_by=self.opened_by,
            received_at=self.received_at,
            due_at=self.due_at,
            answered_at=self.answered_at,
            answered_by=self.answered_by,
            answered_actor=self.answered_actor,
            closed_at=self.closed_at,
            closed_reason=self.closed_reason,
            in_time=in_time,
            excluded=excluded,
        )


def _sort_key(event: ClockEvent) -> tuple[datetime, int, str]:
    return _utc(event.at), _PRECEDENCE[event.kind], event.ref


class _Replay:
    """Applies sorted events one by one."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.inquiries: list[_Inquiry] = []
        # Inquiries closed by a status change since the latest inquiry opened: a real reply or
        # "no response needed" may still settle them (see the module docstring).
        self.closed_recently: list[_Inquiry] = []
        self.first_response_at: datetime | None = None

    def open_ones(self) -> list[_Inquiry]:
        return [inquiry for inquiry in self.inquiries if inquiry.is_open]

    def apply(self, event: ClockEvent) -> None:
        at = _utc(event.at)
        if event.kind is EventKind.BUYER_MESSAGE:
            self._buyer_message(event, at)
        elif event.kind is EventKind.REPLY and event.reply_state is ReplyState.SENT:
            self._real_reply(event, at)
        elif event.kind is EventKind.NO_RESPONSE_NEEDED and self.policy.honours_no_response_needed:
            for inquiry in self.open_ones() + self.closed_recently:
                inquiry.close(at, NO_RESPONSE_NEEDED)
            self.closed_recently = []
        elif event.kind is EventKind.STATUS_CHANGE and event.status in _CLOSING_STATUSES:
            for inquiry in self.open_ones():
                inquiry.close(at, SOLVED_WITHOUT_REPLY)
                self.closed_recently.append(inquiry)
        # Anything else (auto-replies, notes, unsent replies, other statuses, "no response
        # needed" where the marketplace has no such thing) leaves the clock as it is.

    def _buyer_message(self, event: ClockEvent, at: datetime) -> None:
        if self.open_ones():
            return  # joins the open inquiry; its deadline still counts from the first message
        self.inquiries.append(_Inquiry(event.ref, at, deadline(at, self.policy)))
        self.closed_recently = []

    def _real_reply(self, event: ClockEvent, at: datetime) -> None:
        answerable = [
            inquiry
            for inquiry in self.open_ones() + self.closed_recently
            if inquiry.received_at <= at
        ]
        for inquiry in answerable:
            inquiry.answer(event, at)
        self.closed_recently = []
        if answerable and self.first_response_at is None:
            self.first_response_at = at


def _state(due_at: datetime | None, now: datetime, policy: Policy) -> SlaState:
    if due_at is None:
        return SlaState.NONE
    if now > due_at:
        return SlaState.BREACHED
    if time_left(due_at, now, policy) <= policy.at_risk_before:
        return SlaState.AT_RISK
    return SlaState.OK


def compute(events: Iterable[ClockEvent], policy: Policy | None, now: datetime) -> ClockResult:
    """Replay a ticket's whole history under `policy`, as seen at `now`.

    `policy` None means no reply is owed (e.g. a WFS order Walmart supports): no inquiries.
    Every event is replayed, even one stamped after `now` (clocks of different machines
    disagree by a little); `now` only decides whether open inquiries are overdue.
    """
    now = _utc(now)
    if policy is None:
        return ClockResult(inquiries=(), due_at=None, state=SlaState.NONE, first_response_at=None)
    replay = _Replay(policy)
    for event in sorted(events, key=_sort_key):
        replay.apply(event)
    open_dues = [inquiry.due_at for inquiry in replay.open_ones()]
    due_at = min(open_dues) if open_dues else None
    return ClockResult(
        inquiries=tuple(inquiry.result(now) for inquiry in replay.inquiries),
        due_at=due_at,
        state=_state(due_at, now, policy),
        first_response_at=replay.first_response_at,
    )
