"""Deterministic seller data for the emulator: catalog, buyers, orders, returns.

Generation is cheap on purpose (plain records with integer cents and epoch milliseconds):
25,000 orders are created in about a second, and an order's JSON is rendered only when first
asked for (see ``render_order``), then cached until the order changes.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

LINE_STATES = ("Created", "Acknowledged", "Shipped", "Delivered", "Cancelled")
CARRIERS = ("UPS", "USPS", "FedEx", "OnTrac", "DHL Ecommerce - US")
TRACKING_URLS = {
    "UPS": "https://www.ups.com/track?tracknum={n}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={n}",
    "OnTrac": "https://www.ontrac.com/tracking/?number={n}",
    "DHL Ecommerce - US": "https://www.dhl.com/us-en/home/tracking.html?tracking-id={n}",
}
RETURN_REASONS = (
    "ARRIVED_LATE",
    "DAMAGED",
    "DEFECTIVE",
    "INCORRECT_ITEM",
    "NOT_AS_DESCRIBED",
    "MISSING_PARTS",
    "LOST_IN_TRANSIT",
    "SHIPPING_BOX_DAMAGED",
    "WRONG_SIZE",
    "NO_LONGER_WANTED",
)
_ADJECTIVES = (
    "Classic",
    "Deluxe",
    "Compact",
    "Rugged",
    "Organic",
    "Wireless",
    "Stainless",
    "Bamboo",
    "Vintage",
    "Smart",
)
_NOUNS = (
    "Water Bottle",
    "Desk Lamp",
    "Yoga Mat",
    "Phone Case",
    "Coffee Grinder",
    "Backpack",
    "Headphones",
    "Cutting Board",
    "Throw Blanket",
    "Plant Pot",
    "Dog Leash",
    "Tool Set",
)
_FIRST = (
    "Mary",
    "James",
    "Linda",
    "Robert",
    "Ana",
    "Wei",
    "Fatima",
    "Carlos",
    "Grace",
    "Omar",
    "Priya",
    "Kevin",
    "Sofia",
    "Liam",
)
_LAST = (
    "Smith",
    "Johnson",
    "Garcia",
    "Nguyen",
    "Patel",
    "Brown",
    "Lopez",
    "Kim",
    "Okafor",
    "Miller",
    "Davis",
    "Cohen",
)
_STREETS = (
    "Maple Ave",
    "Oak St",
    "Pine Rd",
    "Cedar Ln",
    "Elm St",
    "Main St",
    "Lakeview Dr",
    "Hillcrest Blvd",
)
_CITIES = (
    ("Austin", "TX", "78701"),
    ("Denver", "CO", "80202"),
    ("Columbus", "OH", "43004"),
    ("Tampa", "FL", "33602"),
    ("Portland", "OR", "97201"),
    ("Raleigh", "NC", "27601"),
    ("Madison", "WI", "53703"),
    ("Bentonville", "AR", "72712"),
)


@dataclass(frozen=True, slots=True)
class Product:
    """A catalog entry; price in cents."""

    sku: str
    name: str
    image_url: str
    price_cents: int


@dataclass(frozen=True, slots=True)
class Buyer:
    """A buyer with a stable relay address (so repeat buyers are recognisable)."""

    email: str
    name: str
    address1: str
    city: str
    state: str
    postal_code: str
    phone: str


@dataclass(slots=True)
class Line:
    """Mutable state of one order line."""

    number: int
    product: int
    quantity: int
    status: str
    status_ms: int
    shipping_cents: int = 0
    carrier: str | None = None
    other_carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    ship_ms: int | None = None
    method_code: str = "Standard"
    cancellation_reason: str | None = None
    intent_to_cancel: bool = False
    refunds: list[tuple[int, int, str]] = field(default_factory=list)  # (cents, tax cents, reason)


@dataclass(slots=True)
class Order:
    """Mutable state of one purchase order, with its rendered JSON cached per variant."""

    po: str
    customer_order_id: str
    order_ms: int
    buyer: int
    ship_node: str
    est_ship_ms: int
    est_delivery_ms: int
    method_code: str
    lines: list[Line]
    last_modified_ms: int
    rendered: dict[bool, bytes] = field(default_factory=dict)

    def touch(self, now_ms: int) -> None:
        # Never move backwards: an incremental sync's high-water mark relies on it.
        self.last_modified_ms = max(self.last_modified_ms + 1, now_ms)
        self.rendered.clear()


@dataclass(slots=True)
class ReturnLine:
    """Mutable state of one returned line."""

    number: int
    po_line: int
    product: int
    reason: str
    status: str
    refund_status: str
    status_ms: int
    events: list[tuple[str, str, int]]  # (tag, description, epoch ms)


@dataclass(slots=True)
class Return:
    """A return order against one purchase order."""

    return_order_id: str
    po: str
    customer_order_id: str
    buyer: int
    created_ms: int
    lines: list[ReturnLine]
    last_modified_ms: int


def _hex(seed: int, *parts: object) -> str:
    return hashlib.md5(
        ":".join(map(str, (seed, *parts))).encode(), usedforsecurity=False
    ).hexdigest()


def make_catalog(seed: int, count: int = 48) -> list[Product]:
    rng = random.Random(f"catalog:{seed}")
    products = []
    for i in range(count):
        sku = f"SD-{seed % 1000:03d}-{i:04d}"
        name = f"{_ADJECTIVES[i % len(_ADJECTIVES)]} {_NOUNS[(i // len(_ADJECTIVES) + i) % len(_NOUNS)]} #{i + 1}"
        image = f"https://i5.walmartimages.com/asr/{_hex(seed, sku)[:8]}-{_hex(seed, sku, 'img')[:12]}.jpeg"
        products.append(
            Product(sku=sku, name=name, image_url=image, price_cents=rng.randrange(499, 15999))
        )
    return products


def make_buyers(seed: int, count: int) -> list[Buyer]:
    rng = random.Random(f"buyers:{seed}")
    buyers = []
    for i in range(count):
        city, state, postal = _CITIES[rng.randrange(len(_CITIES))]
        buyers.append(
            Buyer(
                email=f"{_hex(seed, 'buyer', i).upper()}@relay.walmart.com",
                name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                address1=f"{rng.randrange(10, 9999)} {rng.choice(_STREETS)}",
                city=city,
                state=state,
                postal_code=postal,
                phone=f"{rng.randrange(200, 999)}555{rng.randrange(1000, 9999)}",
            )
        )
    return buyers


def tracking_for(rng: random.Random, carrier: str) -> tuple[str, str]:
    if carrier == "UPS":
        number = "1Z" + "".join(rng.choices("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", k=16))
    elif carrier == "USPS":
        number = "9400" + "".join(rng.choices("0123456789", k=18))
    else:
        number = "".join(rng.choices("0123456789", k=12))
    return number, TRACKING_URLS[carrier].format(n=number)


def _line_state(rng: random.Random, age_ms: int, wfs: bool) -> str:
    if wfs:
        return "Delivered" if age_ms > 4 * DAY_MS else "Shipped"
    roll = rng.random()
    if roll < 0.05:
        return "Cancelled"
    if age_ms < DAY_MS:
        return "Created" if roll < 0.6 else "Acknowledged"
    if age_ms < 3 * DAY_MS:
        return ("Created", "Acknowledged", "Shipped")[int(roll * 3) % 3]
    if age_ms < 7 * DAY_MS:
        return "Shipped" if roll < 0.6 else "Delivered"
    return "Delivered" if roll < 0.92 else "Shipped"


def make_order(
    rng: random.Random,
    seed: int,
    index: int,
    order_ms: int,
    now_ms: int,
    buyers: int,
    products: int,
) -> Order:
    """One order of a given age; its line states follow from that age."""
    age = now_ms - order_ms
    wfs = rng.random() < 0.08
    method = "Express" if rng.random() < 0.15 else "Standard"
    est_ship = order_ms + (DAY_MS if method == "Express" else 2 * DAY_MS)
    est_delivery = est_ship + (2 if method == "Express" else 5) * DAY_MS
    # Repeat buyers: a quarter of orders come from a small loyal group.
    buyer = rng.randrange(max(1, buyers // 10)) if rng.random() < 0.25 else rng.randrange(buyers)
    line_count = 1 if rng.random() < 0.7 else rng.randrange(2, 4)
    split = line_count > 1 and rng.random() < 0.5
    shared_carrier = CARRIERS[rng.randrange(len(CARRIERS))]
    shared_tracking = tracking_for(rng, shared_carrier)
    lines = []
    for n in range(1, line_count + 1):
        state = _line_state(rng, age, wfs)
        line = Line(
            number=n,
            product=rng.randrange(products),
            quantity=1 if rng.random() < 0.9 else 2,
            status=state,
            status_ms=order_ms + 60_000,
        )
        line.shipping_cents = 0 if rng.random() < 0.6 else 599
        if state == "Acknowledged":
            line.status_ms = min(now_ms, order_ms + rng.randrange(HOUR_MS, 6 * HOUR_MS))
        if state in ("Created", "Acknowledged") and rng.random() < 0.06:
            line.intent_to_cancel = True
        if state == "Cancelled":
            line.cancellation_reason = (
                "SELLER_CANCEL_OUT_OF_STOCK"
                if rng.random() < 0.5
                else "CUSTOMER_REQUESTED_SELLER_TO_CANCEL"
            )
            line.status_ms = min(now_ms, order_ms + rng.randrange(HOUR_MS, 2 * DAY_MS))
        if state in ("Shipped", "Delivered"):
            # A split shipment: each line its own parcel, possibly another carrier.
            carrier = CARRIERS[rng.randrange(len(CARRIERS))] if split else shared_carrier
            number, url = tracking_for(rng, carrier) if split else shared_tracking
            line.carrier, line.tracking_number, line.tracking_url = carrier, number, url
            line.ship_ms = min(now_ms, order_ms + rng.randrange(6 * HOUR_MS, 2 * DAY_MS))
            line.method_code = method
            line.status_ms = line.ship_ms
            if state == "Delivered":
                line.status_ms = min(now_ms, line.ship_ms + rng.randrange(DAY_MS, 5 * DAY_MS))
        lines.append(line)
    last_modified = max(
        [order_ms] + [ln.status_ms for ln in lines] + [ln.ship_ms or 0 for ln in lines]
    )
    return Order(
        po=str(1_700_000_000_000 + (seed % 1000) * 100_000_000 + index * 7 + 3),
        customer_order_id=str(5_200_000_000_000 + (seed % 1000) * 100_000_000 + index * 11 + 5),
        order_ms=order_ms,
        buyer=buyer,
        ship_node="WFSFulfilled" if wfs else "SellerFulfilled",
        est_ship_ms=est_ship,
        est_delivery_ms=est_delivery,
        method_code=method,
        lines=lines,
        last_modified_ms=last_modified,
    )


def make_return(
    rng: random.Random, seed: int, index: int, order: Order, now_ms: int
) -> Return | None:
    """A return for a delivered seller-fulfilled line; some already refunded."""
    delivered = [ln for ln in order.lines if ln.status == "Delivered"]
    if not delivered or order.ship_node != "SellerFulfilled":
        return None
    line = delivered[0]
    created = min(now_ms, line.status_ms + rng.randrange(HOUR_MS, 10 * DAY_MS))
    events = [("RETURN_INITIATED", "Return initiated for MARKET_PLACE", created)]
    status, refund_status = "INITIATED", "NOT_REFUNDED"
    if now_ms - created > 3 * DAY_MS:
        events.append(("RETURN_IN_TRANSIT", "A MARKET_PLACE Return in Transit", created + DAY_MS))
        status = "DELIVERED"
        if rng.random() < 0.6:
            events.append(
                ("RETURN_RECEIVED", "Return received at return center", created + 3 * DAY_MS)
            )
            status, refund_status = "COMPLETED", "REFUNDED"
    reason = RETURN_REASONS[rng.randrange(len(RETURN_REASONS))]
    ret_line = ReturnLine(
        number=1,
        po_line=line.number,
        product=line.product,
        reason=reason,
        status=status,
        refund_status=refund_status,
        status_ms=events[-1][2],
        events=events,
    )
    return Return(
        return_order_id=str(100_000_000_000_000_000 + (seed % 1000) * 1_000_000 + index),
        po=order.po,
        customer_order_id=order.customer_order_id,
        buyer=order.buyer,
        created_ms=created,
        lines=[ret_line],
        last_modified_ms=events[-1][2],
    )


def _cents(value: int) -> float:
    return value / 100


def line_tax_cents(price_cents: int, quantity: int) -> int:
    # A flat 8.25 % keeps totals predictable for tests.
    return round(price_cents * quantity * 0.0825)


def render_order(
    order: Order, buyers: list[Buyer], products: list[Product], product_info: bool
) -> dict[str, Any]:
    """The order as Walmart's JSON (epoch-millisecond dates, nested list wrappers)."""
    buyer = buyers[order.buyer]
    lines = []
    total = 0
    for ln in order.lines:
        product = products[ln.product]
        item: dict[str, Any] = {"productName": product.name, "sku": product.sku}
        if product_info:
            item["imageUrl"] = product.image_url
        tax = line_tax_cents(product.price_cents, ln.quantity)
        total += product.price_cents * ln.quantity + tax + ln.shipping_cents
        charges: list[dict[str, Any]] = [
            {
                "chargeType": "PRODUCT",
                "chargeName": "ItemPrice",
                "chargeAmount": {"currency": "USD", "amount": _cents(product.price_cents)},
                "tax": {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": _cents(tax)}},
            }
        ]
        if ln.shipping_cents:
            charges.append(
                {
                    "chargeType": "SHIPPING",
                    "chargeName": "Shipping",
                    "chargeAmount": {"currency": "USD", "amount": _cents(ln.shipping_cents)},
                }
            )
        entry: dict[str, Any] = {
            "status": ln.status,
            "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(ln.quantity)},
        }
        if ln.cancellation_reason:
            entry["cancellationReason"] = ln.cancellation_reason
        if ln.tracking_number is not None and ln.ship_ms is not None:
            carrier = (
                {"carrier": ln.carrier} if ln.carrier else {"otherCarrier": ln.other_carrier or ""}
            )
            info: dict[str, Any] = {
                "shipDateTime": ln.ship_ms,
                "carrierName": carrier,
                "methodCode": ln.method_code,
                "trackingNumber": ln.tracking_number,
            }
            if ln.tracking_url:
                info["trackingURL"] = ln.tracking_url
            entry["trackingInfo"] = info
        line: dict[str, Any] = {
            "lineNumber": str(ln.number),
            "item": item,
            "charges": {"charge": charges},
            "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": str(ln.quantity)},
            "statusDate": ln.status_ms,
            "orderLineStatuses": {"orderLineStatus": [entry]},
            "fulfillment": {
                "fulfillmentOption": "S2H",
                "shipMethod": order.method_code.upper(),
                "pickUpDateTime": order.est_ship_ms,
            },
        }
        if ln.intent_to_cancel:
            line["intentToCancel"] = "Y"
        if ln.refunds:
            line["refund"] = {
                "refundId": f"{order.po}-{ln.number}",
                "refundComments": "",
                "refundCharges": {
                    "refundCharge": [
                        {
                            "refundReason": reason,
                            "charge": {
                                "chargeType": "PRODUCT",
                                "chargeName": "ItemPrice",
                                "chargeAmount": {"currency": "USD", "amount": -_cents(cents)},
                                "tax": {
                                    "taxName": "Tax1",
                                    "taxAmount": {"currency": "USD", "amount": -_cents(tax_cents)},
                                },
                            },
                        }
                        for cents, tax_cents, reason in ln.refunds
                    ]
                },
            }
        lines.append(line)
    return {
        "purchaseOrderId": order.po,
        "customerOrderId": order.customer_order_id,
        "customerEmailId": buyer.email,
        "orderType": "REGULAR",
        "orderDate": order.order_ms,
        "shippingInfo": {
            "phone": buyer.phone,
            "estimatedDeliveryDate": order.est_delivery_ms,
            "estimatedShipDate": order.est_ship_ms,
            "methodCode": order.method_code,
            "postalAddress": {
                "name": buyer.name,
                "address1": buyer.address1,
                "city": buyer.city,
                "state": buyer.state,
                "postalCode": buyer.postal_code,
                "country": "USA",
                "addressType": "RESIDENTIAL",
            },
        },
        "orderLines": {"orderLine": lines},
        "orderSummary": {"totalAmount": {"currencyAmount": _cents(total), "currencyUnit": "USD"}},
        "shipNode": {"type": order.ship_node},
    }


def iso_ms(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{ms % 1000:03d}Z"
    )


def render_return(
    ret: Return, order: Order | None, buyers: list[Buyer], products: list[Product]
) -> dict[str, Any]:
    """The return as Walmart's returns JSON (ISO-8601 dates)."""
    buyer = buyers[ret.buyer]
    first, _, last = buyer.name.partition(" ")
    lines = []
    total = 0
    for rl in ret.lines:
        product = products[rl.product]
        tax = line_tax_cents(product.price_cents, 1)
        total += product.price_cents + tax
        lines.append(
            {
                "returnOrderLineNumber": rl.number,
                "salesOrderLineNumber": rl.po_line,
                "returnReason": rl.reason,
                "purchaseOrderId": ret.po,
                "purchaseOrderLineNumber": rl.po_line,
                "item": {"sku": product.sku, "productName": product.name},
                "unitPrice": {"currencyAmount": _cents(product.price_cents), "currencyUnit": "USD"},
                "chargeTotals": [
                    {
                        "name": "lineSubTotal",
                        "value": {
                            "currencyAmount": _cents(product.price_cents),
                            "currencyUnit": "USD",
                        },
                    },
                    {
                        "name": "lineTotalTaxes",
                        "value": {"currencyAmount": _cents(tax), "currencyUnit": "USD"},
                    },
                    {
                        "name": "lineTotal",
                        "value": {
                            "currencyAmount": _cents(product.price_cents + tax),
                            "currencyUnit": "USD",
                        },
                    },
                ],
                "quantity": {"unitOfMeasure": "EACH", "measurementValue": 1},
                "refundedQty": 1 if rl.refund_status == "REFUNDED" else 0,
                "refundChannel": "SELLER_MANUAL_REFUND",
                "returnTrackingDetail": [
                    {
                        "sequenceNo": i,
                        "eventTag": tag,
                        "eventDescription": desc,
                        "eventTime": iso_ms(ms),
                    }
                    for i, (tag, desc, ms) in enumerate(rl.events)
                ],
                "status": rl.status,
                "statusTime": iso_ms(rl.status_ms),
                "currentDeliveryStatus": "DELIVERED"
                if rl.status in ("DELIVERED", "COMPLETED")
                else "IN_TRANSIT",
                "currentRefundStatus": rl.refund_status,
            }
        )
    return {
        "returnOrderId": ret.return_order_id,
        "customerEmailId": buyer.email,
        "customerName": {"firstName": first, "lastName": last},
        "customerOrderId": ret.customer_order_id,
        "returnOrderDate": iso_ms(ret.created_ms),
        "returnByDate": iso_ms(ret.created_ms + 30 * DAY_MS),
        "refundMode": "POST_DELIVERY",
        "returnType": "REFUND",
        "totalRefundAmount": {"currencyAmount": _cents(total), "currencyUnit": "USD"},
        "returnOrderLines": lines,
        "returnChannel": {"channelName": "ONLINE"},
    }
