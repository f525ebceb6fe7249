"""The SLA clock on ticket histories: exact cases from issue 5, then properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sellerdesk.sla.clock import (
    ClockEvent,
    ClockResult,
    EventKind,
    ReplyState,
    SlaState,
    compute,
    time_left,
)
from sellerdesk.sla.policies import AMAZON, COMPLAINT, WALMART, BusinessHours, Policy, policy_for
from tests.sla.pure.strategies import histories, later_instants, policies

T = datetime(2026, 1, 5, 10, tzinfo=UTC)  # a Monday
H = timedelta(hours=1)


def msg(ref: str, at: datetime) -> ClockEvent:
    return ClockEvent(EventKind.BUYER_MESSAGE, at, ref)


def reply(
    ref: str, at: datetime, state: ReplyState = ReplyState.SENT, actor: str = "7"
) -> ClockEvent:
    return ClockEvent(EventKind.REPLY, at, ref, actor=actor, reply_state=state)


def status(ref: str, at: datetime, new_status: str) -> ClockEvent:
    return ClockEvent(EventKind.STATUS_CHANGE, at, ref, status=new_status)


def nrn(ref: str, at: datetime) -> ClockEvent:
    return ClockEvent(EventKind.NO_RESPONSE_NEEDED, at, ref)


# --- exact cases -------------------------------------------------------------------------


def test_several_buyer_messages_before_one_reply_make_one_inquiry() -> None:
    events = [msg("message:1", T), msg("message:2", T + 5 * H), msg("message:3", T + 30 * H)]
    waiting = compute(events, WALMART, now=T + 47 * H)
    assert len(waiting.inquiries) == 1
    assert waiting.due_at == T + 48 * H  # from the first message, not the last
    assert waiting.state is SlaState.AT_RISK
    assert compute(events, WALMART, now=T + 40 * H).state is SlaState.OK

    result = compute([*events, reply("message:4", T + 40 * H, actor="12")], WALMART, now=T + 60 * H)
    (inquiry,) = result.inquiries
    assert inquiry.opened_by == "message:1"
    assert inquiry.received_at == T
    assert (inquiry.answered_at, inquiry.answered_by, inquiry.answered_actor) == (
        T + 40 * H,
        "message:4",
        "12",
    )
    assert inquiry.in_time is True
    assert (result.due_at, result.state, result.first_response_at) == (
        None,
        SlaState.NONE,
        T + 40 * H,
    )


def test_an_automatic_reply_does_not_count() -> None:
    events = [
        msg("message:1", T),
        ClockEvent(EventKind.AUTO_REPLY, T + timedelta(minutes=1), "message:2"),
    ]
    events.append(ClockEvent(EventKind.NOTE, T + 2 * H, "event:3"))
    result = compute(events, WALMART, now=T + 49 * H)
    (inquiry,) = result.inquiries
    assert inquiry.answered_at is None
    assert inquiry.in_time is False
    assert result.state is SlaState.BREACHED
    assert result.first_response_at is None


@pytest.mark.parametrize("state", [s for s in ReplyState if s is not ReplyState.SENT])
def test_a_reply_that_did_not_go_out_answers_nothing(state: ReplyState) -> None:
    events = [msg("message:1", T), reply("message:2", T + H, state=state)]
    result = compute(events, WALMART, now=T + 2 * H)
    assert result.inquiries[0].answered_at is None
    assert (result.due_at, result.state, result.first_response_at) == (
        T + 48 * H,
        SlaState.OK,
        None,
    )


def test_a_bounced_reply_does_not_count_but_the_next_real_one_does() -> None:
    events = [
        msg("message:1", T),
        reply("message:2", T + H, ReplyState.BOUNCED),
        reply("message:3", T + 50 * H),
    ]
    (inquiry,) = compute(events, WALMART, now=T + 60 * H).inquiries
    assert (inquiry.answered_by, inquiry.in_time) == ("message:3", False)


def test_no_response_needed_closes_on_amazon() -> None:
    events = [msg("message:1", T), nrn("event:2", T + H)]
    result = compute(events, AMAZON, now=T + 30 * H)
    (inquiry,) = result.inquiries
    assert (inquiry.closed_at, inquiry.closed_reason) == (T + H, "no_response_needed")
    assert inquiry.in_time is None
    assert inquiry.excluded is True
    assert (result.due_at, result.state) == (None, SlaState.NONE)


def test_no_response_needed_is_ignored_on_walmart() -> None:
    events = [msg("message:1", T), nrn("event:2", T + H)]
    result = compute(events, WALMART, now=T + 49 * H)
    (inquiry,) = result.inquiries
    assert inquiry.closed_at is None
    assert inquiry.excluded is False
    assert inquiry.in_time is False
    assert result.state is SlaState.BREACHED


def test_solved_without_reply_counts_as_not_in_time() -> None:
    result = compute(
        [msg("message:1", T), status("event:2", T + H, "solved")], WALMART, now=T + 2 * H
    )
    (inquiry,) = result.inquiries
    assert (inquiry.closed_at, inquiry.closed_reason, inquiry.in_time) == (
        T + H,
        "solved_without_reply",
        False,
    )
    assert inquiry.excluded is False
    assert result.state is SlaState.NONE


def test_reopen_after_solved_opens_a_new_inquiry() -> None:
    events = [
        msg("message:1", T),
        reply("message:2", T + H),
        status("event:3", T + 2 * H, "solved"),
        msg("message:4", T + 72 * H),  # the buyer writes again on the solved ticket
    ]
    result = compute(events, WALMART, now=T + 73 * H)
    first, second = result.inquiries
    assert (first.opened_by, first.in_time) == ("message:1", True)
    assert (second.opened_by, second.received_at, second.due_at) == (
        "message:4",
        T + 72 * H,
        T + 120 * H,
    )
    assert second.in_time is None
    assert (result.due_at, result.state, result.first_response_at) == (
        T + 120 * H,
        SlaState.OK,
        T + H,
    )


def test_a_message_on_a_pending_ticket_opens_a_new_inquiry() -> None:
    events = [msg("message:1", T), reply("message:2", T + H), status("event:3", T + H, "pending")]
    events.append(msg("message:4", T + 10 * H))
    assert [i.opened_by for i in compute(events, WALMART, now=T + 11 * H).inquiries] == [
        "message:1",
        "message:4",
    ]


def test_a_reply_after_a_new_message_leaves_the_solved_inquiry_unanswered() -> None:
    events = [msg("message:1", T), status("event:2", T + H, "closed"), msg("message:3", T + 5 * H)]
    events.append(reply("message:4", T + 6 * H))
    first, second = compute(events, WALMART, now=T + 7 * H).inquiries
    assert (first.closed_reason, first.answered_at, first.in_time) == (
        "solved_without_reply",
        None,
        False,
    )
    assert (second.answered_by, second.in_time) == ("message:4", True)


def test_send_and_solve_counts_the_reply() -> None:
    # The status change is recorded at the click, the reply when SMTP accepts it, seconds later.
    events = [
        msg("message:1", T),
        status("event:2", T + H, "solved"),
        reply("message:3", T + H + timedelta(seconds=3)),
    ]
    (inquiry,) = compute(events, WALMART, now=T + 2 * H).inquiries
    assert (inquiry.answered_by, inquiry.in_time, inquiry.closed_at, inquiry.closed_reason) == (
        "message:3",
        True,
        None,
        None,
    )


def test_solve_then_no_response_needed_is_excluded_on_amazon() -> None:
    events = [msg("message:1", T), status("event:2", T + H, "solved"), nrn("event:3", T + H)]
    (inquiry,) = compute(events, AMAZON, now=T + 2 * H).inquiries
    assert (inquiry.closed_reason, inquiry.excluded, inquiry.in_time) == (
        "no_response_needed",
        True,
        None,
    )


def test_same_instant_ties() -> None:
    # A reply answers a message received at the same instant ...
    (inquiry,) = compute([reply("message:2", T), msg("message:1", T)], WALMART, now=T).inquiries
    assert inquiry.answered_by == "message:2"
    # ... and a message arriving the instant the ticket is solved stays owed.
    result = compute([msg("message:1", T), status("event:1", T, "solved")], WALMART, now=T)
    assert (result.state, result.due_at) == (SlaState.OK, T + 48 * H)


def test_a_bbb_complaint_has_one_hour() -> None:
    policy = policy_for(
        "walmart",
        ticket_kind="complaint_bbb_ag",
        one_hour_deadline=True,
        is_wfs=False,
        wfs_needs_reply=True,
    )
    assert policy is COMPLAINT
    events = [msg("message:1", T)]
    assert compute(events, policy, now=T + timedelta(minutes=30)).state is SlaState.OK
    at_risk = compute(events, policy, now=T + timedelta(minutes=50))
    assert (at_risk.due_at, at_risk.state) == (T + H, SlaState.AT_RISK)
    assert compute(events, policy, now=T + timedelta(minutes=61)).state is SlaState.BREACHED
    on_time = compute(
        [*events, reply("message:2", T + timedelta(minutes=59))], policy, now=T + 2 * H
    )
    late = compute([*events, reply("message:2", T + timedelta(minutes=61))], policy, now=T + 2 * H)
    assert (on_time.inquiries[0].in_time, late.inquiries[0].in_time) == (True, False)


def test_a_message_imported_days_after_it_arrived_is_already_breached() -> None:
    arrived = T
    imported = T + timedelta(days=5)
    result = compute([msg("message:1", arrived)], WALMART, now=imported)
    (inquiry,) = result.inquiries
    assert (inquiry.received_at, inquiry.due_at, inquiry.in_time) == (
        arrived,
        arrived + 48 * H,
        False,
    )
    assert (result.due_at, result.state) == (arrived + 48 * H, SlaState.BREACHED)
    assert time_left(result.due_at, imported, WALMART) == -72 * H


def test_no_policy_means_nothing_owed() -> None:
    result = compute([msg("message:1", T)], None, now=T + 100 * H)
    assert result == ClockResult(
        inquiries=(), due_at=None, state=SlaState.NONE, first_response_at=None
    )


def test_a_reply_before_any_message_answers_nothing() -> None:
    result = compute([reply("message:1", T), msg("message:2", T + H)], WALMART, now=T + 2 * H)
    assert result.first_response_at is None
    assert result.inquiries[0].answered_at is None


def test_naive_event_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        msg("message:1", datetime(2026, 1, 5, 10))


# --- properties --------------------------------------------------------------------------

SEVERITY = {SlaState.NONE: 0, SlaState.OK: 1, SlaState.AT_RISK: 2, SlaState.BREACHED: 3}


@settings(deadline=None, max_examples=200)
@given(events=histories(), policy=policies(), now=later_instants, data=st.data())
def test_result_does_not_depend_on_input_order(
    events: list[ClockEvent], policy: Policy, now: datetime, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    assert compute(shuffled, policy, now) == compute(events, policy, now)


@settings(deadline=None, max_examples=200)
@given(events=histories(), policy=policies(), now=later_instants)
def test_no_deadline_before_its_message(
    events: list[ClockEvent], policy: Policy, now: datetime
) -> None:
    result = compute(events, policy, now)
    for inquiry in result.inquiries:
        assert inquiry.due_at > inquiry.received_at
        assert inquiry.answered_at is None or inquiry.answered_at >= inquiry.received_at
        assert inquiry.closed_at is None or inquiry.closed_at >= inquiry.received_at
        assert inquiry.excluded == (inquiry.closed_reason == "no_response_needed")
        if inquiry.excluded:
            assert policy.honours_no_response_needed
    assert (result.due_at is None) == (result.state is SlaState.NONE)
    # At most one inquiry is open at a time: further buyer messages join it.
    still_open = [i for i in result.inquiries if i.answered_at is None and i.closed_at is None]
    assert len(still_open) <= 1


@settings(deadline=None, max_examples=300)
@given(events=histories(), policy=policies(), now=later_instants, at=later_instants)
def test_a_reply_never_makes_time_left_shorter(
    events: list[ClockEvent], policy: Policy, now: datetime, at: datetime
) -> None:
    before = compute(events, policy, now)
    after = compute([*events, reply("added", at)], policy, now)
    assert SEVERITY[after.state] <= SEVERITY[before.state]
    if after.due_at is not None:
        assert before.due_at is not None
        assert after.due_at >= before.due_at
        assert time_left(after.due_at, now, policy) >= time_left(before.due_at, now, policy)
    # An inquiry becomes "in time" only because the added reply answered it before its deadline;
    # nothing already in time gets worse.
    earlier = {inquiry.opened_by: inquiry for inquiry in before.inquiries}
    for inquiry in after.inquiries:
        old = earlier.get(inquiry.opened_by)
        if old is None:
            continue
        assert inquiry.due_at == old.due_at
        if old.in_time is True:
            assert inquiry.in_time is True
        if inquiry.in_time is True and old.in_time is not True:
            assert inquiry.answered_by == "added"
            assert inquiry.answered_at is not None and inquiry.answered_at <= inquiry.due_at


@settings(deadline=None, max_examples=150)
@given(events=histories(), policy=policies(calendar=False), now=later_instants)
def test_calendar_policies_count_weekends_and_holidays(
    events: list[ClockEvent], policy: Policy, now: datetime
) -> None:
    for inquiry in compute(events, policy, now).inquiries:
        assert inquiry.due_at - inquiry.received_at == policy.reply_within


@settings(deadline=None, max_examples=150)
@given(events=histories(), policy=policies(calendar=True), now=later_instants)
def test_business_hours_policies_do_not(
    events: list[ClockEvent], policy: Policy, now: datetime
) -> None:
    assert policy.calendar is not None
    for inquiry in compute(events, policy, now).inquiries:
        local_day = inquiry.due_at.astimezone(policy.calendar.zone).date()
        assert local_day.weekday() in policy.calendar.weekdays
        assert local_day not in policy.calendar.holidays
        # Only working time counts, so the real time to the deadline is at least the allowance.
        assert inquiry.due_at - inquiry.received_at >= policy.reply_within


def test_business_hours_weekend_is_not_counted_but_walmart_counts_it() -> None:
    office = BusinessHours("UTC", frozenset(range(5)), time(9), time(17))
    friday = datetime(2026, 1, 9, 16, tzinfo=UTC)
    custom = replace(WALMART, name="office_48h", calendar=office)
    walmart_due = compute([msg("message:1", friday)], WALMART, now=friday).due_at
    office_due = compute([msg("message:1", friday)], custom, now=friday).due_at
    assert walmart_due == friday + 48 * H
    # 1 h on Friday, five 8 h days (Monday to Friday), then the last 7 h on Monday.
    assert office_due == datetime(2026, 1, 19, 16, tzinfo=UTC)
