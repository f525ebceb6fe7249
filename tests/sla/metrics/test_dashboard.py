"""The dashboard and its CSV export, for an admin, an agent of some accounts, a user with no
role, and an anonymous visitor: each sees the figures of exactly the accounts they may see."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from sellerdesk.sla import metrics
from sellerdesk.team.models import Role
from tests.factories import make_member
from tests.sla.metrics.conftest import NOW, Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The views ask for the current time; the scenario's hand-computed values hold at NOW.
    monkeypatch.setattr("sellerdesk.analytics.views.timezone.now", lambda: NOW)
    yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_data(response: object) -> dict[str, object]:
    html = response.content.decode()  # type: ignore[attr-defined]
    start = html.index('<script id="dashboard-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)  # type: ignore[no-any-return]


def test_admin_sees_every_account(scenario: Scenario) -> None:
    response = signed_in(scenario.admin).get(reverse("analytics:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    # The numbers are in the HTML itself, so the page works without JavaScript.
    assert "42.9 %" in html  # 3 in time of 7 due or answered
    assert "3 in time of 7 due or answered" in html
    assert '<div class="value error">3</div>' in html  # breached
    assert "3 h 30 min" in html  # first response median 12,600 s
    assert "Acme Home" in html and "Trailhead" in html
    assert response.context["data"] == metrics.figures(None, days=30, now=NOW, by="account")
    assert page_data(response) == {
        "target": 0.95,
        "groups": {"labels": ["Acme Home", "Trailhead"], "response_rate": [0.3333, 1.0]},
        "by_intent": {"cancel": 2, "other": 1, "return": 2, "where_is_my_order": 3},
        "by_root_cause": {"buyer_remorse": 2, "carrier_delay": 2, "damaged": 2, "none": 2},
    }


def test_agent_sees_only_the_accounts_they_belong_to(scenario: Scenario) -> None:
    carol = make_member("carol", Role.AGENT, [scenario.trail])
    response = signed_in(carol).get(reverse("analytics:dashboard"), {"days": "7"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trailhead" in html
    assert "Acme Home" not in html
    data = response.context["data"]
    assert (data["days"], data["inquiries"], data["response_rate"]) == (7, 1, 1.0)
    assert [g["label"] for g in data["groups"]] == ["Trailhead"]
    assert data["by_intent"] == {"where_is_my_order": 1}


def test_agent_grouping_by_agent_counts_only_their_accounts(scenario: Scenario) -> None:
    response = signed_in(scenario.bob).get(reverse("analytics:dashboard"), {"by": "agent"})
    groups = {g["label"]: g["answered"] for g in response.context["data"]["groups"]}
    # Bob sees Acme Home only: Alice's Trailhead answer (I11) is not counted.
    assert groups == {"alice": 1, "bob": 2, "(nobody)": 0}


def test_agent_of_no_account_sees_an_empty_page(scenario: Scenario) -> None:
    lonely = make_member("lonely", Role.AGENT, [])
    response = signed_in(lonely).get(reverse("analytics:dashboard"))
    assert response.status_code == 200
    assert response.context["data"]["inquiries"] == 0
    assert "Nothing received in the last 30 days." in response.content.decode()


def test_user_without_a_role_gets_404_for_page_and_export(scenario: Scenario) -> None:
    client = signed_in(scenario.outsider)
    assert client.get(reverse("analytics:dashboard")).status_code == 404
    assert client.get(reverse("analytics:export_csv")).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(scenario: Scenario) -> None:
    for name in ("analytics:dashboard", "analytics:export_csv"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("query", [{"days": "14"}, {"days": "x"}, {"by": "order"}])
def test_unknown_choices_are_refused(scenario: Scenario, query: dict[str, str]) -> None:
    client = signed_in(scenario.admin)
    assert client.get(reverse("analytics:dashboard"), query).status_code == 400
    assert client.get(reverse("analytics:export_csv"), query).status_code == 400


def test_page_runs_no_inline_script(scenario: Scenario) -> None:
    html = signed_in(scenario.admin).get(reverse("analytics:dashboard")).content.decode()
    scripts = html.split("<script")[1:]
    # Only the JSON data block and external files (the page header's own, Chart.js, the
    # dashboard's): every script is one or the other, so a `script-src 'self'` policy holds.
    data = [s for s in scripts if s.startswith(' id="dashboard-data" type="application/json">')]
    external = [
        s for s in scripts if ' src="/static/' in s and s.split(">", 1)[1].startswith("</script>")
    ]
    assert len(data) == 1
    assert len(data) + len(external) == len(scripts)
    assert "/static/analytics/dashboard.js" in html
    assert "/static/chart.js/chart.umd.min.js" in html


def test_dashboard_script_is_a_static_file() -> None:
    assert finders.find("analytics/dashboard.js") is not None
    assert finders.find("analytics/dashboard.css") is not None


def test_csv_export_holds_the_totals_and_one_row_per_group(scenario: Scenario) -> None:
    response = signed_in(scenario.admin).get(
        reverse("analytics:export_csv"), {"days": "30", "by": "account"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sellerdesk-figures-30d-by-account.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["group"], r["key"]) for r in rows] == [
        ("all", ""),
        ("Acme Home", str(scenario.acme.pk)),
        ("Trailhead", str(scenario.trail.pk)),
    ]
    total, acme, trail = rows
    assert (total["response_rate"], total["due_or_answered"], total["breached"]) == (
        "0.4286",
        "7",
        "3",
    )
    assert (total["first_response_mean_seconds"], total["first_response_median_seconds"]) == (
        "61200.0",
        "12600.0",
    )
    assert (total["resolution_median_seconds"], total["reopen_rate"]) == ("28800.0", "0.3333")
    assert (total["intent:where_is_my_order"], total["root_cause:none"]) == ("3", "2")
    assert (acme["response_rate"], acme["breached"], acme["intent:cancel"]) == ("0.3333", "3", "2")
    assert (trail["response_rate"], trail["intent:cancel"], trail["reopen_rate"]) == (
        "1.0",
        "0",
        "0.0",
    )
    assert (total["days"], total["as_of"]) == ("30", NOW.isoformat())
    assert datetime.fromisoformat(total["since"]) < NOW


def test_csv_export_defuses_names_a_spreadsheet_would_run(scenario: Scenario) -> None:
    scenario.trail.name = "=HYPERLINK(1)"
    scenario.trail.save()
    response = signed_in(scenario.admin).get(reverse("analytics:export_csv"))
    labels = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))]
    assert "'=HYPERLINK(1)" in labels
    assert "=HYPERLINK(1)" not in labels


def test_csv_export_for_an_agent_leaves_out_other_accounts(scenario: Scenario) -> None:
    response = signed_in(scenario.bob).get(reverse("analytics:export_csv"), {"by": "marketplace"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["group"], r["inquiries"]) for r in rows] == [("all", "8"), ("Walmart", "8")]


def test_chart_library_is_served_from_the_npm_install() -> None:
    # Installed by `npm ci` from package-lock.json and found through STATICFILES_DIRS, never
    # copied into the tree by hand.
    found = finders.find("chart.js/chart.umd.min.js")
    assert found is not None, "add node_modules/chart.js/dist to STATICFILES_DIRS and run npm ci"
    assert Path(str(found)).resolve().parts[-4:] == (
        "node_modules",
        "chart.js",
        "dist",
        "chart.umd.min.js",
    )
