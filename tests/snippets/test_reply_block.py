"""The reply guard refuses a reply that still holds an unfilled snippet variable, names what
is missing, changes nothing, and lets no override through; the composer's live check says
so as the agent types."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.snippets.context import snippet_context
from sellerdesk.snippets.render import render
from sellerdesk.snippets.starter import STARTER_LIBRARY
from sellerdesk.tickets import actions
from sellerdesk.tickets.access import get_ticket_for_user
from sellerdesk.tickets.guard import check_reply
from sellerdesk.tickets.models import Message, Outbox, Ticket, TicketEvent
from tests.snippets.builders import make_line, make_order, open_ticket
from tests.snippets.conftest import signed_in

pytestmark = pytest.mark.django_db

UNFILLED = "Hi Jane, your order left with UPS. Tracking number: {tracking_number}. Thanks, Alice"
FILLED = "Hi Jane, your order left with UPS. Tracking number: 1Z999AA10123456784. Thanks, Alice"


def snapshot(ticket: Ticket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.version,
        Message.objects.filter(direction="out").count(),
        Outbox.objects.count(),
        TicketEvent.objects.count(),
    )


def test_a_reply_with_an_unfilled_variable_is_blocked_with_the_name_missing(
    shipped_ticket: Ticket, team: dict[str, User]
) -> None:
    before = snapshot(shipped_ticket)

    with pytest.raises(actions.ComplianceBlocked) as refused:
        actions.do_reply(shipped_ticket, author=team["agent"], text=UNFILLED)

    [finding] = [f for f in refused.value.verdict.findings if f.rule == "snippet_variable"]
    assert finding.excerpt == "{tracking_number}"
    assert UNFILLED[finding.start : finding.end] == "{tracking_number}"
    assert finding.explanation.startswith("Missing tracking number:")
    assert snapshot(shipped_ticket) == before


def test_no_override_sends_an_unfilled_variable(
    shipped_ticket: Ticket, team: dict[str, User]
) -> None:
    admin = team["admin"]
    admin.user_permissions.add(Permission.objects.get(codename="override_compliance"))
    admin = User.objects.get(pk=admin.pk)  # fresh permission cache
    before = snapshot(shipped_ticket)

    with pytest.raises(actions.ComplianceBlocked):
        actions.do_reply(
            shipped_ticket, author=admin, text=UNFILLED, override_reason="I know what I do"
        )

    assert snapshot(shipped_ticket) == before


def test_the_filled_in_reply_goes(shipped_ticket: Ticket, team: dict[str, User]) -> None:
    assert check_reply(shipped_ticket, FILLED).verdict == "ok"

    actions.do_reply(shipped_ticket, author=team["agent"], text=FILLED)

    assert Outbox.objects.count() == 1


def test_sending_from_the_page_is_refused_with_the_missing_names(
    shipped_ticket: Ticket, team: dict[str, User]
) -> None:
    before = snapshot(shipped_ticket)

    response = signed_in(team["agent"]).post(
        reverse("ticket_reply", args=[shipped_ticket.pk]), {"text": UNFILLED}
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Missing tracking number" in page
    assert '<mark class="block">{tracking_number}</mark>' in page
    assert snapshot(shipped_ticket) == before


def test_the_live_check_flags_the_unfilled_variable_as_the_agent_types(
    shipped_ticket: Ticket, team: dict[str, User]
) -> None:
    response = signed_in(team["agent"]).post(
        reverse("ticket_check", args=[shipped_ticket.pk]), {"text": UNFILLED}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Blocked" in page
    assert "Missing tracking number" in page


def test_a_literal_brace_that_is_no_variable_is_left_alone(
    shipped_ticket: Ticket,
) -> None:
    assert check_reply(shipped_ticket, "Your code is {ABC-123}, see you soon.").verdict == "ok"


def test_the_orders_own_number_is_no_tracking_number_before_shipping(
    unshipped_ticket: Ticket, team: dict[str, User]
) -> None:
    # A 15-digit Walmart customer order number looks like a FedEx tracking number.
    text = "We have received your request to cancel order 200000000000002 and are cancelling it."
    other = "Your tracking number is 200000000000777."

    assert check_reply(unshipped_ticket, text).verdict == "ok"
    assert [f.rule for f in check_reply(unshipped_ticket, other).findings] == ["misleading"]


@pytest.mark.parametrize("state", ["Acknowledged", "Shipped", "Delivered"])
def test_a_starter_snippet_the_picker_offers_clean_is_never_blocked_at_send(
    account: SellerAccount, team: dict[str, User], state: str
) -> None:
    # Ready (every value there) and consistent with the order (no contradiction): then the
    # reply guard must let it go, on Walmart's own 15-digit customer order numbers too.
    order = make_order(
        account,
        "1000009",
        customer_order_id="200000000000009",
        refunded_total=Decimal("24.99") if state == "Delivered" else Decimal("0"),
    )
    make_line(order, "1", status=state)
    ticket = get_ticket_for_user(team["agent"], open_ticket(account, order=order).pk)
    context = snippet_context(ticket, team["agent"])
    offered = 0
    for snippet in STARTER_LIBRARY:
        rendered = render(snippet.body, context)
        if rendered.ready and not rendered.contradictions:
            offered += 1
            verdict = check_reply(ticket, rendered.text)
            assert verdict.verdict != "block", (snippet.title, verdict.findings)
    assert offered >= 5
