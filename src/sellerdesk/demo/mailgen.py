"""The demo's mail: buyer messages about real (emulated) orders, one per intent, Walmart case
and escalation notices, a BBB complaint, and a few nasty messages (broken MIME, hostile
HTML), delivered into each demo account's Maildir as Walmart's relay would deliver them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.orders.models import Order

# How long the relay takes to pass a message on (the top Received: header says the same).
RELAY_DELAY = timedelta(seconds=40)

BUYER_TEMPLATES: tuple[tuple[str, str, str], ...] = (
    (
        "where_is_my_order",
        "Where is my order #{po}?",
        "Hi, I ordered {item} on {date} and it still has not arrived. Where is my package? Order {po}.",
    ),
    (
        "cancel_request",
        "Please cancel order {po}",
        "Hello, I changed my mind. Please cancel my order {po} before it ships. Thanks.",
    ),
    (
        "address_change",
        "Change shipping address for order {po}",
        "I moved last week. Can you change the shipping address on order {po} to 12 Elm St, Springfield?",
    ),
    (
        "return_request",
        "Return for order {po}",
        "I would like to return the {item} from order {po}. How do I start a return?",
    ),
    (
        "damaged_item",
        "Item arrived damaged - order {po}",
        "The {item} arrived broken, the box was crushed. Order {po}. What can you do?",
    ),
    (
        "wrong_item",
        "Wrong item received (order {po})",
        "I received the wrong item: I ordered {item} but got something else entirely. Order {po}.",
    ),
    (
        "not_as_described",
        "Not as described: {item}",
        "The {item} is not as described in the listing, the color and material are different. Order {po}.",
    ),
    (
        "missing_parts",
        "Missing parts in order {po}",
        "The {item} came with missing parts: the screws and the manual are not in the box. Order {po}.",
    ),
    (
        "refund_status",
        "Refund status for order {po}",
        "I returned the {item} two weeks ago. When will I get my refund? Order {po}.",
    ),
    (
        "pre_sale_question",
        "Question about a product",
        "Hi, before I buy: does the {item} come with a warranty, and is it in stock?",
    ),
)


def _message(
    *,
    sender: tuple[str, str],
    to: str,
    subject: str,
    body: str,
    sent: datetime,
    message_id: str,
    html: str | None = None,
    in_reply_to: str | None = None,
) -> bytes:
    mail = EmailMessage()
    mail["Received"] = (
        f"from relay.walmart.com by mx.sellerdesk.example; {format_datetime(sent + RELAY_DELAY)}"
    )
    mail["From"] = formataddr(sender)
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(sent)
    mail["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        mail["In-Reply-To"] = mail["References"] = f"<{in_reply_to}>"
    mail.set_content(body)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    return mail.as_bytes()


# Older conversations, already answered from the seller's mail client (found in its Sent
# folder), so the demo's response figures have a history: hours from question to answer,
# one of them past Walmart's 48.
HISTORY_REPLY_HOURS = (2, 5, 9, 20, 30, 3, 60, 6)


def history_mail(
    account: SellerAccount, orders: list[Order], now: datetime
) -> Iterator[tuple[bytes, datetime]]:
    slug = account.name.lower().replace(" ", "-")
    for index, (order, hours) in enumerate(zip(orders, HISTORY_REPLY_HOURS, strict=False)):
        asked = now - timedelta(days=3 + 2 * index)
        question_id = f"demo.{slug}.history-{index}@relay.walmart.com"
        yield (
            _message(
                sender=(order.shipping_name or "Walmart Customer", order.buyer_email),
                to=account.support_address,
                subject=f"Tracking for order {order.purchase_order_id}?",
                body=f"Hi, could you send me the tracking number for order {order.purchase_order_id}?",
                sent=asked,
                message_id=question_id,
            ),
            asked + RELAY_DELAY,
        )
        answered = asked + timedelta(hours=hours)
        reply = _message(
            sender=(account.name, account.sender_address),
            to=order.buyer_email,
            subject=f"Re: Tracking for order {order.purchase_order_id}?",
            body="Hello, your order shipped; the tracking number is in your Walmart account.",
            sent=answered,
            message_id=f"demo.{slug}.history-{index}-reply@{account.sender_address.rpartition('@')[2]}",
            in_reply_to=question_id,
        )
        yield reply, answered


def _fits(intent: str, order: Order) -> bool:
    """Whether `order` is one a buyer would write this about, so the demo's order panel shows
    every state: a split shipment in transit, an order still to ship, a WFS order, delivered
    items ready to refund, a return under way."""
    lines = list(order.lines.all())
    seller = not order.is_wfs
    shipped = [ln for ln in lines if ln.status == "Shipped"]
    if intent == "where_is_my_order":
        return seller and len({ln.tracking_number for ln in shipped}) >= 2
    if intent in ("cancel_request", "address_change"):
        return seller and any(ln.status in ("Created", "Acknowledged") for ln in lines)
    if intent == "return_request":
        return order.is_wfs and any(ln.status == "Delivered" for ln in lines)
    if intent in ("damaged_item", "wrong_item", "not_as_described", "missing_parts"):
        return seller and any(ln.status == "Delivered" and ln.refunded_amount == 0 for ln in lines)
    if intent == "refund_status":
        return seller and bool(order.return_lines.all())
    return True


def orders_for_templates(account: SellerAccount, pool: int = 400) -> list[Order]:
    """One order per buyer template, each in a state that fits what the buyer writes about
    (the latest such order; the latest unused one when none fits), then more for the
    answered history."""
    recent = list(
        Order.objects.filter(account=account)
        .exclude(buyer_email="")
        .prefetch_related("lines", "return_lines")
        .order_by("-order_date")[:pool]
    )
    chosen: list[Order] = []
    for intent, _, _ in BUYER_TEMPLATES:
        free = [order for order in recent if order not in chosen]
        fitting = next((order for order in free if _fits(intent, order)), None)
        if fitting is None and free:
            fitting = free[0]
        if fitting is not None:
            chosen.append(fitting)
    rest = [order for order in recent if order not in chosen]
    return chosen + rest[: len(HISTORY_REPLY_HOURS)]


def demo_mail(account: SellerAccount, now: datetime) -> Iterator[tuple[bytes, datetime]]:
    """Every demo message for `account` with the time it reached the seller, newest last.
    Message-IDs are stable, so delivering twice creates no duplicate tickets."""
    orders = orders_for_templates(account)
    yield from history_mail(account, orders[len(BUYER_TEMPLATES) :], now)
    slug = account.name.lower().replace(" ", "-")
    for index, (order, (intent, subject, body)) in enumerate(
        zip(orders, BUYER_TEMPLATES, strict=False)
    ):
        line = order.lines.all()[0] if order.lines.all() else None
        fields = {
            "po": order.purchase_order_id,
            "item": line.product_name if line else "item",
            "date": f"{order.order_date:%B %d}",
        }
        # The first is past Walmart's 48 hours already, the second at risk: the demo shows both.
        sent = now - timedelta(hours=52 - index * 5)
        yield (
            _message(
                sender=(order.shipping_name or "Walmart Customer", order.buyer_email),
                to=account.support_address,
                subject=subject.format(**fields),
                body=body.format(**fields)
                + f"\n\n{order.shipping_name.split(' ')[0] if order.shipping_name else ''}",
                sent=sent,
                message_id=f"demo.{slug}.{intent}@relay.walmart.com",
            ),
            sent + RELAY_DELAY,
        )
    if orders:
        first = orders[0]
        yield (
            _message(
                sender=(
                    "Walmart Marketplace Seller Support",
                    "escalations@partnerhelp.walmart.com",
                ),
                to=account.support_address,
                subject=f"Customer Care escalation: order {first.purchase_order_id}",
                body=(
                    f"A customer has escalated order {first.purchase_order_id} to Walmart Customer Care. "
                    "Please respond to the customer within 48 hours."
                ),
                sent=now - timedelta(hours=6),
                message_id=f"demo.{slug}.escalation@partnerhelp.walmart.com",
            ),
            now - timedelta(hours=6) + RELAY_DELAY,
        )
        yield (
            _message(
                sender=("Walmart Marketplace", "cases@partnerhelp.walmart.com"),
                to=account.support_address,
                subject=f"Case 05839211 opened for order {first.purchase_order_id}",
                body=f"A case has been opened regarding order {first.purchase_order_id}: item not received.",
                sent=now - timedelta(hours=5),
                message_id=f"demo.{slug}.case@partnerhelp.walmart.com",
            ),
            now - timedelta(hours=5) + RELAY_DELAY,
        )
    yield (
        _message(
            sender=("Better Business Bureau", "complaints@bbb.org"),
            to=account.support_address,
            subject="BBB Complaint #18422107 filed against your business",
            body="A consumer has filed a complaint with the Better Business Bureau. Please respond promptly.",
            sent=now - timedelta(minutes=50),
            message_id=f"demo.{slug}.bbb@bbb.org",
        ),
        now - timedelta(minutes=50) + RELAY_DELAY,
    )
    yield (
        _message(
            sender=("Walmart Customer", "0f3a9b2c4d5e6f708192a3b4c5d6e7f8@relay.walmart.com"),
            to=account.support_address,
            subject="See my photos",
            body="Photos attached in the formatted version.",
            html=(
                '<p>Look <img src="https://tracker.example/pixel.gif" onerror="alert(1)"></p>'
                '<script>alert("x")</script><a href="javascript:alert(2)">click</a>'
                '<div style="position:fixed;top:0">overlay</div>'
            ),
            sent=now - timedelta(hours=3),
            message_id=f"demo.{slug}.hostile-html@relay.walmart.com",
        ),
        now - timedelta(hours=3) + RELAY_DELAY,
    )
    # Broken MIME: a multipart without its closing boundary and a mislabelled charset.
    yield (
        (
            b"From: 9a8b7c6d5e4f30211203f4e5d6c7b8a9@relay.walmart.com\r\n"
            + f"To: {account.support_address}\r\n".encode()
            + b"Subject: =?us-ascii?Q?Caf=C3=A9_order_problem?=\r\n"
            + f"Date: {format_datetime(now - timedelta(hours=2))}\r\n".encode()
            + f"Message-ID: <demo.{slug}.broken-mime@relay.walmart.com>\r\n".encode()
            + b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
            + b"--XYZ\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "My café order never came, where is it?\r\n".encode()
        ),
        now - timedelta(hours=2) + RELAY_DELAY,
    )
