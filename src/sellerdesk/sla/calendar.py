"""Working-time arithmetic: adding and measuring time on a business-hours calendar.

Calendar time (no `BusinessHours`) is plain real time, always computed in UTC: Python adds a
timedelta to a zone-aware datetime in wall-clock time, so 48 h from a Chicago timestamp across
a daylight-saving change would be 47 or 49 real hours. Marketplaces count real hours.

Business hours are computed per local day: each working day's window is built from the local
`opens` / `closes` in the calendar's zone and converted to UTC, so a DST change moves the
window's instants and the length of a day that contains the change is its real length.
Nonexistent local times (the skipped hour in spring) resolve the way `zoneinfo` does with
fold=0, i.e. with the offset in force before the change; repeated times (autumn) take their
first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sellerdesk.sla.policies import BusinessHours

__all__ = ["add_working_time", "working_time_between", "working_windows"]

# A calendar always has a working weekday, so a window comes within a week unless holidays
# cover every one of them; past this many days the calendar is unusable and we say so instead
# of looping.
_MAX_DAYS = 3700
_ZERO = timedelta(0)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the SLA clock needs aware datetimes")
    return moment.astimezone(UTC)


def _window(day: date, hours: BusinessHours) -> tuple[datetime, datetime] | None:
    if day.weekday() not in hours.weekdays or day in hours.holidays:
        return None
    zone = hours.zone
    start = datetime.combine(day, hours.opens, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, hours.closes, tzinfo=zone).astimezone(UTC)
    # A window that opens in the skipped spring hour can end up empty or inverted in UTC.
    if end <= start:
        return None
    return start, end


def working_windows(start: datetime, hours: BusinessHours) -> Iterator[tuple[datetime, datetime]]:
    """The working windows (UTC, start < end) that end after `start`, in order, clipped so
    that none begins before `start`. Infinite; raises once no window exists for years."""
    start = _utc(start)
    # Windows never cross local midnight (opens < closes), so earlier local days are over.
    day = start.astimezone(hours.zone).date()
    empty_days = 0
    while True:
        window = _window(day, hours)
        day += timedelta(days=1)
        if window is None or window[1] <= start:
            empty_days += 1
            if empty_days > _MAX_DAYS:
                raise ValueError("business-hours calendar has no working time left")
            continue
        empty_days = 0
        yield max(window[0], start), window[1]


def add_working_time(start: datetime, duration: timedelta, hours: BusinessHours | None) -> datetime:
    """The instant (UTC) at which `duration` of working time after `start` has passed.

    When the duration runs out exactly at closing time, the answer is that closing time, not
    the next opening: a deadline at 17:00 sharp is what the seller reads on the clock.
    """
    start = _utc(start)
    if duration < _ZERO:
        raise ValueError("duration must not be negative")
    if hours is None:
        return start + duration
    remaining = duration
    for window_start, window_end in working_windows(start, hours):
        available = window_end - window_start
        if remaining <= available:
            # A zero duration lands on the next opening, where the working clock stands.
            return window_start + remaining
        remaining -= available
    raise AssertionError("unreachable: working_windows is infinite")  # pragma: no cover


def working_time_between(start: datetime, end: datetime, hours: BusinessHours | None) -> timedelta:
    """Working time from `start` to `end`; negative when `end` is before `start`, so that
    `time left` can be read off directly when a deadline has passed."""
    start, end = _utc(start), _utc(end)
    if end < start:
        return -working_time_between(end, start, hours)
    if hours is None:
        return end - start
    total = _ZERO
    for window_start, window_end in working_windows(start, hours):
        if window_start >= end:
            break
        total += min(window_end, end) - window_start
    return total
