"""The buyer panel: orders and spend, the repeat-buyer tier, returns, refunds and cases in
the last 30 days with the problem-buyer flag, and the buyer's timeline, all limited to the
accounts the user may see; and the admin page for the thresholds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer
from sellerdesk.customers.tiers import Tier
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.orders.models import Order
from sellerdesk.team.models import Role, TeamSettings
from sellerdesk.tickets.models import Ticket
from sellerdesk.workspace.panels import BuyerPanel, panel_context
from tests.factories import make_account, make_member, make_outsider
from tests.orders.builders import (
    ORDERED,
    add_line,
    add_message,
    add_return,
    make_customer,
    make_order,
    make_ticket,
)

pytestmark = pytest.mark.django_db

NOW = ORDERED + timedelta(days=10)


@pytest.fixture
def acme() -> SellerAccount:
    return make_account("Acme Home", time_zone="America/Chicago")


@pytest.fixture
def trailhead() -> SellerAccount:
    return make_account("Trailhead Outdoor")


@pytest.fixture
def team(acme: SellerAccount, trailhead: SellerAccount) -> dict[str, User]:
    return {
        "admin": make_member("ada", Role.ADMIN),
        "agent": make_member("alice", Role.AGENT, [acme]),
        "warehouse": make_member("wes", Role.WAREHOUSE, [acme]),
        "both": make_member("bea", Role.AGENT, [acme, trailhead]),
        "outsider": make_outsider(),
    }


@pytest.fixture
def buyer(acme: SellerAccount, trailhead: SellerAccount) -> Customer:
    """Three orders on Acme ($20 each, one refunded $5), two big ones on Trailhead."""
    mary = make_customer("Mary Smith")
    for days in (40, 20, 0):
        order = make_order(acme, customer=mary, order_date=ORDERED - timedelta(days=days))
        add_line(order, "1", "Delivered", price="20.00")
    refunded = oldest_order(acme)
    refunded.lines.update(refunded_amount=Decimal("5.00"), status_date=NOW - timedelta(days=2))
    for days in (30, 5):
        order = make_order(trailhead, customer=mary, order_date=ORDERED - timedelta(days=days))
        add_line(order, "1", "Delivered", price="300.00")
    return mary


def oldest_order(account: SellerAccount) -> Order:
    order = account.orders.order_by("order_date").first()
    assert order is not None
    return order


def panel_for(ticket: Ticket, user: User) -> BuyerPanel:
    ticket = Ticket.objects.select_related("account", "order", "customer").get(pk=ticket.pk)
    panel = panel_context(ticket, user, clock=FrozenClock(NOW))["buyer_panel"]
    assert isinstance(panel, BuyerPanel)
    return panel


def latest_order(account: SellerAccount, buyer: Customer) -> Order:
    order = account.orders.filter(customer=buyer).order_by("-order_date").first()
    assert order is not None
    return order


def test_an_agent_sees_the_buyer_as_their_own_accounts_know_them(
    acme: SellerAccount, buyer: Customer, team: dict[str, User]
) -> None:
    ticket = make_ticket(acme, order=latest_order(acme, buyer))

    panel = panel_for(ticket, team["agent"])

    assert (panel.orders, panel.spend, panel.tier) == (3, {"USD": Decimal("55.00")}, Tier.RETURNING)
    assert {entry.account for entry in panel.timeline} == {"Acme Home"}
    assert panel.accounts_seen == 1


def test_an_admin_sees_the_buyer_across_every_account(
    acme: SellerAccount, buyer: Customer, team: dict[str, User]
) -> None:
    ticket = make_ticket(acme, order=latest_order(acme, buyer))

    panel = panel_for(ticket, team["admin"])

    assert (panel.orders, panel.spend, panel.tier) == (5, {"USD": Decimal("655.00")}, Tier.LOYAL)
    assert {entry.account for entry in panel.timeline} == {"Acme Home", "Trailhead Outdoor"}


def test_the_agents_page_names_no_order_of_an_account_they_may_not_see(
    acme: SellerAccount, trailhead: SellerAccount, buyer: Customer, team: dict[str, User]
) -> None:
    ticket = make_ticket(acme, order=latest_order(acme, buyer))
    hidden = latest_order(trailhead, buyer)
    client = Client()
    client.force_login(team["agent"])

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert "Returning buyer" in html and "3 orders" in html
    assert hidden.purchase_order_id not in html
    assert "Trailhead" not in html


def test_thresholds_come_from_the_team_settings(
    acme: SellerAccount, buyer: Customer, team: dict[str, User]
) -> None:
    row = TeamSettings.load()
    row.returning_buyer_orders, row.loyal_buyer_orders = 2, 3
    row.save()
    ticket = make_ticket(acme, order=latest_order(acme, buyer))

    assert panel_for(ticket, team["agent"]).tier == Tier.LOYAL


def test_a_single_order_is_a_new_buyer_and_one_big_order_a_loyal_one(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    small, big = make_customer("Sam"), make_customer("Bill")
    add_line(make_order(acme, customer=small), "1", "Delivered", price="20.00")
    add_line(make_order(acme, customer=big), "1", "Delivered", price="250.00", quantity=2)

    tiers = [
        panel_for(make_ticket(acme, order=latest_order(acme, who)), team["agent"]).tier
        for who in (small, big)
    ]

    assert tiers == [Tier.NEW, Tier.LOYAL]


def test_a_fully_cancelled_order_is_neither_an_order_nor_spend(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    sam = make_customer("Sam")
    kept = make_order(acme, customer=sam)
    add_line(kept, "1", "Delivered", price="20.00")
    add_line(kept, "2", "Cancelled", price="99.00")
    add_line(make_order(acme, customer=sam), "1", "Cancelled", price="50.00")

    panel = panel_for(make_ticket(acme, order=kept), team["agent"])

    assert (panel.orders, panel.spend, panel.tier) == (1, {"USD": Decimal("20.00")}, Tier.NEW)


def test_returns_and_refunds_in_30_days_flag_a_problem_buyer_with_the_reason(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    sam = make_customer("Sam")
    order = make_order(acme, customer=sam)
    first = add_line(order, "1", "Delivered")
    second = add_line(order, "2", "Delivered")
    add_line(
        order, "3", "Delivered", refunded_amount=Decimal("3"), status_date=NOW - timedelta(days=1)
    )
    add_return(order, first, opened=NOW - timedelta(days=3))
    # Returned and refunded: one item, not two.
    add_return(order, second, opened=NOW - timedelta(days=4))
    second.refunded_amount, second.status_date = Decimal("20"), NOW - timedelta(days=2)
    second.save()
    # Long ago: outside the 30 days.
    add_return(order, first, opened=NOW - timedelta(days=45))

    panel = panel_for(make_ticket(acme, order=order), team["agent"])

    assert panel.returns_30d == 3
    assert panel.problem.reasons == (
        "3 items returned or refunded in the last 30 days (the team flags from 3)",
    )


def test_cases_in_30_days_flag_a_problem_buyer_and_older_ones_only_count_in_all(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    sam = make_customer("Sam")
    order = make_order(acme, customer=sam)
    for kind, days in (("walmart_case", 3), ("walmart_escalation", 10), ("walmart_case", 60)):
        make_ticket(acme, order=order, kind=kind, created_at=NOW - timedelta(days=days))
    make_ticket(acme, order=order, kind="buyer_walmart", created_at=NOW - timedelta(days=1))

    panel = panel_for(make_ticket(acme, order=order), team["agent"])

    assert (panel.cases_30d, panel.cases_total) == (2, 3)
    assert panel.problem.reasons == (
        "2 cases and escalations in the last 30 days (the team flags from 2)",
    )


def test_cases_on_an_account_the_agent_may_not_see_do_not_count(
    acme: SellerAccount, trailhead: SellerAccount, team: dict[str, User]
) -> None:
    sam = make_customer("Sam")
    mine, theirs = make_order(acme, customer=sam), make_order(trailhead, customer=sam)
    for _ in range(2):
        make_ticket(trailhead, order=theirs, kind="walmart_case", created_at=NOW)

    assert panel_for(make_ticket(acme, order=mine), team["agent"]).cases_30d == 0
    assert panel_for(make_ticket(acme, order=mine), team["both"]).cases_30d == 2


def test_the_timeline_mixes_orders_returns_and_messages_newest_first(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    sam = make_customer("Sam")
    order = make_order(acme, "1700000000077", customer=sam)
    line = add_line(order, "1", "Delivered", name="Blue Mug")
    add_return(order, line, reason="DAMAGED", opened=ORDERED + timedelta(days=8))
    ticket = make_ticket(acme, order=order, subject="Broken mug")
    add_message(ticket, "It <b>broke</b>", at=ORDERED + timedelta(days=9))
    add_message(ticket, "Sorry!", at=ORDERED + timedelta(days=9, hours=2), inbound=False)

    timeline = panel_for(ticket, team["agent"]).timeline

    assert [(e.kind, e.title, e.detail) for e in timeline] == [
        ("message_out", f"We replied on #{ticket.pk}", "Broken mug"),
        ("message_in", f"Buyer wrote on #{ticket.pk}", "Broken mug"),
        ("return", "Return of Blue Mug", "DAMAGED · INITIATED · NOT_REFUNDED"),
        ("order", "Order 1700000000077", "20.00 USD"),
    ]
    assert timeline[0].url == reverse("ticket_detail", args=[ticket.pk])


def test_a_ticket_whose_buyer_is_unknown_says_so(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    ticket = make_ticket(acme)
    client = Client()
    client.force_login(team["agent"])

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert "Not recognised yet" in html


def test_hostile_buyer_text_in_the_timeline_is_escaped(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    sam = make_customer('<img src=x onerror="alert(1)">')
    order = make_order(acme, customer=sam)
    ticket = make_ticket(acme, order=order, subject="<script>alert(2)</script>")
    add_message(ticket, "hi")
    client = Client()
    client.force_login(team["agent"])

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert "<script>alert(2)</script>" not in html
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


# --- the thresholds page -------------------------------------------------------------------


def test_an_admin_edits_the_thresholds_and_only_those_columns_change(
    team: dict[str, User],
) -> None:
    row = TeamSettings.load()
    row.claim_assigns = True
    row.save()
    client = Client()
    client.force_login(team["admin"])
    form = {
        "returning_buyer_orders": "3",
        "loyal_buyer_orders": "8",
        "loyal_buyer_spend": "750.00",
        "problem_buyer_returns_30d": "4",
        "problem_buyer_cases_30d": "0",
    }

    assert client.get(reverse("buyer_settings")).status_code == 200
    response = client.post(reverse("buyer_settings"), form)

    row.refresh_from_db()
    assert response.status_code == 302
    assert (
        row.returning_buyer_orders,
        row.loyal_buyer_orders,
        row.loyal_buyer_spend,
        row.problem_buyer_returns_30d,
        row.problem_buyer_cases_30d,
        row.claim_assigns,
    ) == (3, 8, Decimal("750.00"), 4, 0, True)


def test_thresholds_that_make_no_sense_are_refused_and_nothing_is_saved(
    team: dict[str, User],
) -> None:
    client = Client()
    client.force_login(team["admin"])
    form = {
        "returning_buyer_orders": "6",
        "loyal_buyer_orders": "4",
        "loyal_buyer_spend": "0",
        "problem_buyer_returns_30d": "3",
        "problem_buyer_cases_30d": "2",
    }

    response = client.post(reverse("buyer_settings"), form)

    row = TeamSettings.load()
    assert response.status_code == 422
    html = response.content.decode()
    assert "Loyal must need at least as many orders as returning." in html
    assert "Use an amount above zero." in html
    assert (row.returning_buyer_orders, row.loyal_buyer_orders) == (2, 5)


@pytest.mark.parametrize("who", ["agent", "warehouse", "outsider"])
def test_only_admins_reach_the_thresholds_page(team: dict[str, User], who: str) -> None:
    client = Client()
    client.force_login(team[who])

    assert client.get(reverse("buyer_settings")).status_code == 404
    assert client.post(reverse("buyer_settings"), {"loyal_buyer_orders": "1"}).status_code == 404
    assert TeamSettings.load().loyal_buyer_orders == 5
