"""Orders, lines, returns, buyers and tickets made directly, with exactly the fields the
panels and order actions read, so each test states the order it is about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer
from sellerdesk.orders.models import Order, OrderLine, Return, ReturnLine
from sellerdesk.tickets.models import Message, Ticket

ORDERED = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)  # 09:00 in Chicago (CST)
_serial = count(1)


def make_customer(name: str = "Mary Smith") -> Customer:
    return Customer.objects.create(name=name)


def make_order(
    account: SellerAccount,
    po: str | None = None,
    *,
    customer: Customer | None = None,
    order_date: datetime = ORDERED,
    wfs: bool = False,
    estimated_delivery: datetime | None = None,
    **fields: Any,
) -> Order:
    serial = next(_serial)
    po = po or f"17000000{serial:05d}"
    fields.setdefault("order_total", Decimal("0"))
    fields.setdefault("content_hash", f"{serial:064d}")
    return Order.objects.create(
        account=account,
        purchase_order_id=po,
        customer_order_id=f"52000000{serial:05d}",
        customer=customer,
        buyer_email=f"{serial:032x}@relay.walmart.com",
        shipping_name=customer.name if customer else "",
        order_date=order_date,
        estimated_ship_date=order_date + timedelta(days=2),
        estimated_delivery_date=estimated_delivery or order_date + timedelta(days=7),
        ship_method="Standard",
        ship_node_type=Order.ShipNodeType.WFS if wfs else Order.ShipNodeType.SELLER,
        last_modified=order_date,
        synced_at=order_date,
        **fields,
    )


def add_line(
    order: Order,
    number: str,
    status: str,
    *,
    price: str = "20.00",
    quantity: int = 1,
    sku: str | None = None,
    name: str = "",
    **fields: Any,
) -> OrderLine:
    fields.setdefault("status_date", order.order_date + timedelta(hours=1))
    fields.setdefault("status_quantities", [[status, quantity]])
    line = OrderLine.objects.create(
        order=order,
        line_number=number,
        sku=sku or f"SKU-{order.purchase_order_id[-4:]}-{number}",
        product_name=name or f"Product {number}",
        quantity=quantity,
        unit_price=Decimal(price),
        status=status,
        **fields,
    )
    Order.objects.filter(pk=order.pk).update(
        order_total=sum((ln.unit_price * ln.quantity for ln in order.lines.all()), Decimal("0")),
        product_total=sum((ln.unit_price * ln.quantity for ln in order.lines.all()), Decimal("0")),
    )
    order.refresh_from_db()
    return line


def add_return(
    order: Order,
    line: OrderLine,
    *,
    reason: str = "DAMAGED",
    status: str = "INITIATED",
    refund_status: str = "NOT_REFUNDED",
    opened: datetime | None = None,
    events: Sequence[tuple[str, str, datetime]] = (),
) -> ReturnLine:
    serial = next(_serial)
    opened = opened or order.order_date + timedelta(days=8)
    head = Return.objects.create(
        account=order.account,
        return_order_id=f"9900{serial:08d}",
        customer_order_id=order.customer_order_id,
        customer=order.customer,
        return_date=opened,
        return_by_date=opened + timedelta(days=30),
        total_refund_amount=line.unit_price,
        content_hash=f"r{serial:063d}",
        synced_at=opened,
    )
    return ReturnLine.objects.create(
        return_order=head,
        line_number=1,
        order=order,
        purchase_order_id=order.purchase_order_id,
        order_line_number=int(line.line_number),
        sku=line.sku,
        product_name=line.product_name,
        reason=reason,
        status=status,
        status_time=opened,
        refund_status=refund_status,
        quantity=Decimal("1"),
        unit_price=line.unit_price,
        line_total=line.unit_price,
        tracking_events=[
            {"sequence": i, "tag": tag, "description": text, "time": at.isoformat()}
            for i, (tag, text, at) in enumerate(events)
        ],
    )


def make_ticket(
    account: SellerAccount,
    *,
    order: Order | None = None,
    customer: Customer | None = None,
    kind: str = "buyer_walmart",
    created_at: datetime = ORDERED + timedelta(days=9),
    **fields: Any,
) -> Ticket:
    serial = next(_serial)
    fields.setdefault("subject", f"About my order {serial}")
    fields.setdefault("status", Ticket.Status.OPEN)
    fields.setdefault("intent", "damaged_item")
    return Ticket.objects.create(
        account=account,
        kind=kind,
        order=order,
        order_number=order.purchase_order_id if order else "",
        customer=customer if customer is not None else (order.customer if order else None),
        created_at=created_at,
        last_message_at=created_at,
        relay_address=f"{serial:032x}@relay.walmart.com",
        **fields,
    )


def add_message(
    ticket: Ticket, text: str, *, at: datetime | None = None, inbound: bool = True
) -> Message:
    at = at or ticket.created_at
    return Message.objects.create(
        ticket=ticket,
        direction=Message.Direction.INBOUND if inbound else Message.Direction.OUTBOUND,
        kind="buyer" if inbound else "reply",
        subject=ticket.subject,
        text=text,
        new_text=text,
        received_at=at,
        created_at=at,
    )
