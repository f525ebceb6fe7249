"""The snippet context read from a ticket: which line, several carriers, the number the buyer
knows, dates and refunds, the agent's name, a ticket without an order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from sellerdesk.lib.clock import FrozenClock
from sellerdesk.snippets.context import snippet_context
from sellerdesk.snippets.render import OrderState, render
from sellerdesk.team.models import Role
from sellerdesk.tickets.access import get_ticket_for_user
from tests.factories import make_account, make_member
from tests.snippets.builders import NOW, make_buyer, make_line, make_order, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@pytest.fixture
def agent() -> User:
    user = make_member("sam", Role.ADMIN)
    user.first_name = "Sam"
    user.last_name = "Lee"
    user.save()
    return user


def test_a_split_shipment_joins_carriers_and_takes_the_first_line(agent: User) -> None:
    account = make_account("Acme", time_zone="America/Chicago")
    order = make_order(account, "1000001", customer_order_id="200000000000001")
    # Created out of order: line "10" sorts after line "2" (numbers, not text).
    make_line(
        order,
        "10",
        sku="SHADE-9",
        carrier="FedEx",
        tracking_number="773512345678",
        tracking_url="https://www.fedex.com/fedextrack/?trknbr=773512345678",
        ship_date=datetime(2026, 11, 28, 18, tzinfo=UTC),
    )
    make_line(order, "2", sku="BULB-2", product_name="LED Bulb", status="Created")
    make_line(order, "1", sku="LAMP-01", product_name="Ceramic Table Lamp")
    ticket = get_ticket_for_user(agent, open_ticket(account, order=order).pk)

    context = snippet_context(ticket, agent, clock=FrozenClock(NOW))

    values = context.values()
    assert values["product_name"] == "Ceramic Table Lamp"
    assert values["sku"] == "LAMP-01"
    assert values["carrier"] == "UPS and FedEx"
    assert values["tracking_number"] == "1Z999AA10123456784, 773512345678"
    assert values["tracking_url"] == (
        "https://www.ups.com/track?tracknum=1Z999AA10123456784\n"
        "https://www.fedex.com/fedextrack/?trknbr=773512345678"
    )
    assert values["ship_date"] == "Friday, November 27"
    assert values["order_number"] == "200000000000001"
    assert values["est_delivery_date"] == "Tuesday, December 1"
    assert values["buyer_first_name"] == "Jane"
    assert values["agent_name"] == "Sam"
    assert values["store_name"] == "Acme"
    assert context.order == OrderState(shipped=True, delivered=False, refunded=False)


def test_the_line_the_ticket_is_about_wins_when_known(agent: User) -> None:
    account = make_account("Acme")
    order = make_order(account, "1000002")
    make_line(order, "1")
    second = make_line(order, "2", sku="BULB-2", product_name="LED Bulb")
    ticket = get_ticket_for_user(agent, open_ticket(account, order=order).pk)

    values = snippet_context(ticket, agent, line=second, clock=FrozenClock(NOW)).values()

    assert (values["product_name"], values["sku"]) == ("LED Bulb", "BULB-2")


def test_dates_follow_the_accounts_time_zone(agent: User) -> None:
    # 03:30 UTC on December 2: December 1 in Chicago, December 2 in Berlin.
    chicago = make_account("Chicago store", time_zone="America/Chicago")
    berlin = make_account("Berlin store", time_zone="Europe/Berlin")
    texts = []
    for account, number in ((chicago, "1000003"), (berlin, "1000004")):
        order = make_order(account, number)
        make_line(order, "1")
        ticket = get_ticket_for_user(
            agent, open_ticket(account, order=order, relay=f"{number}@relay.walmart.com").pk
        )
        texts.append(
            render(
                "By {est_delivery_date}.", snippet_context(ticket, agent, clock=FrozenClock(NOW))
            ).text
        )

    assert texts == ["By Tuesday, December 1.", "By Wednesday, December 2."]


def test_refunds_are_read_from_the_order_and_its_lines(agent: User) -> None:
    account = make_account("Acme")
    order = make_order(account, "1000005", refunded_total=Decimal("0"))
    make_line(order, "1", status="Delivered", refunded_amount=Decimal("12.5"))
    make_line(order, "2", status="Delivered", refunded_amount=Decimal("5"))
    ticket = get_ticket_for_user(agent, open_ticket(account, order=order).pk)

    context = snippet_context(ticket, agent, clock=FrozenClock(NOW))

    assert context.values()["refund_amount"] == "$17.50"
    assert context.order == OrderState(shipped=True, delivered=True, refunded=True)


def test_a_ticket_without_an_order_has_only_the_buyer_the_number_and_the_team(
    agent: User,
) -> None:
    account = make_account("Acme")
    buyer = make_buyer("Maria Lopez")
    ticket = get_ticket_for_user(
        agent, open_ticket(account, customer=buyer, order_number="5550001").pk
    )

    context = snippet_context(ticket, agent, clock=FrozenClock(NOW))
    rendered = render("Hi {buyer_first_name}, order {order_number}: {tracking_number}", context)

    assert rendered.text == "Hi Maria, order 5550001: {tracking_number}"
    assert rendered.missing == ("tracking_number",)
    assert context.order is None
    assert context.today == date(2026, 11, 29)


def test_the_agent_name_falls_back_to_the_full_name_then_the_login(agent: User) -> None:
    account = make_account("Acme")
    ticket = get_ticket_for_user(agent, open_ticket(account).pk)
    nameless = User.objects.create_user("jlee")

    assert snippet_context(ticket, agent, clock=FrozenClock(NOW)).agent_name == "Sam"
    assert snippet_context(ticket, nameless, clock=FrozenClock(NOW)).agent_name == "jlee"
    assert snippet_context(ticket, None, clock=FrozenClock(NOW)).agent_name == ""


def test_reading_the_context_costs_one_query_for_the_lines(
    agent: User, django_assert_num_queries: pytest.FixtureRequest
) -> None:
    account = make_account("Acme")
    order = make_order(account, "1000006")
    for n in range(1, 6):
        make_line(order, str(n))
    ticket = get_ticket_for_user(agent, open_ticket(account, order=order).pk)

    with django_assert_num_queries(1):  # type: ignore[operator]
        snippet_context(ticket, agent, clock=FrozenClock(NOW))
