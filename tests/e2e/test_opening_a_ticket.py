"""Opening a ticket from the inbox: clicking its row's link shows that ticket's conversation."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sellerdesk.team.models import Role
from tests.e2e.mail import buyer_mail, deliver, seller_account
from tests.factories import make_member

pytestmark = pytest.mark.e2e


def test_clicking_a_ticket_in_the_inbox_opens_its_conversation(
    sign_in: Callable[..., Page], save_screenshot: Callable[[Page, str], Path]
) -> None:
    account = seller_account()
    tent = deliver(
        buyer_mail(
            "tent-1@relay.walmart.com",
            subject="Tent pole snapped on first use",
            text="The middle pole of the tent snapped the first time we set it up.",
        ),
        account,
    )
    deliver(
        buyer_mail(
            "lamp-1@relay.walmart.com",
            subject="Camping lamp never arrived",
            text="Tracking says delivered but there is no lamp at my door.",
            sender="0c9a1f5b77e1@relay.walmart.com",
        ),
        account,
    )
    page = sign_in(make_member("alice", Role.AGENT, [account]))
    page.goto("/tickets/")
    save_screenshot(page, "inbox")

    page.get_by_role("link", name="Tent pole snapped on first use").first.click()

    expect(page).to_have_url(re.compile(rf"/tickets/{tent.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tent pole snapped on first use")
    expect(
        page.get_by_text("The middle pole of the tent snapped", exact=False).first
    ).to_be_visible()
    expect(page.get_by_text("no lamp at my door")).to_have_count(0)
    save_screenshot(page, "ticket-page")
