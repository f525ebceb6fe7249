"""The values a snippet is filled with, read from one ticket: its order and lines, its buyer,
the agent writing and the seller account (its name and time zone).

Which line, when the order has several: the line the ticket is about when it is known (the
caller passes it: the order panel's chosen line), else the first line by line number. The
product name and SKU come from that one line. Shipping facts are the order's as a whole,
because a buyer asking "where is my order" means all of it: every distinct carrier, tracking
number and tracking link of the shipped lines, in line order, joined ("UPS and FedEx";
numbers with commas, links one per line); the
ship date is the first line's to ship. The refund is everything refunded on the order.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, User

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.orders.models import Order, OrderLine
from sellerdesk.snippets.render import OrderState, SnippetContext
from sellerdesk.tickets.models import Ticket

SHIPPED = frozenset({"Shipped", "Delivered"})


def _line_number(line: OrderLine) -> tuple[int, str]:
    # Walmart numbers lines "1", "2", ... "10": sort as numbers, not as text.
    return (
        (int(line.line_number), "") if line.line_number.isdigit() else (1 << 30, line.line_number)
    )


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def agent_name(user: AbstractBaseUser | None) -> str:
    """What buyers see as the agent's name: the first name (support signs with first names),
    else the whole name, else the user name, so that a team that never filled in names can
    still use the starter signatures."""
    if not isinstance(user, User):
        return ""
    return user.first_name.strip() or user.get_full_name().strip() or user.get_username()


def order_state(order: Order, lines: list[OrderLine]) -> OrderState:
    return OrderState(
        shipped=any(line.status in SHIPPED for line in lines),
        delivered=bool(lines) and all(line.status == "Delivered" for line in lines),
        refunded=order.refunded_total > 0 or any(line.refunded_amount > 0 for line in lines),
    )


def snippet_context(
    ticket: Ticket,
    user: AbstractBaseUser | None,
    *,
    line: OrderLine | None = None,
    clock: Clock = system_clock,
) -> SnippetContext:
    """Reads the order's lines once (one query) when the ticket has an order; the ticket
    should come with `account`, `order` and `customer` selected (get_ticket_for_user does)."""
    account = ticket.account
    today = clock.now().astimezone(ZoneInfo(account.time_zone)).date()
    order = ticket.order if ticket.order_id else None
    customer = ticket.customer if ticket.customer_id else None
    common = {
        "agent_name": agent_name(user),
        "store_name": account.name,
        "time_zone": account.time_zone,
        "today": today,
    }
    if order is None:
        return SnippetContext(
            buyer_name=customer.name if customer else "",
            order_number=ticket.order_number,
            **common,  # type: ignore[arg-type]
        )
    lines = sorted(order.lines.all(), key=_line_number)
    chosen = (
        line if line is not None and line.order_id == order.pk else (lines[0] if lines else None)
    )
    shipped = [item for item in lines if item.status in SHIPPED or item.tracking_number]
    ship_dates = [item.ship_date for item in shipped if item.ship_date]
    refunded = max(order.refunded_total, sum((item.refunded_amount for item in lines), Decimal(0)))
    # The number the buyer knows: Walmart shows buyers the customer order number; Amazon
    # has one order id (kept as the purchase order id).
    number = order.customer_order_id or order.purchase_order_id
    return SnippetContext(
        buyer_name=order.shipping_name or (customer.name if customer else ""),
        order_number=number,
        product_name=chosen.product_name if chosen else "",
        sku=chosen.sku if chosen else "",
        carrier=" and ".join(_distinct([item.carrier for item in shipped])),
        tracking_number=", ".join(_distinct([item.tracking_number for item in shipped])),
        # Links one per line: a mail client makes each clickable on its own.
        tracking_url="\n".join(_distinct([item.tracking_url for item in shipped])),
        est_delivery=order.estimated_delivery_date,
        ship_date=min(ship_dates) if ship_dates else None,
        refund_amount=refunded if refunded > 0 else None,
        currency=order.currency,
        order=order_state(order, lines),
        **common,  # type: ignore[arg-type]
    )
