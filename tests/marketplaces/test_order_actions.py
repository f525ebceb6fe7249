"""Order actions from a ticket against the real Walmart emulator over loopback HTTP (every
answer validated against Walmart's OpenAPI files): what Walmart accepts changes the local
order exactly as a sync would and is written to the ticket's history; what Walmart (or our
own check) refuses changes nothing, here or there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces import order_actions as oa
from sellerdesk.marketplaces.store import upsert_orders
from sellerdesk.marketplaces.walmart.emulator import EmulatorHandle
from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.orders.models import OrderLine
from sellerdesk.runtime import leases
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Ticket, TicketEvent
from tests.factories import make_account, make_member
from tests.marketplaces.order_actions_support import (
    local,
    pick,
    running_emulator,
    synced_ticket,
    walmart,
)
from tests.marketplaces.sync.support import SharedClock, emulator_connector, point_at

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
def agent(shop: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [shop])


def line_of(ticket: Ticket, number: int | str) -> OrderLine:
    return OrderLine.objects.get(order__tickets=ticket, line_number=str(number))


def event_of(ticket: Ticket) -> TicketEvent:
    return TicketEvent.objects.get(ticket=ticket)


def test_acknowledging_moves_the_lines_on_walmart_and_here_and_records_it(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Created")
    ticket = synced_ticket(shop, emulator, clock, order.po)

    done = oa.execute(ticket, oa.ActionRequest(oa.ACKNOWLEDGE), actor=agent, clock=clock)

    assert line.status == "Acknowledged"
    assert line_of(ticket, line.number).status == "Acknowledged"
    # Stored exactly as the sync stores it: the next sync finds nothing to rewrite.
    connector = emulator_connector(emulator, clock)
    fresh = connector.get_order(order.po)
    connector.close()
    assert upsert_orders(shop, [fresh], now=clock.now()).unchanged == 1
    event = event_of(ticket)
    assert (event.kind, event.actor, event.data["order"], event.data["refreshed"]) == (
        "order_acknowledged",
        agent,
        order.po,
        True,
    )
    assert done.summary.startswith(f"Acknowledge order {order.po} on Walmart")


def test_adding_tracking_ships_the_line_with_walmarts_carrier(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Acknowledged")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    req = oa.ActionRequest(
        oa.TRACKING, str(line.number), carrier="UPS", tracking_number="1Z999AA10123456784"
    )

    oa.execute(ticket, req, actor=agent, clock=clock)

    stored = line_of(ticket, line.number)
    assert (stored.status, stored.carrier, stored.tracking_number, stored.ship_date) == (
        "Shipped",
        "UPS",
        "1Z999AA10123456784",
        clock.now(),
    )
    assert (line.status, line.carrier, line.tracking_number) == (
        "Shipped",
        "UPS",
        "1Z999AA10123456784",
    )
    assert event_of(ticket).data == {
        "order": order.po,
        "line": str(line.number),
        "carrier": "UPS",
        "tracking_number": "1Z999AA10123456784",
        "tracking_url": "",
        "correction": False,
        "refreshed": True,
    }


def test_correcting_tracking_of_a_shipped_line_keeps_it_shipped_with_the_new_number(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Shipped")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    shipped_at = line_of(ticket, line.number).ship_date
    req = oa.ActionRequest(
        oa.TRACKING,
        str(line.number),
        other_carrier="Local Courier",
        tracking_number="LC-7781",
        tracking_url="https://courier.example/t/LC-7781",
    )

    oa.execute(ticket, req, actor=agent, clock=clock)

    stored = line_of(ticket, line.number)
    assert (stored.status, stored.carrier, stored.tracking_number, stored.tracking_url) == (
        "Shipped",
        "Local Courier",
        "LC-7781",
        "https://courier.example/t/LC-7781",
    )
    # A correction of the number, not a new shipment: the ship time stays.
    assert stored.ship_date == shipped_at
    assert event_of(ticket).data["correction"] is True


def test_cancelling_a_line_with_a_walmart_reason_code(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Acknowledged")
    ticket = synced_ticket(shop, emulator, clock, order.po)

    oa.execute(
        ticket,
        oa.ActionRequest(
            oa.CANCEL, str(line.number), reason="SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE"
        ),
        actor=agent,
        clock=clock,
    )

    stored = line_of(ticket, line.number)
    assert (stored.status, stored.cancellation_reason) == (
        "Cancelled",
        "SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE",
    )
    assert event_of(ticket).kind == "order_line_cancelled"


def test_a_partial_refund_refunds_that_amount_and_leaves_the_rest_refundable(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Delivered")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    before = oa.refundable_amount(line_of(ticket, line.number))

    oa.execute(
        ticket,
        oa.ActionRequest(oa.REFUND, str(line.number), reason="DamagedItem", amount=Decimal("5.00")),
        actor=agent,
        clock=clock,
    )

    stored = line_of(ticket, line.number)
    assert (stored.refunded_amount, stored.refund_reasons) == (Decimal("5.00"), ["DamagedItem"])
    assert oa.refundable_amount(stored) == before - Decimal("5.00")
    assert line.refunds == [(500, 0, "DamagedItem")]
    assert event_of(ticket).data == {
        "order": order.po,
        "line": str(line.number),
        "amount": "5.00",
        "currency": "USD",
        "full": False,
        "reason": "DamagedItem",
        "refreshed": True,
    }


def test_a_full_refund_gives_back_the_item_its_tax_and_shipping(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Delivered")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    unit = emulator.emulator.state.products[line.product].price_cents
    price = unit * line.quantity

    oa.execute(
        ticket,
        oa.ActionRequest(oa.REFUND, str(line.number), reason="DamagedItem"),
        actor=agent,
        clock=clock,
    )

    tax = cat.line_tax_cents(unit, line.quantity)
    assert line.refunds == [(price + line.shipping_cents, tax, "DamagedItem")]
    stored = line_of(ticket, line.number)
    assert stored.refunded_amount == Decimal(price + line.shipping_cents) / 100
    assert oa.refundable_amount(stored) == 0
    assert event_of(ticket).data["full"] is True


def test_a_refund_above_what_is_left_is_refused_here_before_walmart_is_asked(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Delivered")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    stored = line_of(ticket, line.number)
    OrderLine.objects.filter(pk=stored.pk).update(refunded_amount=Decimal("2.00"))
    left = stored.unit_price * stored.quantity - Decimal("2.00")
    before, calls, there = (
        local(ticket),
        emulator.emulator.request_count,
        walmart(emulator, order.po),
    )

    with pytest.raises(oa.OrderActionRefused) as refused:
        oa.execute(
            ticket,
            oa.ActionRequest(
                oa.REFUND, str(line.number), reason="DamagedItem", amount=left + Decimal("0.01")
            ),
            actor=agent,
            clock=clock,
        )

    assert str(refused.value) == (
        f"At most ${left} can be refunded on line {line.number}: "
        f"${stored.unit_price * stored.quantity} charged, $2.00 refunded already."
    )
    assert emulator.emulator.request_count == calls
    assert (local(ticket), walmart(emulator, order.po)) == (before, there)


def test_walmart_refusing_a_refund_is_shown_in_plain_words_and_changes_nothing(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Delivered")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    # Refunded in Seller Center since our last sync: Walmart has 1 cent left, we think more.
    price = emulator.emulator.state.products[line.product].price_cents * line.quantity
    line.refunds.append((price + line.shipping_cents - 1, 0, "Others"))
    before, there = local(ticket), walmart(emulator, order.po)

    with pytest.raises(oa.OrderActionRefused) as refused:
        oa.execute(
            ticket,
            oa.ActionRequest(
                oa.REFUND, str(line.number), reason="DamagedItem", amount=Decimal("1.00")
            ),
            actor=agent,
            clock=clock,
        )

    assert str(refused.value) == (
        f"Walmart refused the refund: Refund exceeds the refundable amount of line "
        f"{line.number}. Nothing was changed."
    )
    assert (local(ticket), walmart(emulator, order.po)) == (before, there)


def test_walmart_refusing_to_cancel_a_line_it_has_since_shipped_changes_nothing(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Acknowledged")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    line.status = "Shipped"  # the warehouse shipped it from another tool since the sync
    before, there = local(ticket), walmart(emulator, order.po)

    with pytest.raises(oa.OrderActionRefused) as refused:
        oa.execute(
            ticket,
            oa.ActionRequest(oa.CANCEL, str(line.number), reason="SELLER_CANCEL_OUT_OF_STOCK"),
            actor=agent,
            clock=clock,
        )

    assert str(refused.value) == (
        f"Walmart refused the cancel: Line {line.number} is Shipped and cannot be cancelled. "
        "Nothing was changed."
    )
    assert (local(ticket), walmart(emulator, order.po)) == (before, there)


def test_walmart_failing_is_reported_as_its_problem_and_changes_nothing(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, _ = pick(emulator, "Created")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    before, there = local(ticket), walmart(emulator, order.po)
    emulator.emulator.fail_rate = 0.9999

    with pytest.raises(oa.OrderActionRefused) as refused:
        oa.execute(ticket, oa.ActionRequest(oa.ACKNOWLEDGE), actor=agent, clock=clock)

    message = str(refused.value)
    assert message.startswith("Walmart had a problem (HTTP 50")
    assert message.endswith("did not do the acknowledgement. Nothing was changed. Try again in a few minutes.")  # fmt: skip
    emulator.emulator.fail_rate = 0.0
    assert (local(ticket), walmart(emulator, order.po)) == (before, there)


def test_wrong_credentials_are_named_and_change_nothing(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, _ = pick(emulator, "Created")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    shop.set_credentials(client_secret="wrong")
    shop.save()
    before = local(ticket)

    with pytest.raises(
        oa.OrderActionRefused, match="did not accept this account's API credentials"
    ):
        oa.execute(ticket, oa.ActionRequest(oa.ACKNOWLEDGE), actor=agent, clock=clock)

    assert local(ticket) == before


def test_an_order_changed_since_the_review_is_not_touched(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Delivered")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    before, calls = local(ticket), emulator.emulator.request_count

    with pytest.raises(oa.OrderActionRefused, match="changed since you reviewed"):
        oa.execute(
            ticket,
            oa.ActionRequest(oa.REFUND, str(line.number), reason="DamagedItem"),
            actor=agent,
            seen_version="an older version",
            clock=clock,
        )

    assert (local(ticket), emulator.emulator.request_count) == (before, calls)


def test_a_second_action_on_the_same_order_waits_for_the_first(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Delivered")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    before, calls = local(ticket), emulator.emulator.request_count

    lease = leases.held(f"order-action:{ticket.order_id}", timedelta(minutes=1), clock=clock)
    with lease, pytest.raises(oa.OrderActionRefused, match="Another action on this order"):
        oa.execute(
            ticket,
            oa.ActionRequest(oa.REFUND, str(line.number), reason="DamagedItem"),
            actor=agent,
            clock=clock,
        )

    assert (local(ticket), emulator.emulator.request_count) == (before, calls)


def test_a_wfs_order_is_refused_here_as_walmarts_to_handle(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Delivered", node="WFSFulfilled")
    ticket = synced_ticket(shop, emulator, clock, order.po)
    before, calls = local(ticket), emulator.emulator.request_count

    with pytest.raises(oa.OrderActionRefused, match="fulfilled and supported by Walmart"):
        oa.execute(
            ticket,
            oa.ActionRequest(oa.REFUND, str(line.number), reason="DamagedItem"),
            actor=agent,
            clock=clock,
        )

    assert (local(ticket), emulator.emulator.request_count) == (before, calls)


@pytest.mark.parametrize(
    ("status", "req", "message"),
    [
        (
            "Acknowledged",
            oa.ActionRequest(oa.REFUND, "", reason="DamagedItem"),
            "is Acknowledged: Walmart refunds only lines that shipped. Cancel it instead.",
        ),
        (
            "Delivered",
            oa.ActionRequest(oa.CANCEL, "", reason="SELLER_CANCEL_OUT_OF_STOCK"),
            "is Delivered: only a line not shipped yet can be cancelled. Refund it instead.",
        ),
        (
            "Acknowledged",
            oa.ActionRequest(oa.CANCEL, "", reason="CUSTOMER_REQUESTED_SELLER_TO_CANCEL"),
            "only on lines where the buyer asked through Walmart",
        ),
        ("Delivered", oa.ActionRequest(oa.REFUND, "", reason="NotAReason"), "refund reasons"),
        ("Cancelled", oa.ActionRequest(oa.TRACKING, "", carrier="UPS", tracking_number="1Z"), "is cancelled"),
        ("Acknowledged", oa.ActionRequest(oa.TRACKING, "", carrier="Pony Express", tracking_number="9"), "not one of Walmart's carriers"),
        ("Acknowledged", oa.ActionRequest(oa.TRACKING, "", other_carrier="Pony", tracking_number="9"), "needs a tracking URL"),
        ("Acknowledged", oa.ActionRequest(oa.TRACKING, "", other_carrier="Pony", tracking_number="9", tracking_url="javascript:x"), "needs a tracking URL"),
    ],
)  # fmt: skip
def test_impossible_actions_are_refused_here_with_the_reason(
    shop: SellerAccount,
    emulator: EmulatorHandle,
    clock: SharedClock,
    agent: User,
    status: str,
    req: oa.ActionRequest,
    message: str,
) -> None:
    order, line = pick(emulator, status)
    ticket = synced_ticket(shop, emulator, clock, order.po)
    before, calls = local(ticket), emulator.emulator.request_count
    req = oa.ActionRequest(**{**req.__dict__, "line_number": str(line.number)})

    with pytest.raises(oa.OrderActionRefused, match=message.replace(".", r"\.")):
        oa.execute(ticket, req, actor=agent, clock=clock)

    assert (local(ticket), emulator.emulator.request_count) == (before, calls)


def test_shipping_a_line_the_buyer_asked_to_cancel_needs_the_agents_override(
    shop: SellerAccount, emulator: EmulatorHandle, clock: SharedClock, agent: User
) -> None:
    order, line = pick(emulator, "Created")
    line.intent_to_cancel = True  # the buyer asked Walmart to cancel before our sync
    order.rendered.clear()
    ticket = synced_ticket(shop, emulator, clock, order.po)
    req = oa.ActionRequest(oa.TRACKING, str(line.number), carrier="USPS", tracking_number="9400")

    with pytest.raises(oa.OrderActionRefused, match="The buyer asked to cancel line"):
        oa.execute(ticket, req, actor=agent, clock=clock)
    oa.execute(
        ticket, oa.ActionRequest(**{**req.__dict__, "override_cancel_request": True}), actor=agent, clock=clock
    )  # fmt: skip

    assert (line.status, line.intent_to_cancel) == ("Shipped", False)
    assert line_of(ticket, line.number).status == "Shipped"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, {"acknowledge", "tracking", "cancel", "refund"}),
        (Role.AGENT, {"acknowledge", "tracking", "cancel", "refund"}),
        (Role.WAREHOUSE, {"acknowledge", "tracking"}),
        (None, set()),
    ],
)
def test_who_may_do_which_order_action(role: Role | None, allowed: set[str]) -> None:
    assert {action for action in oa.ACTIONS if oa.may_act(role, action)} == allowed


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "is not an amount"), ("0", "more than zero"), ("-3", "more than zero"), ("1.005", "two decimals")],
)  # fmt: skip
def test_amounts_are_positive_with_cents_at_most(text: str, message: str) -> None:
    with pytest.raises(oa.OrderActionRefused, match=message):
        oa.parse_amount(text)
    assert oa.parse_amount(" $1,234.50 ") == Decimal("1234.50")
