"""Hypothesis strategies for the SLA clock: policies, calendars and ticket histories."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import strategies as st

from sellerdesk.sla.clock import ClockEvent, EventKind, ReplyState
from sellerdesk.sla.policies import BusinessHours, Policy

# Zones with DST changes in both directions and one without, so generated cases cross them.
ZONES = ["America/Chicago", "America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"]
START = datetime(2026, 1, 1, tzinfo=UTC)
# One year of instants covers both DST changes of every zone above.
SPAN_MINUTES = 366 * 24 * 60

instants = st.integers(0, SPAN_MINUTES).map(lambda minutes: START + timedelta(minutes=minutes))


@st.composite
def business_hours(draw: st.DrawFn) -> BusinessHours:
    opens_minute = draw(st.integers(0, 22 * 60))
    length = draw(st.integers(30, 24 * 60 - 1 - opens_minute))
    closes_minute = opens_minute + length
    holidays = draw(
        st.frozensets(
            st.integers(0, 365).map(lambda days: date(2026, 1, 1) + timedelta(days=days)),
            max_size=20,
        )
    )
    return BusinessHours(
        time_zone=draw(st.sampled_from(ZONES)),
        weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        opens=time(opens_minute // 60, opens_minute % 60),
        closes=time(closes_minute // 60, closes_minute % 60),
        holidays=holidays,
    )


@st.composite
def policies(draw: st.DrawFn, calendar: bool | None = None) -> Policy:
    """Any policy; `calendar` True forces business hours, False forces calendar time."""
    if calendar is None:
        calendar = draw(st.booleans())
    return Policy(
        name=draw(st.sampled_from(["walmart_48h", "amazon_24h", "custom"])),
        reply_within=timedelta(minutes=draw(st.integers(1, 72 * 60))),
        calendar=draw(business_hours()) if calendar else None,
        honours_no_response_needed=draw(st.booleans()),
        at_risk_before=timedelta(minutes=draw(st.integers(0, 4 * 60))),
    )


# A small pool of instants (minutes apart, within a few days) makes same-instant ties and
# events on both sides of deadlines common.
_EVENT_BASE = datetime(2026, 3, 6, 12, tzinfo=UTC)
event_instants = st.integers(0, 6 * 24 * 4).map(
    lambda quarter: _EVENT_BASE + quarter * timedelta(minutes=15)
)
later_instants = st.integers(0, 10 * 24 * 4).map(
    lambda quarter: _EVENT_BASE + quarter * timedelta(minutes=15)
)


# Buyer messages and replies weigh more: they are what opens and answers inquiries.
_KIND_WEIGHTS = [EventKind.BUYER_MESSAGE] * 3 + [EventKind.REPLY] * 2 + list(EventKind)


@st.composite
def clock_event(draw: st.DrawFn, ref: str) -> ClockEvent:
    kind = draw(st.sampled_from(_KIND_WEIGHTS))
    at = draw(event_instants)
    if kind is EventKind.REPLY:
        state = draw(st.sampled_from(list(ReplyState)))
        return ClockEvent(kind, at, ref, actor=draw(st.sampled_from(["7", "8"])), reply_state=state)
    if kind is EventKind.STATUS_CHANGE:
        status = draw(
            st.sampled_from(["new", "open", "pending", "waiting_on_warehouse", "solved", "closed"])
        )
        return ClockEvent(kind, at, ref, status=status)
    return ClockEvent(kind, at, ref)


@st.composite
def histories(draw: st.DrawFn, max_size: int = 12) -> list[ClockEvent]:
    size = draw(st.integers(0, max_size))
    return [draw(clock_event(f"event:{index}")) for index in range(size)]
