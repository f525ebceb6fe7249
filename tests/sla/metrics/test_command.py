"""`sellerdesk metrics`: the same figures as the dashboard, as JSON or a table."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from sellerdesk.sla.metrics import figures
from tests.sla.metrics.conftest import NOW, Scenario

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def test_json_output_has_the_figures_under_stable_keys(scenario: Scenario) -> None:
    data = json.loads(run("--days", "30", "--json", "--as-of", NOW.isoformat()))
    assert data == figures(None, days=30, now=NOW)
    assert set(data) == {
        "as_of",
        "since",
        "days",
        "by",
        "inquiries",
        "excluded",
        "pending",
        "due_or_answered",
        "answered",
        "answered_in_time",
        "answered_late",
        "closed_without_reply",
        "breached",
        "response_rate",
        "response_rate_target",
        "first_response",
        "tickets",
        "resolved",
        "reopened",
        "reopen_rate",
        "resolution",
        "by_intent",
        "by_root_cause",
    }
    assert (data["breached"], data["response_rate"]) == (3, 0.4286)


def test_account_option_limits_the_figures(scenario: Scenario) -> None:
    data = json.loads(
        run("--account", "Trailhead", "--json", "--by", "agent", "--as-of", "2025-06-30T12:00")
    )
    assert (data["inquiries"], data["breached"], data["response_rate"]) == (1, 0, 1.0)
    assert [(g["label"], g["answered"]) for g in data["groups"]] == [("alice", 1)]


def test_unknown_account_is_named_in_the_error(scenario: Scenario) -> None:
    with pytest.raises(CommandError, match="no seller account named 'Nowhere'"):
        run("--account", "Trailhead", "--account", "Nowhere")


def test_table_output_shows_the_rate_and_the_groups(scenario: Scenario) -> None:
    text = run("--by", "account", "--as-of", NOW.isoformat())
    assert "Seller Response Rate  42.9 %  (3 in time of 7 due or answered; target 95.0 %)" in text
    assert "Breached inquiries    3" in text
    assert "First response        mean 17 h 00 min, median 3 h 30 min" in text
    assert "Reopen rate           33.3 %  (2 of 6 resolved)" in text
    lines = text.splitlines()
    assert any(line.startswith("Acme Home") and "33.3 %" in line for line in lines)
    assert any(line.startswith("Trailhead") and "100.0 %" in line for line in lines)
