"""The order panel beside the conversation, on orders in every state: WFS, a split shipment,
a partial refund, a return in progress, a cancelled line, a buyer's request to cancel; dates
in the account's time zone; who sees which actions; a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.orders.models import Order
from sellerdesk.team.models import Role, TeamSettings
from sellerdesk.tickets.models import Ticket
from sellerdesk.workspace.panels import OrderPanel, panel_context
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
CLOCK = FrozenClock(NOW)
UPS_URL = "https://www.ups.com/track?tracknum=1Z999AA10123456784"


@pytest.fixture
def acme() -> SellerAccount:
    return make_account("Acme Home", time_zone="America/Chicago")


@pytest.fixture
def team(acme: SellerAccount) -> dict[str, User]:
    TeamSettings.load()
    other = make_account("Trailhead")
    return {
        "admin": make_member("ada", Role.ADMIN),
        "agent": make_member("alice", Role.AGENT, [acme]),
        "warehouse": make_member("wes", Role.WAREHOUSE, [acme]),
        "other_agent": make_member("oscar", Role.AGENT, [other]),
        "outsider": make_outsider(),
    }


def page(user: User, ticket: Ticket) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("ticket_detail", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def order_panel(ticket: Ticket, user: User) -> OrderPanel:
    ticket = Ticket.objects.select_related("account", "order", "customer").get(pk=ticket.pk)
    panel = panel_context(ticket, user, clock=CLOCK)["order_panel"]
    assert isinstance(panel, OrderPanel)
    return panel


def action_url(ticket: Ticket, action: str, line: str | None = None) -> str:
    url = reverse("order_action", args=[ticket.pk, action])
    return f"{url}?line={line}" if line else url


def test_a_wfs_order_is_marked_as_walmarts_and_offers_no_action(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, wfs=True, customer=make_customer())
    add_line(order, "1", "Shipped", ship_date=ORDERED + timedelta(days=1), carrier="FedEx")
    ticket = make_ticket(acme, order=order)

    panel = order_panel(ticket, team["admin"])
    html = page(team["admin"], ticket)

    assert panel.order.is_wfs
    assert (panel.may_acknowledge, panel.lines[0].may_track, panel.lines[0].may_refund) == (
        False,
        False,
        False,
    )
    assert "Fulfilled and supported by Walmart" in html
    assert reverse("order_action", args=[ticket.pk, "refund"]) not in html
    assert reverse("order_action", args=[ticket.pk, "tracking"]) not in html


def test_a_split_shipment_shows_each_lines_own_carrier_tracking_and_progress(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, customer=make_customer())
    shipped = ORDERED + timedelta(days=1)
    add_line(
        order,
        "1",
        "Shipped",
        ship_date=shipped,
        carrier="UPS",
        tracking_number="1Z999AA10123456784",
        tracking_url=UPS_URL,
        image_url="https://i5.walmartimages.com/asr/mug.jpeg",
    )
    add_line(
        order, "2", "Shipped", ship_date=shipped + timedelta(days=1), carrier="FedEx",
        tracking_number="612345678901",
    )  # fmt: skip
    ticket = make_ticket(acme, order=order, intent="where_is_my_order")

    panel = order_panel(ticket, team["agent"])
    html = page(team["agent"], ticket)

    assert [(p.line.carrier, p.tracking_link) for p in panel.lines] == [
        ("UPS", UPS_URL),
        ("FedEx", "https://www.fedex.com/fedextrack/?trknbr=612345678901"),
    ]
    assert [[s.state for s in p.progress.steps] for p in panel.lines] == [
        ["done", "done", "done", "current", "todo"]
    ] * 2
    # NOW is three days past the estimate and neither parcel arrived.
    assert [(p.progress.late, p.progress.days_late) for p in panel.lines] == [(True, 3)] * 2
    assert (
        f'<a href="{UPS_URL}" target="_blank" rel="noopener noreferrer">1Z999AA10123456784</a>'
        in html
    )
    assert ">612345678901</a>" in html
    assert (
        '<img src="https://i5.walmartimages.com/asr/mug.jpeg" alt="" width="56" height="56" '
        'loading="lazy"' in html
    )
    assert html.count("Late: ") == 2


def test_a_partial_refund_shows_what_was_refunded_and_what_is_left(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, customer=make_customer())
    add_line(
        order,
        "1",
        "Delivered",
        price="20.00",
        ship_date=ORDERED + timedelta(days=1),
        refunded_amount=Decimal("5.00"),
        refund_reasons=["DamagedItem"],
    )
    ticket = make_ticket(acme, order=order)

    panel = order_panel(ticket, team["agent"])
    html = page(team["agent"], ticket)

    assert (panel.lines[0].refundable, panel.lines[0].may_refund) == (Decimal("15.00"), True)
    assert "Refunded 5.00 USD (DamagedItem)" in html
    assert "up to 15.00 USD" in html
    assert action_url(ticket, "refund", "1").replace("&", "&amp;") in html


def test_a_return_in_progress_shows_its_reason_state_and_journey(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, customer=make_customer())
    line = add_line(order, "1", "Delivered", ship_date=ORDERED + timedelta(days=1))
    opened = ORDERED + timedelta(days=8)
    add_return(
        order,
        line,
        reason="DAMAGED",
        status="INITIATED",
        refund_status="NOT_REFUNDED",
        opened=opened,
        events=[("RETURN_INITIATED", "Return initiated", opened)],
    )
    ticket = make_ticket(acme, order=order)

    panel = order_panel(ticket, team["agent"])
    html = page(team["agent"], ticket)

    [returned] = panel.lines[0].returns
    assert returned.events == [("Return initiated", opened)]
    assert "Reason DAMAGED · INITIATED · refund NOT_REFUNDED · 20.00 USD" in html
    assert "Return initiated" in html


def test_a_cancelled_line_says_when_and_why_and_offers_nothing(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, customer=make_customer())
    add_line(order, "1", "Cancelled", cancellation_reason="SELLER_CANCEL_OUT_OF_STOCK")
    add_line(order, "2", "Acknowledged")
    ticket = make_ticket(acme, order=order)

    panel = order_panel(ticket, team["admin"])
    html = page(team["admin"], ticket)

    cancelled, open_line = panel.lines
    assert cancelled.progress.cancelled and not cancelled.progress.late
    assert (cancelled.may_track, cancelled.may_cancel, cancelled.may_refund) == (
        False,
        False,
        False,
    )
    assert (open_line.may_track, open_line.may_cancel, open_line.may_refund) == (
        True,
        True,
        False,
    )
    # 16:00 UTC is 10:00 in Chicago, still March 1.
    assert "Cancelled Mar 1, 2025 (SELLER_CANCEL_OUT_OF_STOCK)" in html


def test_the_buyers_request_to_cancel_shows_on_the_order_and_the_line(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, customer=make_customer())
    add_line(order, "1", "Created", intent_to_cancel=True)
    ticket = make_ticket(acme, order=order, intent="cancel_request")

    panel = order_panel(ticket, team["agent"])
    html = page(team["agent"], ticket)

    assert (panel.intent_to_cancel, panel.may_acknowledge) == (True, True)
    assert "The buyer asked to cancel this line" in html
    assert action_url(ticket, "acknowledge") in html


def test_dates_show_in_the_accounts_time_zone(acme: SellerAccount, team: dict[str, User]) -> None:
    order = make_order(acme, customer=make_customer())
    add_line(order, "1", "Created")
    ticket = make_ticket(acme, order=order)

    html = page(team["agent"], ticket)

    # 15:00 UTC on March 1 is 09:00 Central Standard Time.
    assert "Placed Mar 1, 2025 09:00 CST" in html


def test_a_ticket_without_an_order_says_so_and_offers_the_buyers_orders_to_link(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    buyer = make_customer()
    order = make_order(acme, customer=buyer)
    add_line(order, "1", "Created")
    ticket = make_ticket(acme, customer=buyer)

    html = page(team["agent"], ticket)

    assert "No order linked" in html
    assert "Link one of this buyer's orders" in html
    assert f'name="order_number" value="{order.purchase_order_id}"' in html


def test_the_switch_button_relinks_the_ticket_through_the_side_form(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    buyer = make_customer()
    first, second = make_order(acme, customer=buyer), make_order(acme, customer=buyer)
    ticket = make_ticket(acme, order=first)
    client = Client()
    client.force_login(team["agent"])

    response = client.post(
        reverse("ticket_update", args=[ticket.pk]),
        {"order_number": second.purchase_order_id, "version": ticket.version},
    )

    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.order_id == second.pk


def test_warehouse_staff_see_the_order_with_tracking_but_not_money_actions(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, customer=make_customer())
    add_line(order, "1", "Acknowledged")
    add_line(order, "2", "Delivered", ship_date=ORDERED + timedelta(days=1))
    ticket = make_ticket(acme, order=order)

    html = page(team["warehouse"], ticket)

    assert f"Order {order.purchase_order_id}" in html
    assert action_url(ticket, "tracking", "1").replace("&", "&amp;") in html
    assert reverse("order_action", args=[ticket.pk, "cancel"]) not in html
    assert reverse("order_action", args=[ticket.pk, "refund"]) not in html
    assert "Switch to another order" not in html


@pytest.mark.parametrize("who", ["other_agent", "outsider"])
def test_users_without_the_account_get_404_for_the_ticket_with_its_panels(
    acme: SellerAccount, team: dict[str, User], who: str
) -> None:
    order = make_order(acme, customer=make_customer())
    add_line(order, "1", "Created")
    ticket = make_ticket(acme, order=order)
    client = Client()
    client.force_login(team[who])

    assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 404


def _ticket_with_history(acme: SellerAccount, lines: int, orders: int) -> Ticket:
    """A ticket whose order has `lines` lines (each shipped, one returned) and whose buyer
    has `orders` other orders, returns and messages."""
    buyer = make_customer()
    order = make_order(acme, customer=buyer)
    for n in range(1, lines + 1):
        line = add_line(
            order, str(n), "Delivered", ship_date=ORDERED, carrier="UPS", tracking_number=f"1Z{n}"
        )
        add_return(order, line, opened=NOW - timedelta(days=2))
    for _ in range(orders):
        other = make_order(acme, customer=buyer, order_date=ORDERED - timedelta(days=3))
        add_line(other, "1", "Delivered", refunded_amount=Decimal("1"))
    ticket = make_ticket(acme, order=order)
    for n in range(orders):
        add_message(ticket, f"message {n}", at=NOW - timedelta(hours=n))
        make_ticket(acme, order=order, kind="walmart_case", created_at=NOW - timedelta(days=1))
    return Ticket.objects.select_related("account", "order", "customer").get(pk=ticket.pk)


def test_the_panels_take_thirteen_queries_whatever_the_size_of_the_order_and_history(
    acme: SellerAccount, team: dict[str, User], django_assert_num_queries: object
) -> None:
    small = _ticket_with_history(acme, lines=1, orders=1)
    large = _ticket_with_history(acme, lines=6, orders=9)

    for ticket in (small, large):
        with django_assert_num_queries(13):  # type: ignore[operator]
            context = panel_context(ticket, team["agent"], clock=CLOCK)
        assert context["order_panel"] is not None and context["buyer_panel"] is not None


def test_the_ticket_page_with_its_panels_makes_as_many_queries_for_a_big_order_as_a_small_one(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    small = _ticket_with_history(acme, lines=1, orders=1)
    large = _ticket_with_history(acme, lines=6, orders=9)
    client = Client()
    client.force_login(team["agent"])
    counts = []
    for ticket in (small, large, small):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("ticket_detail", args=[ticket.pk]))
        assert response.status_code == 200
        counts.append(len(queries))

    # The first load may warm caches (sessions, settings rows): compare like with like.
    assert counts[1] == counts[2], counts


def test_an_image_that_is_not_https_is_not_shown(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, customer=make_customer())
    add_line(order, "1", "Created", image_url="http://cdn.example/plain.jpeg")
    ticket = make_ticket(acme, order=order)

    html = page(team["agent"], ticket)

    assert "cdn.example" not in html
    assert '<span class="no-image"' in html


def test_the_ticket_page_policy_allows_https_images_and_still_no_foreign_scripts(
    acme: SellerAccount, team: dict[str, User]
) -> None:
    order = make_order(acme, customer=make_customer())
    ticket = make_ticket(acme, order=order)
    client = Client()
    client.force_login(team["agent"])

    response = client.get(reverse("ticket_detail", args=[ticket.pk]))

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["img-src"] == "'self' data: https:"
    assert policy["script-src"] == "'self'"


def test_order_status_dates_use_the_time_zone_of_the_tickets_account(
    team: dict[str, User],
) -> None:
    tokyo = make_account("Tokyo Shop", time_zone="Asia/Tokyo")
    order = make_order(
        tokyo, customer=make_customer(), order_date=datetime(2025, 3, 1, 20, 0, tzinfo=UTC)
    )
    add_line(order, "1", "Created")
    ticket = make_ticket(tokyo, order=order)

    html = page(team["admin"], ticket)

    # 20:00 UTC on March 1 is already March 2 in Tokyo.
    assert "Placed Mar 2, 2025 05:00 JST" in html
    assert isinstance(Order.objects.get(pk=order.pk).order_date, datetime)
