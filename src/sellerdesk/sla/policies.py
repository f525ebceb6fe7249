"""Reply policies as data: how long a reply may take, and on which clock.

Marketplace rules (MARKETPLACE_FACTS.md, sections 2 and 3): Walmart wants a real reply within
48 calendar hours, Amazon within 24, weekends and holidays included; Better Business Bureau or
Attorney General complaints within 1 hour. Only Amazon lets a message be marked "no response
needed". Accounts may store custom policies (business hours, other durations) per kind of
ticket, so policies serialise to JSON-able dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "AMAZON",
    "COMPLAINT",
    "WALMART",
    "BusinessHours",
    "Policy",
    "default_policy",
    "policy_for",
    "policy_from_dict",
    "policy_to_dict",
]


@dataclass(frozen=True)
class BusinessHours:
    """Working hours in one time zone: only this time counts towards a business-hours deadline.

    `opens` and `closes` are local wall-clock times of the same day (no overnight shifts);
    `weekdays` uses Python's numbering, 0 = Monday. Holidays are local dates.
    """

    time_zone: str
    weekdays: frozenset[int]
    opens: time
    closes: time
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Fail when the policy is built (often from stored JSON), not halfway through a sweep.
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from exc
        if not self.weekdays:
            raise ValueError("business hours need at least one working weekday")
        if not all(isinstance(day, int) and 0 <= day <= 6 for day in self.weekdays):
            raise ValueError("weekdays must be integers 0 (Monday) to 6 (Sunday)")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes are local wall-clock times, without tzinfo")
        if not self.opens < self.closes:
            raise ValueError("opens must be before closes (overnight shifts are not supported)")
        # Accept any iterable of weekdays/holidays from callers but keep the frozen types,
        # so equality and hashing behave.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Policy:
    """How long a reply may take. `calendar` None means calendar time: every real hour counts,
    nights, weekends and holidays included, as Walmart and Amazon count."""

    name: str
    reply_within: timedelta
    calendar: BusinessHours | None = None
    honours_no_response_needed: bool = False
    at_risk_before: timedelta = timedelta(hours=2)

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a policy needs a name")
        if self.reply_within <= timedelta(0):
            raise ValueError("reply_within must be positive")
        if self.at_risk_before < timedelta(0):
            raise ValueError("at_risk_before must not be negative")


WALMART = Policy(name="walmart_48h", reply_within=timedelta(hours=48))
AMAZON = Policy(
    name="amazon_24h", reply_within=timedelta(hours=24), honours_no_response_needed=True
)
# One hour leaves no room for the default 2 h warning: a complaint would be "at risk" the moment
# it arrived, so the warning comes with 15 minutes left.
COMPLAINT = Policy(
    name="complaint_1h", reply_within=timedelta(hours=1), at_risk_before=timedelta(minutes=15)
)

_DEFAULTS: Mapping[str, Policy] = {"walmart": WALMART, "amazon": AMAZON}


def default_policy(marketplace: str) -> Policy:
    """The marketplace's own rule. Unknown marketplaces raise: guessing a deadline would hide
    a missing policy behind wrong numbers."""
    try:
        return _DEFAULTS[marketplace.lower()]
    except KeyError:
        raise ValueError(f"no default reply policy for marketplace {marketplace!r}") from None


def policy_for(
    marketplace: str,
    *,
    ticket_kind: str,
    one_hour_deadline: bool,
    is_wfs: bool,
    wfs_needs_reply: bool,
    overrides: Mapping[str, Policy] | None = None,
) -> Policy | None:
    """The policy for one ticket, or None when no reply is owed.

    Order of precedence: a BBB / Attorney General complaint is always 1 hour (the complaint is
    against the seller, whoever fulfilled the order); then a WFS order whose account lets
    Walmart handle WFS support owes nothing; then the account's override for this kind of
    ticket; then the marketplace default.
    """
    if one_hour_deadline:
        return COMPLAINT
    if is_wfs and not wfs_needs_reply:
        return None
    if overrides and ticket_kind in overrides:
        return overrides[ticket_kind]
    return default_policy(marketplace)


def _seconds(delta: timedelta) -> int | float:
    # Whole seconds stay integers so stored JSON reads naturally ("reply_within": 172800).
    seconds = delta.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """A JSON-able form (only str, int/float, bool, list, dict, None) for per-account storage."""
    calendar: dict[str, Any] | None = None
    if policy.calendar is not None:
        hours = policy.calendar
        calendar = {
            "time_zone": hours.time_zone,
            "weekdays": sorted(hours.weekdays),
            "opens": hours.opens.isoformat(),
            "closes": hours.closes.isoformat(),
            "holidays": sorted(day.isoformat() for day in hours.holidays),
        }
    return {
        "name": policy.name,
        "reply_within_seconds": _seconds(policy.reply_within),
        "calendar": calendar,
        "honours_no_response_needed": policy.honours_no_response_needed,
        "at_risk_before_seconds": _seconds(policy.at_risk_before),
    }


def _number(data: Mapping[str, Any], key: str) -> float:
    value = data[key]
    # bool is an int subclass; True seconds is certainly a mistake in stored data.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number of seconds")
    return float(value)


def _business_hours_from_dict(data: Mapping[str, Any]) -> BusinessHours:
    try:
        return BusinessHours(
            time_zone=str(data["time_zone"]),
            weekdays=frozenset(int(day) for day in data["weekdays"]),
            opens=time.fromisoformat(str(data["opens"])),
            closes=time.fromisoformat(str(data["closes"])),
            holidays=frozenset(date.fromisoformat(str(day)) for day in data.get("holidays", ())),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"invalid business-hours calendar: {exc}") from exc


def policy_from_dict(data: Mapping[str, Any]) -> Policy:
    """The inverse of `policy_to_dict`. Raises ValueError on anything malformed, since the dict
    usually comes from an admin-edited JSON field."""
    try:
        calendar_data = data.get("calendar")
        calendar = None
        if calendar_data is not None:
            if not isinstance(calendar_data, Mapping):
                raise ValueError("calendar must be an object or null")
            calendar = _business_hours_from_dict(calendar_data)
        return Policy(
            name=str(data["name"]),
            reply_within=timedelta(seconds=_number(data, "reply_within_seconds")),
            calendar=calendar,
            honours_no_response_needed=bool(data.get("honours_no_response_needed", False)),
            at_risk_before=timedelta(
                seconds=_number(data, "at_risk_before_seconds")
                if "at_risk_before_seconds" in data
                else 2 * 3600
            ),
        )
    except KeyError as exc:
        raise ValueError(f"policy is missing {exc.args[0]!r}") from exc
