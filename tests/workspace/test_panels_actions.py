"""Order actions from the panel's pages: the form, the review that says what will happen,
"Confirm", and back to the ticket; a refusal shown on the form; who may reach which page.
The Walmart behind them is the real emulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.walmart.emulator import EmulatorHandle
from sellerdesk.orders.models import OrderLine
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Ticket, TicketEvent
from tests.factories import make_account, make_member, make_outsider
from tests.marketplaces.order_actions_support import (
    local,
    pick,
    running_emulator,
    synced_ticket,
    walmart,
)
from tests.marketplaces.sync.support import SharedClock, point_at
from tests.orders.builders import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> SharedClock:
    return SharedClock()


@pytest.fixture
def emulator(clock: SharedClock) -> Iterator[EmulatorHandle]:
    with running_emulator(clock) as handle:
        yield handle


@pytest.fixture
def shop(emulator: EmulatorHandle) -> SellerAccount:
    account = make_account("Acme Home")
    point_at(account, emulator)
    return account


@pytest.fixture
def team(shop: SellerAccount) -> dict[str, User]:
    return {
        "admin": make_member("ada", Role.ADMIN),
        "agent": make_member("alice", Role.AGENT, [shop]),
        "warehouse": make_member("wes", Role.WAREHOUSE, [shop]),
        "other_agent": make_member("oscar", Role.AGENT, [make_account("Trailhead")]),
        "outsider": make_outsider(),
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(ticket: Ticket, action: str) -> str:
    return reverse("order_action", args=[ticket.pk, action])


@pytest.fixture
def delivered(shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock) -> Ticket:
    order, _ = pick(emulator, "Delivered")
    return synced_ticket(shop, emulator, clock, order.po)


def only_line(ticket: Ticket) -> OrderLine:
    po = ticket.order
    assert po is not None
    line = OrderLine.objects.filter(order=po, status="Delivered").order_by("line_number").first()
    assert line is not None
    return line


def test_refunding_from_the_panel_is_form_review_confirm_and_back_to_the_ticket(
    delivered: Ticket, emulator: EmulatorHandle, team: dict[str, User]
) -> None:
    client = signed_in(team["agent"])
    line = only_line(delivered)
    form = {"line": line.line_number, "mode": "partial", "amount": "4.25", "reason": "DamagedItem"}
    calls = emulator.emulator.request_count

    shown = client.get(url(delivered, "refund") + f"?line={line.line_number}")
    review = client.post(url(delivered, "refund"), form)

    assert shown.status_code == 200 and review.status_code == 200
    # The reason that fits the ticket's intent (damaged item) is offered first.
    assert '<option value="DamagedItem" selected>' in shown.content.decode()
    text = review.content.decode()
    assert f"Refund $4.25 on line {line.line_number}" in text
    assert 'name="confirm"' in text
    # Reviewing asks nothing of Walmart and changes nothing.
    assert emulator.emulator.request_count == calls
    assert only_line(delivered).refunded_amount == 0

    seen = delivered.order.content_hash  # type: ignore[union-attr]
    done = client.post(url(delivered, "refund"), {**form, "confirm": "1", "seen": seen})

    assert done.status_code == 302
    assert done["Location"] == reverse("ticket_detail", args=[delivered.pk]) + "#order-panel"
    assert only_line(delivered).refunded_amount == Decimal("4.25")
    assert TicketEvent.objects.get(ticket=delivered).kind == "order_line_refunded"
    page = client.get(done["Location"]).content.decode()
    assert "Done: Refund $4.25" in page
    assert "Refunded 4.25 USD (DamagedItem)" in page


def test_a_second_confirm_of_the_same_review_refunds_nothing_more(
    delivered: Ticket, emulator: EmulatorHandle, team: dict[str, User]
) -> None:
    client = signed_in(team["agent"])
    line = only_line(delivered)
    form = {
        "line": line.line_number,
        "mode": "partial",
        "amount": "1.00",
        "reason": "DamagedItem",
        "confirm": "1",
        "seen": delivered.order.content_hash,  # type: ignore[union-attr]
    }

    first = client.post(url(delivered, "refund"), form)
    after_first = local(delivered)
    second = client.post(url(delivered, "refund"), form)

    assert (first.status_code, second.status_code) == (302, 422)
    assert "changed since you reviewed" in second.content.decode()
    assert local(delivered) == after_first
    assert only_line(delivered).refunded_amount == Decimal("1.00")


def test_a_refund_above_the_line_is_refused_on_the_form_with_the_limit(
    delivered: Ticket, emulator: EmulatorHandle, team: dict[str, User]
) -> None:
    client = signed_in(team["agent"])
    line = only_line(delivered)
    before, calls = local(delivered), emulator.emulator.request_count
    charged = line.unit_price * line.quantity

    response = client.post(
        url(delivered, "refund"),
        {"line": line.line_number, "mode": "partial", "amount": "99999", "reason": "DamagedItem"},
    )

    assert response.status_code == 422
    assert (
        f"At most ${charged} can be refunded on line {line.line_number}: ${charged} charged, "
        "$0.00 refunded already." in response.content.decode()
    )
    assert (local(delivered), emulator.emulator.request_count) == (before, calls)


def test_walmart_refusing_at_confirm_is_shown_on_the_form_and_changes_nothing(
    delivered: Ticket, emulator: EmulatorHandle, team: dict[str, User]
) -> None:
    client = signed_in(team["agent"])
    line = only_line(delivered)
    po = delivered.order.purchase_order_id  # type: ignore[union-attr]
    state_line = emulator.emulator.state.by_po[po].lines[int(line.line_number) - 1]
    state_line.refunds.append((10**7, 0, "Others"))  # refunded in Seller Center meanwhile
    before, there = local(delivered), walmart(emulator, po)

    response = client.post(
        url(delivered, "refund"),
        {
            "line": line.line_number,
            "mode": "full",
            "reason": "DamagedItem",
            "confirm": "1",
            "seen": delivered.order.content_hash,  # type: ignore[union-attr]
        },
    )

    assert response.status_code == 422
    text = response.content.decode()
    assert "Not done." in text
    assert f"Walmart refused the refund: Line {line.line_number} has been refunded in full" in text
    assert (local(delivered), walmart(emulator, po)) == (before, there)


def test_warehouse_staff_may_add_tracking_but_not_refund_or_cancel(
    delivered: Ticket, team: dict[str, User]
) -> None:
    client = signed_in(team["warehouse"])
    before = local(delivered)

    assert client.get(url(delivered, "tracking")).status_code == 200
    assert client.get(url(delivered, "refund")).status_code == 403
    assert client.get(url(delivered, "cancel")).status_code == 403
    refused = client.post(
        url(delivered, "refund"),
        {"line": only_line(delivered).line_number, "mode": "full", "reason": "DamagedItem", "confirm": "1"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert local(delivered) == before


@pytest.mark.parametrize("who", ["other_agent", "outsider"])
def test_users_who_may_not_see_the_ticket_get_404_on_every_order_action(
    delivered: Ticket, team: dict[str, User], who: str
) -> None:
    client = signed_in(team[who])
    before = local(delivered)

    for action in ("acknowledge", "tracking", "cancel", "refund"):
        assert client.get(url(delivered, action)).status_code == 404
        assert client.post(url(delivered, action), {"confirm": "1"}).status_code == 404
    assert local(delivered) == before


def test_an_admin_reaches_every_order_action_form(delivered: Ticket, team: dict[str, User]) -> None:
    client = signed_in(team["admin"])

    assert [client.get(url(delivered, a)).status_code for a in ("acknowledge", "tracking", "cancel", "refund")] == [200] * 4  # fmt: skip
    assert client.get(url(delivered, "explode")).status_code == 404


def test_the_tracking_form_starts_from_what_walmart_has_for_a_correction(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, team: dict[str, User]
) -> None:
    order, line = pick(emulator, "Shipped")
    ticket = synced_ticket(shop, emulator, clock, order.po)

    text = (
        signed_in(team["agent"])
        .get(url(ticket, "tracking") + f"?line={line.number}")
        .content.decode()
    )

    assert f'<option value="{line.carrier}" selected>' in text
    assert f'value="{line.tracking_number}"' in text


def test_the_action_pages_work_without_a_linked_order(
    shop: SellerAccount, team: dict[str, User]
) -> None:
    ticket = make_ticket(shop)

    response = signed_in(team["agent"]).get(url(ticket, "refund"))

    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_detail", args=[ticket.pk])
