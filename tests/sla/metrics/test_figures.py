"""The figures on the fixed scenario (see conftest.py) equal the values worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sellerdesk.sla.metrics import figures
from tests.sla.metrics.conftest import NOW, Scenario, ago


def group(data: dict[str, Any], label: str) -> dict[str, Any]:
    (found,) = [g for g in data["groups"] if g["label"] == label]
    return found


def test_totals_over_30_days_equal_hand_computed_values(scenario: Scenario) -> None:
    data = figures(None, days=30, now=NOW)

    assert data["days"] == 30
    assert data["by"] is None
    assert data["as_of"] == "2025-06-30T12:00:00+00:00"
    assert data["since"] == "2025-05-31T12:00:00+00:00"
    assert "groups" not in data
    # I1-I8 and I11; I9 was received 40 days ago.
    assert data["inquiries"] == 9
    assert data["excluded"] == 1  # I8
    assert data["pending"] == 1  # I4: due in 18 h, left out of the rate
    assert data["due_or_answered"] == 7
    assert data["answered"] == 4
    assert data["answered_in_time"] == 3  # I1, I2, I11
    assert data["answered_late"] == 1  # I3
    assert data["closed_without_reply"] == 2  # I6 (before due), I7 (after due)
    assert data["response_rate"] == round(3 / 7, 4) == 0.4286
    assert data["response_rate_target"] == 0.95
    # I3 answered late, I5 open past due, I7 closed without reply after its deadline.
    assert data["breached"] == 3
    # 1 h, 2 h, 60 h, 5 h
    assert data["first_response"] == {
        "count": 4,
        "mean_seconds": (3_600 + 7_200 + 216_000 + 18_000) / 4,
        "median_seconds": (7_200 + 18_000) / 2,
    }
    # T1..T7 and T9; T8 is 40 days old.
    assert data["tickets"] == 8
    # T1 2 h, T2 70 h, T5 10 h, T6 60 h, T7 1 h, T9 6 h; T3 and T4 are still open.
    assert data["resolved"] == 6
    assert data["resolution"] == {
        "count": 6,
        "mean_seconds": (7_200 + 252_000 + 36_000 + 216_000 + 3_600 + 21_600) / 6,
        "median_seconds": (21_600 + 36_000) / 2,
    }
    assert data["reopened"] == 2  # T1, T6
    assert data["reopen_rate"] == round(2 / 6, 4)
    assert data["by_intent"] == {"cancel": 2, "other": 1, "return": 2, "where_is_my_order": 3}
    assert data["by_root_cause"] == {
        "buyer_remorse": 2,
        "carrier_delay": 2,
        "damaged": 2,
        "none": 2,
    }


def test_by_agent_counts_the_inquiries_each_user_answered(scenario: Scenario) -> None:
    data = figures(None, days=30, now=NOW, by="agent")

    assert [g["label"] for g in data["groups"]] == ["alice", "bob", "(nobody)"]
    alice, bob, nobody = data["groups"]
    assert alice["key"] == scenario.alice.pk
    assert (alice["answered"], alice["answered_in_time"], alice["breached"]) == (2, 2, 0)
    assert alice["response_rate"] == 1.0
    assert alice["first_response"] == {"count": 2, "mean_seconds": 10_800, "median_seconds": 10_800}
    # Tickets in agent groups are those assigned to the agent: T1 (reopened) and T9.
    assert (alice["tickets"], alice["resolved"], alice["reopened"]) == (2, 2, 1)

    assert (bob["answered"], bob["answered_in_time"], bob["answered_late"]) == (2, 1, 1)
    assert (bob["breached"], bob["response_rate"]) == (1, 0.5)
    assert bob["first_response"]["mean_seconds"] == (7_200 + 216_000) / 2
    assert (bob["tickets"], bob["resolution"]["mean_seconds"]) == (1, 252_000)

    # Whatever nobody answered: I4 pending, I5 overdue, I6 and I7 closed, I8 excluded.
    assert nobody["key"] is None
    assert (nobody["inquiries"], nobody["excluded"], nobody["pending"]) == (5, 1, 1)
    assert (nobody["due_or_answered"], nobody["answered"], nobody["breached"]) == (3, 0, 2)
    assert nobody["response_rate"] == 0.0
    assert nobody["tickets"] == 5  # T3-T7 have no assignee


def test_by_account_and_marketplace_split_the_totals(scenario: Scenario) -> None:
    by_account = figures(None, days=30, now=NOW, by="account")
    acme, trail = by_account["groups"]
    assert (acme["key"], acme["label"], trail["label"]) == (
        scenario.acme.pk,
        "Acme Home",
        "Trailhead",
    )
    assert (acme["inquiries"], acme["due_or_answered"], acme["answered_in_time"]) == (8, 6, 2)
    assert (acme["response_rate"], acme["breached"]) == (round(2 / 6, 4), 3)
    assert (trail["inquiries"], trail["response_rate"], trail["breached"]) == (1, 1.0, 0)
    assert trail["by_intent"] == {"where_is_my_order": 1}
    assert trail["resolution"]["median_seconds"] == 21_600
    # The totals are the same with or without grouping.
    plain = figures(None, days=30, now=NOW)
    assert {k: v for k, v in by_account.items() if k not in ("by", "groups")} == {
        k: v for k, v in plain.items() if k != "by"
    }

    by_marketplace = figures(None, days=30, now=NOW, by="marketplace")
    assert [(g["key"], g["label"], g["inquiries"]) for g in by_marketplace["groups"]] == [
        ("amazon", "Amazon", 1),
        ("walmart", "Walmart", 8),
    ]
    by_channel = figures(None, days=30, now=NOW, by="channel")
    assert [(g["key"], g["label"], g["inquiries"], g["tickets"]) for g in by_channel["groups"]] == [
        ("email", "Email", 9, 8)
    ]


def test_figures_are_limited_to_the_given_accounts(scenario: Scenario) -> None:
    data = figures([scenario.trail.pk], days=30, now=NOW)
    assert (data["inquiries"], data["answered_in_time"], data["tickets"]) == (1, 1, 1)
    assert figures([], days=30, now=NOW)["inquiries"] == 0


def test_a_shorter_window_drops_older_rows(scenario: Scenario) -> None:
    data = figures(None, days=7, now=NOW)
    # 168 h: I3 (200 h) and T2 fall out.
    assert (data["inquiries"], data["answered_late"], data["tickets"]) == (8, 0, 7)
    assert data["response_rate"] == round(3 / 6, 4)


def test_figures_as_of_an_earlier_moment_ignore_what_happened_later(scenario: Scenario) -> None:
    data = figures(None, days=30, now=ago(95))
    # Received by then: I1, I3, I7. I7 was still open and not yet due.
    assert (data["inquiries"], data["answered_in_time"], data["answered_late"]) == (3, 1, 1)
    assert (data["pending"], data["response_rate"], data["breached"]) == (1, 0.5, 1)
    # Created by then: T1, T2, T6. T1's reopening and T6's solve came later.
    assert (data["tickets"], data["resolved"], data["reopened"]) == (3, 2, 0)
    assert data["reopen_rate"] == 0.0
    assert data["resolution"]["mean_seconds"] == (7_200 + 252_000) / 2


def test_nothing_in_the_window_gives_nulls_not_zero_divisions(db: None) -> None:
    data = figures(None, days=30, now=NOW, by="account")
    assert (data["inquiries"], data["response_rate"], data["reopen_rate"]) == (0, None, None)
    assert data["first_response"] == {"count": 0, "mean_seconds": None, "median_seconds": None}
    assert data["groups"] == []


def test_bad_arguments_are_refused(db: None) -> None:
    with pytest.raises(ValueError, match="days"):
        figures(None, days=0, now=NOW)
    with pytest.raises(ValueError, match="cannot group by 'order'"):
        figures(None, days=30, now=NOW, by="order")
    with pytest.raises(ValueError, match="timezone-aware"):
        figures(None, days=30, now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize("by", [None, "account", "agent"])
def test_query_count_does_not_grow_with_the_groups(scenario: Scenario, by: str | None) -> None:
    with CaptureQueriesContext(connection) as queries:
        figures(None, days=30, now=NOW, by=by)
    # Counts, first-response times, tickets; plus the group labels.
    assert len(queries) == (3 if by is None else 4)
