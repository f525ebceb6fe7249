"""The ticket page in a real browser: the conversation with internal notes apart, a note whose
@mention lights the teammate's bell, snoozing, merging and undoing from the history, and
closing with a root cause."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Ticket
from tests.e2e.mail import buyer_mail, deliver, seller_account
from tests.factories import make_member

pytestmark = pytest.mark.e2e

OTHER_BUYER = "0c9a1f5b77e1aa00bb11cc22dd33ee44@relay.walmart.com"


def tent_ticket(account: SellerAccount) -> Ticket:
    return deliver(
        buyer_mail(
            "tent-1@relay.walmart.com",
            subject="Tent pole snapped on first use",
            text="The middle pole snapped the first time we set it up.",
            attachments=(("pole.jpg", b"\xff\xd8 jpeg"),),
        ),
        account,
    )


def open_ticket(page: Page, ticket: Ticket) -> None:
    page.goto(f"/tickets/{ticket.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{ticket.pk}")


def add_note(page: Page, text: str) -> None:
    page.get_by_label("Internal note").fill(text)
    page.get_by_role("button", name="Add note").click()


@pytest.fixture
def account() -> SellerAccount:
    return seller_account()


@pytest.fixture
def alice(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


def test_opening_a_ticket_shows_the_conversation_with_notes_set_apart(
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
    account: SellerAccount,
    alice: User,
) -> None:
    ticket = tent_ticket(account)
    make_member("bob", Role.AGENT, [account])
    page = sign_in(alice)
    open_ticket(page, ticket)

    add_note(page, "Asked the warehouse for photos of the batch. @bob FYI")

    expect(page.locator(".flash.success")).to_contain_text("Notified: @bob.")
    note = page.locator("article.note")
    expect(note).to_contain_text("Internal note")
    expect(note).to_contain_text("Asked the warehouse for photos")
    # The note reads after the buyer's message it is about, and looks nothing like it.
    message = page.locator("article.msg.in").first
    expect(message).to_contain_text("The middle pole snapped")
    expect(page.get_by_role("link", name="pole.jpg")).to_be_visible()
    note_style = note.evaluate("e => getComputedStyle(e).borderStyle")
    message_style = message.evaluate("e => getComputedStyle(e).borderStyle")
    assert (note_style, message_style) == ("dashed", "solid")
    expect(page.locator("#history")).to_be_visible()
    expect(page.locator("ol.history")).to_contain_text("Internal note added, notifying @bob")
    save_screenshot(page, "ticket-page-with-note")


def test_a_mention_shows_in_the_teammates_bell(
    sign_in: Callable[..., Page], account: SellerAccount, alice: User
) -> None:
    ticket = tent_ticket(account)
    bob = make_member("bob", Role.AGENT, [account])
    page = sign_in(alice)
    bob_page = sign_in(bob)
    bob_page.goto("/")
    expect(bob_page.locator("#bell-count")).to_have_text("")

    open_ticket(page, ticket)
    add_note(page, "@bob can you call the carrier about this one?")

    # Live over the bell's websocket: no reload on Bob's side.
    expect(bob_page.locator("#bell-count")).to_have_text("1")
    bob_page.get_by_title("Notifications").click()
    mention = bob_page.get_by_role("link", name=re.compile(rf"alice mentioned you on #{ticket.pk}"))
    mention.click()
    expect(bob_page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/#note-\d+$"))
    expect(bob_page.locator("article.note")).to_contain_text("can you call the carrier")


def test_snoozing_hides_the_ticket_until_tomorrow_and_unsnoozing_brings_it_back(
    sign_in: Callable[..., Page], account: SellerAccount, alice: User
) -> None:
    ticket = tent_ticket(account)
    page = sign_in(alice)
    open_ticket(page, ticket)

    page.get_by_role("button", name="Tomorrow 9:00").click()

    banner = page.locator("#snooze-state")
    expect(banner).to_contain_text("Snoozed until")
    expect(banner).to_contain_text("09:00 (America/Chicago)")
    ticket.refresh_from_db()
    assert ticket.snoozed_until is not None

    banner.get_by_role("button", name="Unsnooze").click()

    expect(page.locator("#snooze-state")).to_have_count(0)
    expect(page.locator("ol.history")).to_contain_text("Unsnoozed")


def test_merging_two_tickets_of_a_buyer_and_undoing_it(
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
    account: SellerAccount,
    alice: User,
) -> None:
    first = tent_ticket(account)
    second = deliver(
        buyer_mail(
            "tent-2@relay.walmart.com",
            subject="Also: can I get a replacement pole?",
            text="Could you send only the pole instead?",
        ),
        account,
    )
    assert second.pk != first.pk
    page = sign_in(alice)
    open_ticket(page, second)

    page.locator("#merge-into").select_option(str(first.pk))
    page.get_by_role("button", name="Merge", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/tickets/{first.pk}/$"))
    expect(page.locator("#conversation")).to_contain_text("Could you send only the pole instead?")
    row = page.locator("ol.history li", has_text=f"#{second.pk} merged into this ticket")
    expect(row).to_be_visible()
    save_screenshot(page, "ticket-page-merged")

    row.get_by_role("button", name="Undo").click()

    expect(page.locator(".flash.success")).to_have_text("Undone.")
    expect(page.locator("#conversation")).not_to_contain_text("Could you send only the pole")
    expect(page.locator("ol.history")).to_contain_text(f"Merge of #{second.pk} undone")
    second.refresh_from_db()
    assert (second.merged_into_id, second.messages.count()) == (None, 1)


def test_closing_asks_for_a_root_cause(
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
    account: SellerAccount,
    alice: User,
) -> None:
    ticket = tent_ticket(account)
    page = sign_in(alice)
    open_ticket(page, ticket)
    form = page.locator("#status-form")

    form.get_by_label("Status").select_option("closed")
    form.get_by_role("button", name="Save").click()

    expect(page.locator(".flash.error")).to_contain_text("Pick a root cause")
    expect(page.locator("#ticket-status")).to_have_text("New")
    # The choice made is still there, to complete.
    expect(page.locator("#status-form").get_by_label("Status")).to_have_value("closed")

    page.locator("#status-form").get_by_label(re.compile("^Root cause")).select_option(
        "damaged_in_shipping"
    )
    page.locator("#status-form").get_by_role("button", name="Save").click()

    expect(page.locator("#ticket-status")).to_have_text("Closed")
    expect(page.locator("ol.history")).to_contain_text(
        "Status: New → Closed, root cause: Damaged in shipping"
    )
    save_screenshot(page, "ticket-page-closed")
