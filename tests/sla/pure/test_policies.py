"""Policies as data: marketplace defaults, which policy a ticket gets, JSON round trip."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings

from sellerdesk.sla.policies import (
    AMAZON,
    COMPLAINT,
    WALMART,
    BusinessHours,
    Policy,
    default_policy,
    policy_for,
    policy_from_dict,
    policy_to_dict,
)
from tests.sla.pure.strategies import policies

OFFICE = BusinessHours(
    "America/Chicago",
    frozenset({0, 1, 2, 3, 4}),
    time(9),
    time(17),
    holidays=frozenset({date(2026, 12, 25)}),
)
CUSTOM = Policy("office_8h", timedelta(hours=8), calendar=OFFICE)


def test_marketplace_rules() -> None:
    assert (WALMART.name, WALMART.reply_within, WALMART.calendar) == (
        "walmart_48h",
        timedelta(hours=48),
        None,
    )
    assert (AMAZON.name, AMAZON.reply_within, AMAZON.calendar) == (
        "amazon_24h",
        timedelta(hours=24),
        None,
    )
    assert (COMPLAINT.name, COMPLAINT.reply_within) == ("complaint_1h", timedelta(hours=1))
    assert COMPLAINT.at_risk_before == timedelta(minutes=15)
    assert WALMART.at_risk_before == timedelta(hours=2)
    # Only Amazon has "no response needed".
    assert AMAZON.honours_no_response_needed
    assert not WALMART.honours_no_response_needed
    assert not COMPLAINT.honours_no_response_needed


def test_default_policy() -> None:
    assert default_policy("walmart") is WALMART
    assert default_policy("amazon") is AMAZON
    with pytest.raises(ValueError, match="ebay"):
        default_policy("ebay")


def _for(marketplace: str = "walmart", **kwargs: Any) -> Policy | None:
    arguments: dict[str, Any] = {
        "ticket_kind": "buyer_walmart",
        "one_hour_deadline": False,
        "is_wfs": False,
        "wfs_needs_reply": True,
    }
    arguments.update(kwargs)
    return policy_for(marketplace, **arguments)


def test_policy_for_a_ticket() -> None:
    assert _for() is WALMART
    assert _for("amazon", ticket_kind="buyer_amazon") is AMAZON
    # A BBB / Attorney General complaint is 1 hour, even with an override or on a WFS order.
    assert _for(one_hour_deadline=True, overrides={"buyer_walmart": CUSTOM}) is COMPLAINT
    assert _for(one_hour_deadline=True, is_wfs=True, wfs_needs_reply=False) is COMPLAINT
    # WFS: Walmart handles support when the account says so.
    assert _for(is_wfs=True, wfs_needs_reply=False) is None
    assert _for(is_wfs=True, wfs_needs_reply=True) is WALMART
    # An override for the ticket's kind wins over the marketplace default; others do not apply.
    assert _for(ticket_kind="walmart_case", overrides={"walmart_case": CUSTOM}) is CUSTOM
    assert _for(ticket_kind="buyer_walmart", overrides={"walmart_case": CUSTOM}) is WALMART


def test_invalid_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        BusinessHours("Mars/Olympus", frozenset({0}), time(9), time(17))
    with pytest.raises(ValueError, match="before closes"):
        BusinessHours("UTC", frozenset({0}), time(17), time(9))
    with pytest.raises(ValueError, match="weekday"):
        BusinessHours("UTC", frozenset(), time(9), time(17))
    with pytest.raises(ValueError, match="weekdays"):
        BusinessHours("UTC", frozenset({7}), time(9), time(17))
    with pytest.raises(ValueError, match="positive"):
        Policy("zero", timedelta(0))


def test_dict_form_is_json() -> None:
    data = policy_to_dict(CUSTOM)
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "name": "office_8h",
        "reply_within_seconds": 28800,
        "calendar": {
            "time_zone": "America/Chicago",
            "weekdays": [0, 1, 2, 3, 4],
            "opens": "09:00:00",
            "closes": "17:00:00",
            "holidays": ["2026-12-25"],
        },
        "honours_no_response_needed": False,
        "at_risk_before_seconds": 7200,
    }
    assert policy_from_dict(data) == CUSTOM
    assert policy_to_dict(WALMART)["calendar"] is None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "x"},
        {"name": "x", "reply_within_seconds": "3600"},
        {"name": "x", "reply_within_seconds": True},
        {"name": "x", "reply_within_seconds": 3600, "calendar": "weekdays"},
        {"name": "x", "reply_within_seconds": 3600, "calendar": {"time_zone": "UTC"}},
        {"name": "x", "reply_within_seconds": -5},
    ],
)
def test_malformed_dicts_raise_value_error(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        policy_from_dict(data)


@settings(deadline=None, max_examples=100)
@given(policy=policies())
def test_dict_round_trip(policy: Policy) -> None:
    data = json.loads(json.dumps(policy_to_dict(policy)))
    assert policy_from_dict(data) == policy
