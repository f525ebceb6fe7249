"""The inbox in a browser: triage order (pinned on top, breached marked), a filter, opening a
ticket with the keyboard, and bulk assigning tickets selected with the keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Ticket
from tests.factories import make_account, make_member
from tests.workspace.inbox_data import add_message, make_ticket

pytestmark = pytest.mark.e2e

H = timedelta(hours=1)


@pytest.fixture
def account() -> SellerAccount:
    return make_account("Cedar Goods")


@pytest.fixture
def triage(account: SellerAccount) -> dict[str, Ticket]:
    tickets = {
        "later": make_ticket(account, due_in=20 * H, subject="Lamp shade question"),
        "breached": make_ticket(account, due_in=-3 * H, subject="Where is my rug?"),
        "pending": make_ticket(
            account, status=Ticket.Status.PENDING, subject="Thanks, waiting for the label"
        ),
        "pinned": make_ticket(account, due_in=1 * H, subject="Chair arrived broken"),
    }
    add_message(tickets["pinned"], "The left leg is cracked.\nPhotos attached.")
    return tickets


def row_ids(page: Page) -> list[int]:
    rows = page.locator("#inbox-rows tr[data-ticket]")
    return [int(rows.nth(n).get_attribute("data-ticket") or 0) for n in range(rows.count())]


def test_triage_order_filter_and_opening_a_ticket_with_the_keyboard(
    account: SellerAccount,
    triage: dict[str, Ticket],
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    page = sign_in(make_member("alice", Role.AGENT, [account]))
    page.goto("/tickets/")

    expected = [triage[name].pk for name in ("pinned", "breached", "later", "pending")]
    assert row_ids(page) == expected
    pinned = page.locator(f'#inbox-rows tr[data-ticket="{triage["pinned"].pk}"]')
    expect(pinned).to_have_class("pinned")
    expect(pinned).to_contain_text("The left leg is cracked.")
    expect(pinned).not_to_contain_text("Photos attached")
    breached = page.locator(f'#inbox-rows tr[data-ticket="{triage["breached"].pk}"]')
    expect(breached).to_have_class("breached")
    expect(breached.locator("td.sla-breached")).to_contain_text("breached · overdue 3 h")
    expect(page.locator("#inbox-views")).to_contain_text("Breaching soon 2")
    save_screenshot(page, "inbox-triage")

    page.get_by_label("Deadline").select_option("breached")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"sla=breached"))
    assert row_ids(page) == [triage["breached"].pk]

    page.goto("/tickets/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(breached).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/tickets/{triage['breached'].pk}/$"))

    page.goto("/tickets/")
    for key in ("j", "j", "j", "k", "k"):
        page.keyboard.press(key)
    expect(pinned).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tickets/{triage['pinned'].pk}/$"))


def test_bulk_assign_of_rows_selected_with_the_keyboard(
    account: SellerAccount,
    triage: dict[str, Ticket],
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    bob = make_member("bob", Role.AGENT, [account])
    page = sign_in(make_member("alice", Role.AGENT, [account]))
    page.goto("/tickets/")

    # Select the first two rows (pinned, breached) with x, leave the rest.
    for key in ("j", "x", "j", "x"):
        page.keyboard.press(key)
    expect(page.locator("#inbox-rows tr.selected")).to_have_count(2)
    page.get_by_label("Assign to").select_option(label="bob")
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page.locator(".flash")).to_contain_text("Done for 2 tickets.")
    for name in ("pinned", "breached"):
        row = page.locator(f'#inbox-rows tr[data-ticket="{triage[name].pk}"]')
        expect(row.locator("td.assignee")).to_have_text("bob")
    assert {name: Ticket.objects.get(pk=t.pk).assignee_id for name, t in triage.items()} == {
        "pinned": bob.pk,
        "breached": bob.pk,
        "later": None,
        "pending": None,
    }
    save_screenshot(page, "inbox-after-bulk-assign")
