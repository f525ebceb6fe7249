"""In the browser: inserting a snippet by keyboard (rendered for the ticket's order), a send
refused because a snippet variable has no value, and finding a ticket by its order number
from the header search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import system_clock
from sellerdesk.snippets.library import seed_starter_library
from sellerdesk.snippets.render import buyer_date
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Outbox, Ticket
from tests.factories import make_account, make_member
from tests.snippets.builders import make_line, make_order, open_ticket

pytestmark = pytest.mark.e2e

ZONE = "America/Chicago"


@pytest.fixture
def shop(transactional_db: None) -> SellerAccount:
    seed_starter_library()  # the flush of an earlier browser test emptied the table
    return make_account(
        "Acme Home",
        support_address="care@acme.example",
        sender_address="care@acme.example",
        time_zone=ZONE,
    )


@pytest.fixture
def alice(shop: SellerAccount) -> User:
    user = make_member("alice", Role.AGENT, [shop])
    user.first_name = "Alice"
    user.save()
    return user


def reply_box(page: Page) -> object:
    return page.get_by_label("Reply to the buyer")


def test_an_agent_inserts_a_snippet_by_keyboard_with_carrier_and_date_filled_in(
    sign_in: Callable[[User], Page],
    save_screenshot: Callable[[Page, str], Path],
    shop: SellerAccount,
    alice: User,
) -> None:
    now = system_clock.now()
    estimate = now + timedelta(days=2)
    order = make_order(shop, "1796253087501", estimated_delivery=estimate)
    make_line(order, "1", carrier="UPS", ship_date=now - timedelta(days=1))
    ticket = open_ticket(shop, order=order)
    today = now.astimezone(ZoneInfo(ZONE)).date()
    page = sign_in(alice)
    page.goto(f"/tickets/{ticket.pk}/")

    box = page.locator("textarea[name=text]")
    box.click()
    box.press("Control+Space")
    search = page.locator("#snippet-search")
    expect(search).to_be_focused()
    search.fill("where order its way")
    expect(page.locator(".snippet-option")).to_have_count(1)
    expect(page.locator(".snippet-option").first).to_have_attribute("aria-selected", "true")
    # The preview shows the message as it will go.
    expect(page.locator(".snippet-option .snippet-preview").first).to_contain_text("with UPS")
    save_screenshot(page, "snippet-picker-open")
    search.press("Enter")

    text = box.input_value()
    assert text.startswith("Hi Jane,\n\nThank you for checking on order 21796253087501.")
    assert "left our warehouse on" in text and "with UPS and is on its way" in text
    assert f"The estimated delivery date is {buyer_date(estimate, ZONE, today)}." in text
    assert text.endswith("Best regards,\nAlice\nAcme Home")
    assert "{" not in text
    expect(box).to_be_focused()
    expect(page.locator("#guard")).to_contain_text("No problems found")
    save_screenshot(page, "snippet-inserted")


def test_a_snippet_missing_a_value_is_refused_and_its_send_is_blocked(
    sign_in: Callable[[User], Page],
    save_screenshot: Callable[[Page, str], Path],
    shop: SellerAccount,
    alice: User,
) -> None:
    order = make_order(shop, "1796253087502")
    make_line(order, "1", status="Acknowledged")  # not shipped: no carrier, no tracking
    ticket = open_ticket(shop, order=order)
    page = sign_in(alice)
    page.goto(f"/tickets/{ticket.pk}/")
    box = page.locator("textarea[name=text]")
    box.click()
    box.press("Control+Space")
    search = page.locator("#snippet-search")
    search.fill("where order its way")
    expect(page.locator(".snippet-option")).to_have_count(1)

    search.press("Enter")

    expect(page.locator("#snippet-status")).to_contain_text(
        "Not inserted: this ticket has no ship date, carrier, tracking number, tracking link."
    )
    assert box.input_value() == ""

    search.press("Alt+Enter")  # insert anyway, with the gaps marked to fill in
    assert "{tracking_number}" in box.input_value()
    expect(page.locator("#guard")).to_contain_text("Missing tracking number")
    page.get_by_role("button", name="Send reply").click()

    expect(page.locator(".flash.error")).to_contain_text("Not sent")
    expect(page.locator("#guard")).to_contain_text("Missing carrier")
    assert "{tracking_number}" in page.locator("textarea[name=text]").input_value()
    assert not Outbox.objects.filter(message__ticket=ticket).exists()
    save_screenshot(page, "snippet-send-blocked")


def test_finding_a_ticket_by_its_order_number_from_anywhere(
    sign_in: Callable[[User], Page],
    save_screenshot: Callable[[Page, str], Path],
    shop: SellerAccount,
    alice: User,
) -> None:
    order = make_order(shop, "1796253087503")
    make_line(order, "1")
    wanted: Ticket = open_ticket(shop, order=order, subject="Lamp still not here")
    open_ticket(shop, subject="Another question", relay="1" * 32 + "@relay.walmart.com")
    page = sign_in(alice)
    page.goto("/tickets/")

    page.keyboard.press("/")  # from anywhere outside a text field
    header = page.locator("#global-search")
    expect(header).to_be_focused()
    header.fill("1796253087503")
    header.press("Enter")

    expect(page.locator("#search-exact-title")).to_have_text("Order 1796253087503")
    save_screenshot(page, "search-order-number")
    page.locator("#global-search").press("ArrowDown")  # the first hit takes the focus
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{wanted.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lamp still not here")
