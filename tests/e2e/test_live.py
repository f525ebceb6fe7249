"""Live collaboration in two real browsers (two signed-in Chromium sessions): each agent sees
the other viewing and typing; when both answer the same ticket, the first reply goes out and
the second is held, showing the first. And the inbox: a marker on the ticket the other agent
has open, and new mail appearing without a reload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Draft, Message, Ticket
from tests.e2e.mail import buyer_mail, deliver, seller_account
from tests.factories import make_member

pytestmark = pytest.mark.e2e

ALICE_SAYS = "Your lamp left our warehouse today; tracking follows."
BOB_SAYS = "Sorry for the wait, we are checking with the carrier."


@pytest.fixture
def account() -> SellerAccount:
    return seller_account()


@pytest.fixture
def alice(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


@pytest.fixture
def bob(account: SellerAccount) -> User:
    return make_member("bob", Role.AGENT, [account])


def lamp_ticket(account: SellerAccount, n: int = 1) -> Ticket:
    return deliver(
        buyer_mail(
            f"lamp-{n}@relay.walmart.com",
            subject=f"Where is my lamp? ({n})",
            text="I ordered a lamp two weeks ago. Where is it?",
            sender=f"{n:032x}@relay.walmart.com",
        ),
        account,
    )


def test_two_agents_see_each_other_and_the_second_send_is_held(
    sign_in: Callable[[User], Page],
    save_screenshot: Callable[[Page, str], Path],
    account: SellerAccount,
    alice: User,
    bob: User,
) -> None:
    ticket = lamp_ticket(account)
    # Both sign in first: the in-memory test database locks whole tables, and a session
    # written while the other's socket reads sessions could fail on that.
    page_b, page_a = sign_in(bob), sign_in(alice)
    page_b.goto(f"/tickets/{ticket.pk}/")
    page_a.goto(f"/tickets/{ticket.pk}/")

    # Each sees the other.
    expect(page_b.locator("#presence")).to_contain_text("alice is viewing")
    expect(page_a.locator("#presence")).to_contain_text("bob is viewing")

    # Alice types: Bob sees it, and sees her as the one replying (the ticket is unassigned).
    page_a.locator("textarea[data-typing=reply]").press_sequentially("Your lamp", delay=30)
    expect(page_b.locator("#presence")).to_contain_text("alice is typing a reply")
    expect(page_b.locator("#presence .claim")).to_have_text("replying")
    save_screenshot(page_b, "live-bob-sees-alice-typing")

    # Bob writes his own answer meanwhile (on the page he loaded before Alice's reply).
    page_b.locator("textarea[data-typing=reply]").fill(BOB_SAYS)
    expect(page_a.locator("#presence")).to_contain_text("bob is typing a reply")

    page_a.locator("textarea[data-typing=reply]").fill(ALICE_SAYS)
    page_a.get_by_role("button", name="Send reply").click()
    expect(page_a.locator(".flash.success")).to_contain_text("Reply queued")

    # Alice's reply appears on Bob's page without a reload, and he is told what changed.
    expect(page_b.locator("#conversation")).to_contain_text(ALICE_SAYS)
    expect(page_b.locator("#live-news")).to_contain_text("alice: replied")
    assert page_b.locator("textarea[data-typing=reply]").input_value() == BOB_SAYS

    page_b.get_by_role("button", name="Send reply").click()

    held = page_b.locator("#held")
    expect(held).to_contain_text("Your reply was not sent")
    expect(held.locator(".new-items")).to_contain_text(ALICE_SAYS)
    expect(held.locator(".held-text")).to_have_text(BOB_SAYS)
    expect(held.get_by_role("button", name="Send anyway")).to_be_visible()
    expect(held.get_by_role("button", name="Discard my reply")).to_be_visible()
    save_screenshot(page_b, "live-bob-reply-held")
    sent = list(
        Message.objects.filter(ticket=ticket, direction="out").values_list("text", flat=True)
    )
    assert sent == [ALICE_SAYS]
    assert list(Draft.objects.exclude(held_reason="").values_list("author__username", "text")) == [
        ("bob", BOB_SAYS)
    ]

    # Bob decides: he discards his answer; nothing more goes to the buyer.
    held.get_by_role("button", name="Discard my reply").click()
    expect(page_b.locator(".flash.success")).to_contain_text("Reply discarded.")
    expect(page_b.locator("#held")).to_have_count(0)
    assert Message.objects.filter(ticket=ticket, direction="out").count() == 1
    assert not Draft.objects.exists()


def test_a_draft_survives_a_reload(
    sign_in: Callable[[User], Page], account: SellerAccount, alice: User
) -> None:
    ticket = lamp_ticket(account)
    page = sign_in(alice)
    page.goto(f"/tickets/{ticket.pk}/")
    for kind, text in (("reply", "Half-written answer"), ("note", "Half-written note")):
        # Saved a moment after typing stops: wait for that request, not for a fixed time.
        with page.expect_response(lambda r: r.url.endswith("/draft") and r.ok):
            page.locator(f"textarea[data-typing={kind}]").fill(text)

    page.reload()

    expect(page.locator("textarea[data-typing=reply]")).to_have_value("Half-written answer")
    expect(page.locator("textarea[data-typing=note]")).to_have_value("Half-written note")


def test_the_inbox_marks_tickets_others_have_open_and_shows_new_mail_live(
    sign_in: Callable[[User], Page],
    save_screenshot: Callable[[Page, str], Path],
    in_worker: Callable[..., Any],
    account: SellerAccount,
    alice: User,
    bob: User,
) -> None:
    ticket = lamp_ticket(account)
    inbox, page_a = sign_in(bob), sign_in(alice)
    inbox.goto("/tickets/")
    row = inbox.locator(f'#inbox-rows tr[data-ticket="{ticket.pk}"]')
    expect(row).to_be_visible()

    page_a.goto(f"/tickets/{ticket.pk}/")
    expect(row.locator(".live-marker")).to_have_text("open: alice")
    page_a.locator("textarea[data-typing=reply]").press_sequentially("Hello", delay=30)
    expect(row.locator(".live-marker")).to_have_text("alice replying")

    newcomer = in_worker(lamp_ticket, account, 2)
    expect(inbox.locator(f'#inbox-rows tr[data-ticket="{newcomer.pk}"]')).to_be_visible()
    # The refreshed rows keep the marker.
    expect(row.locator(".live-marker")).to_have_text("alice replying")
    save_screenshot(inbox, "live-inbox-marker")

    page_a.close()
    expect(row.locator(".live-marker")).to_have_count(0)
