"""Working-time arithmetic: calendar time vs business hours, weekends, holidays and DST."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sellerdesk.sla.calendar import add_working_time, working_time_between
from sellerdesk.sla.clock import deadline, time_left
from sellerdesk.sla.policies import WALMART, BusinessHours, Policy
from tests.sla.pure.strategies import business_hours, instants, policies

CHICAGO = ZoneInfo("America/Chicago")
OFFICE = BusinessHours("America/Chicago", frozenset(range(5)), time(9), time(17))
EIGHT_HOURS = Policy("office_8h", timedelta(hours=8), calendar=OFFICE)


def chicago(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHICAGO)


# --- exact cases -------------------------------------------------------------------------


def test_walmart_counts_the_weekend() -> None:
    friday_evening = chicago(2026, 1, 9, 18)
    assert friday_evening.weekday() == 4
    assert deadline(friday_evening, WALMART) == chicago(2026, 1, 11, 18)  # Sunday 18:00


def test_business_hours_skip_the_weekend_and_a_holiday() -> None:
    friday = chicago(2026, 1, 16, 16)  # Monday the 19th is Martin Luther King Jr. Day
    assert deadline(friday, EIGHT_HOURS) == chicago(2026, 1, 19, 16)
    holiday = replace(
        EIGHT_HOURS, calendar=replace(OFFICE, holidays=frozenset({date(2026, 1, 19)}))
    )
    assert deadline(friday, holiday) == chicago(2026, 1, 20, 16)
    assert working_time_between(friday, chicago(2026, 1, 20, 16), holiday.calendar) == timedelta(
        hours=8
    )


def test_message_outside_hours_starts_counting_at_opening() -> None:
    saturday = chicago(2026, 1, 10, 11)
    assert deadline(saturday, EIGHT_HOURS) == chicago(2026, 1, 12, 17)
    # Exactly at closing time: the deadline is that closing time, not the next morning.
    assert deadline(chicago(2026, 1, 12, 9), EIGHT_HOURS) == chicago(2026, 1, 12, 17)


def test_business_hours_across_march_dst_change() -> None:
    # DST starts Sunday 8 March 2026 at 02:00 in Chicago: CST (-6) becomes CDT (-5).
    friday = chicago(2026, 3, 6, 16)
    due = deadline(friday, EIGHT_HOURS)
    assert due == chicago(2026, 3, 9, 16)
    assert due == datetime(2026, 3, 9, 21, tzinfo=UTC)  # 16:00 CDT, not 16:00 CST
    assert due - friday == timedelta(hours=71)  # the weekend was an hour short
    assert working_time_between(friday, due, OFFICE) == timedelta(hours=8)


def test_business_hours_across_november_dst_change() -> None:
    # DST ends Sunday 1 November 2026 at 02:00: CDT (-5) becomes CST (-6).
    friday = chicago(2026, 10, 30, 16)
    due = deadline(friday, EIGHT_HOURS)
    assert due == chicago(2026, 11, 2, 16)
    assert due == datetime(2026, 11, 2, 22, tzinfo=UTC)
    assert due - friday == timedelta(hours=73)
    assert working_time_between(friday, due, OFFICE) == timedelta(hours=8)


def test_a_working_day_containing_a_dst_change_has_its_real_length() -> None:
    every_day = BusinessHours("America/Chicago", frozenset(range(7)), time(0), time(23))
    assert working_time_between(chicago(2026, 3, 8), chicago(2026, 3, 9), every_day) == timedelta(
        hours=22
    )
    assert working_time_between(chicago(2026, 11, 1), chicago(2026, 11, 2), every_day) == timedelta(
        hours=24
    )


def test_calendar_policy_is_48_real_hours_across_dst() -> None:
    spring = chicago(2026, 3, 7, 12)
    assert deadline(spring, WALMART) == chicago(2026, 3, 9, 13)  # wall clock jumped an hour
    autumn = chicago(2026, 10, 31, 12)
    assert deadline(autumn, WALMART) == chicago(2026, 11, 2, 11)
    for received in (spring, autumn):
        assert deadline(received, WALMART).astimezone(UTC) - received.astimezone(UTC) == timedelta(
            hours=48
        )


def test_time_left_is_negative_when_overdue() -> None:
    due = chicago(2026, 1, 12, 12)
    assert time_left(due, due + timedelta(hours=3), WALMART) == timedelta(hours=-3)
    # On business hours, overdue time counts only working time: 12:00 to next day 10:00.
    assert time_left(due, chicago(2026, 1, 13, 10), EIGHT_HOURS) == timedelta(hours=-6)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        deadline(datetime(2026, 1, 1, 12), WALMART)


def test_calendar_with_no_working_time_left_raises() -> None:
    # Every Monday of ten years a holiday, and Monday the only working day.
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=week) for week in range(600))
    hours = BusinessHours("UTC", frozenset({0}), time(9), time(17), holidays=mondays)
    with pytest.raises(ValueError, match="no working time"):
        add_working_time(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1), hours)


# --- properties --------------------------------------------------------------------------


@settings(deadline=None, max_examples=150)
@given(received=instants, policy=policies())
def test_no_deadline_before_its_message(received: datetime, policy: Policy) -> None:
    assert deadline(received, policy) > received


@settings(deadline=None, max_examples=150)
@given(start=instants, end=instants, minutes=st.integers(0, 200 * 60))
def test_calendar_time_counts_every_hour(start: datetime, end: datetime, minutes: int) -> None:
    # Weekends, holidays and DST are all real time on a calendar policy.
    assert working_time_between(start, end, None) == end - start
    assert add_working_time(start, timedelta(minutes=minutes), None) == start + timedelta(
        minutes=minutes
    )
    zoned = start.astimezone(CHICAGO)
    policy = replace(WALMART, reply_within=timedelta(minutes=minutes + 1))
    assert deadline(zoned, policy) - start == timedelta(minutes=minutes + 1)


@settings(deadline=None, max_examples=150)
@given(hours=business_hours(), start=instants, minutes=st.integers(1, 80 * 60))
def test_business_deadline_uses_exactly_the_working_time(
    hours: BusinessHours, start: datetime, minutes: int
) -> None:
    due = add_working_time(start, timedelta(minutes=minutes), hours)
    assert due > start
    assert working_time_between(start, due, hours) == timedelta(minutes=minutes)
    local_day = due.astimezone(hours.zone).date()
    # The deadline falls on a working day, never on a weekend or a holiday.
    assert local_day.weekday() in hours.weekdays
    assert local_day not in hours.holidays


@settings(deadline=None, max_examples=150)
@given(hours=business_hours(), day_offset=st.integers(0, 364))
def test_business_hours_do_not_count_weekends_and_holidays(
    hours: BusinessHours, day_offset: int
) -> None:
    day = date(2026, 1, 1) + timedelta(days=day_offset)
    start = datetime.combine(day, time(0), tzinfo=hours.zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=hours.zone)
    counted = working_time_between(start, end, hours)
    if day.weekday() not in hours.weekdays or day in hours.holidays:
        assert counted == timedelta(0)
    else:
        # A working day counts its window; never more than the day's real length.
        assert timedelta(0) <= counted <= end.astimezone(UTC) - start.astimezone(UTC)


@settings(deadline=None, max_examples=150)
@given(hours=business_hours(), a=instants, b=instants, c=instants)
def test_working_time_adds_up(hours: BusinessHours, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    assert working_time_between(a, c, hours) == working_time_between(
        a, b, hours
    ) + working_time_between(b, c, hours)
    assert working_time_between(c, a, hours) == -working_time_between(a, c, hours)
    assert working_time_between(a, c, hours) <= c - a


@settings(deadline=None, max_examples=100)
@given(
    hours=business_hours(),
    start=instants,
    minutes=st.integers(1, 40 * 60),
    extra=st.integers(0, 365),
)
def test_a_new_holiday_never_brings_a_deadline_forward(
    hours: BusinessHours, start: datetime, minutes: int, extra: int
) -> None:
    holiday = date(2026, 1, 1) + timedelta(days=extra)
    more = replace(hours, holidays=hours.holidays | {holiday})
    duration = timedelta(minutes=minutes)
    assert add_working_time(start, duration, more) >= add_working_time(start, duration, hours)
