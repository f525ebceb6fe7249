"""Orders, lines, buyers and tickets for the snippet and search tests, written through the
real actions (so messages reach the search index the way production writes them)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.orders.models import Order, OrderLine
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import IncomingMessage
from sellerdesk.tickets.models import Message, Ticket

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # a Sunday; 09:00 in Chicago
_ids = itertools.count(1)


def make_order(
    account: SellerAccount,
    purchase_order_id: str,
    *,
    customer_order_id: str = "",
    customer: Customer | None = None,
    shipping_name: str = "Jane Buyer",
    estimated_delivery: datetime | None = datetime(2026, 12, 2, 3, 30, tzinfo=UTC),
    refunded_total: Decimal = Decimal("0"),
    currency: str = "USD",
) -> Order:
    return Order.objects.create(
        account=account,
        purchase_order_id=purchase_order_id,
        customer_order_id=customer_order_id or f"2{purchase_order_id}",
        customer=customer,
        shipping_name=shipping_name,
        order_date=datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
        estimated_delivery_date=estimated_delivery,
        currency=currency,
        refunded_total=refunded_total,
        last_modified=NOW,
        content_hash="x" * 64,
        synced_at=timezone.now(),
    )


def make_line(
    order: Order,
    line_number: str,
    *,
    sku: str = "LAMP-01",
    product_name: str = "Ceramic Table Lamp",
    status: str = "Shipped",
    carrier: str = "UPS",
    tracking_number: str = "1Z999AA10123456784",
    tracking_url: str = "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    ship_date: datetime | None = datetime(2026, 11, 27, 18, 0, tzinfo=UTC),
    refunded_amount: Decimal = Decimal("0"),
) -> OrderLine:
    shipped = status in ("Shipped", "Delivered")
    return OrderLine.objects.create(
        order=order,
        line_number=line_number,
        sku=sku,
        product_name=product_name,
        quantity=1,
        unit_price=Decimal("24.99"),
        status=status,
        carrier=carrier if shipped else "",
        tracking_number=tracking_number if shipped else "",
        tracking_url=tracking_url if shipped else "",
        ship_date=ship_date if shipped else None,
        refunded_amount=refunded_amount,
    )


def make_buyer(name: str, *addresses: str) -> Customer:
    customer = Customer.objects.create(name=name)
    for address in addresses:
        CustomerAddress.objects.create(customer=customer, address=address)
    return customer


def incoming(text: str, *, subject: str, sender: str, at: datetime = NOW) -> IncomingMessage:
    return IncomingMessage(
        kind="buyer_walmart",
        sender=sender,
        sender_name="Jane Buyer",
        recipients=["care@acme.example"],
        subject=subject,
        text=text,
        new_text=text,
        html="",
        truncated=False,
        message_id=f"m{next(_ids)}@relay.walmart.com",
        in_reply_to="",
        references=[],
        received_at=at,
        raw=b"",
    )


def open_ticket(
    account: SellerAccount,
    *,
    text: str = "Where is my order?",
    subject: str = "Where is my order?",
    relay: str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9@relay.walmart.com",
    order: Order | None = None,
    order_number: str = "",
    customer: Customer | None = None,
    intent: str = "where_is_my_order",
    at: datetime = NOW,
) -> Ticket:
    ticket, _ = actions.open_ticket(
        account=account,
        incoming=incoming(text, subject=subject, sender=relay, at=at),
        kind="buyer_walmart",
        intent=intent,
        relay_address=relay,
        customer=customer,
        order=order,
        order_number=order_number or (order.purchase_order_id if order else ""),
        needs_reply=True,
        one_hour_deadline=False,
        clock=FrozenClock(at),
    )
    return ticket


def add_message(ticket: Ticket, text: str, *, subject: str = "Re: my order") -> Message:
    return actions.add_inbound(
        ticket,
        incoming(text, subject=subject, sender=ticket.relay_address),
        counts_as_buyer=True,
        clock=FrozenClock(NOW),
    )
