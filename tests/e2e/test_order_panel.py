"""In the browser: the order panel beside the conversation, and refunding a damaged item
from it (form, review, confirm) against the Walmart emulator."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.walmart.emulator import EmulatorHandle
from sellerdesk.orders.models import OrderLine
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Ticket, TicketEvent
from tests.factories import make_account, make_member
from tests.marketplaces.order_actions_support import pick, running_emulator, synced_ticket
from tests.marketplaces.sync.support import SharedClock, point_at

pytestmark = pytest.mark.e2e


@pytest.fixture
def clock() -> SharedClock:
    return SharedClock()


@pytest.fixture
def emulator(clock: SharedClock) -> Iterator[EmulatorHandle]:
    with running_emulator(clock) as handle:
        yield handle


@pytest.fixture
def shop(emulator: EmulatorHandle, transactional_db: None) -> SellerAccount:
    account = make_account("Acme Home")
    point_at(account, emulator)
    return account


@pytest.fixture
def damaged(shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock) -> Ticket:
    order, _ = pick(emulator, "Delivered")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    Ticket.objects.filter(pk=ticket.pk).update(intent="damaged_item", subject="It arrived broken")
    return ticket


def offline(page: Page) -> Page:
    """No request beyond loopback: the product images point at Walmart's CDN."""
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    return page


def delivered_line(ticket: Ticket) -> OrderLine:
    line = (
        OrderLine.objects.filter(order__tickets=ticket, status="Delivered")
        .order_by("line_number")
        .first()
    )
    assert line is not None
    return line


def test_the_order_panel_shows_the_items_and_their_progress(
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
    shop: SellerAccount,
    damaged: Ticket,
) -> None:
    agent = make_member("alice", Role.AGENT, [shop])
    line = delivered_line(damaged)
    page = offline(sign_in(agent))

    page.goto(f"/tickets/{damaged.pk}/")

    panel = page.locator("#order-panel")
    expect(panel.get_by_role("heading", name=f"Order {damaged.order.purchase_order_id}")).to_be_visible()  # type: ignore[union-attr]  # fmt: skip
    item = panel.locator(f"#order-line-{line.line_number}")
    expect(item).to_contain_text(line.sku)
    expect(item.locator(".track .step.done")).to_have_count(5)
    expect(item.locator("img")).to_have_attribute("loading", "lazy")
    expect(item.get_by_role("link", name=line.tracking_number)).to_have_attribute(
        "rel", "noopener noreferrer"
    )
    expect(item.get_by_role("link", name="Refund")).to_be_visible()
    expect(page.locator("#buyer-panel")).to_contain_text("buyer")
    save_screenshot(page, "order-panel")


def test_an_agent_refunds_part_of_a_damaged_item_from_the_panel(
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
    shop: SellerAccount,
    damaged: Ticket,
    emulator: EmulatorHandle,
) -> None:
    agent = make_member("alice", Role.AGENT, [shop])
    line = delivered_line(damaged)
    page = offline(sign_in(agent))
    page.goto(f"/tickets/{damaged.pk}/")

    page.locator(f"#order-line-{line.line_number}").get_by_role("link", name="Refund").click()
    expect(page.get_by_role("heading", name="Refund a line")).to_be_visible()
    # The reason matching the ticket's intent is already chosen.
    expect(page.get_by_label("Reason (Walmart's codes)")).to_have_value("DamagedItem")
    page.get_by_label("In part:").check()
    page.get_by_label("Amount (USD)").fill("3.50")
    page.get_by_role("button", name="Review").click()

    expect(page.locator(".plan")).to_contain_text(f"Refund $3.50 on line {line.line_number}")
    save_screenshot(page, "order-refund-review")
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(rf"/tickets/{damaged.pk}/#order-panel$"))
    expect(page.locator(".flash.success")).to_contain_text("Done: Refund $3.50")
    expect(page.locator(f"#order-line-{line.line_number}")).to_contain_text(
        "Refunded 3.50 USD (DamagedItem)"
    )
    save_screenshot(page, "order-refunded")
    assert delivered_line(damaged).refunded_amount == Decimal("3.50")
    assert TicketEvent.objects.get(ticket=damaged).kind == "order_line_refunded"
    po = damaged.order.purchase_order_id  # type: ignore[union-attr]
    refunds = emulator.emulator.state.by_po[po].lines[int(line.line_number) - 1].refunds
    assert refunds == [(350, 0, "DamagedItem")]
