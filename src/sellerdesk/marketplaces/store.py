"""Writing connector results into the local read model, in bulk and idempotently.

A page of orders costs a handful of queries whatever its size: one to read what we have, one
or two for buyers, one upsert for the orders, one to learn their ids, one upsert for the
lines. Orders whose content hash is unchanged are not written at all, which is what makes a
re-sync of unchanged orders cheap.

An order's `content_hash` is the fingerprint of the raw order the marketplace sent when it
came as a `RawOrder` (what the sync and webhook refreshes fetch), else the hash of its mapped
`OrderData`. Comparing raw fingerprints lets an unchanged order skip its mapping as well as
its write; an order stored under the other kind of hash is simply remapped and rewritten once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import OuterRef, Subquery

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.marketplaces.base import OrderData, RawOrder, ReturnData
from sellerdesk.orders.models import Order, OrderLine, Return, ReturnLine

ORDER_FIELDS = [
    "customer_order_id",
    "customer",
    "buyer_email",
    "shipping_name",
    "shipping_address",
    "order_date",
    "estimated_ship_date",
    "estimated_delivery_date",
    "ship_method",
    "ship_node_type",
    "currency",
    "product_total",
    "shipping_total",
    "tax_total",
    "order_total",
    "refunded_total",
    "last_modified",
    "content_hash",
    "synced_at",
]
LINE_FIELDS = [
    "sku",
    "product_name",
    "image_url",
    "quantity",
    "unit_price",
    "status",
    "status_date",
    "status_quantities",
    "carrier",
    "tracking_number",
    "tracking_url",
    "ship_date",
    "intent_to_cancel",
    "cancellation_reason",
    "refunded_amount",
    "refund_reasons",
]
RETURN_FIELDS = [
    "customer_order_id",
    "customer",
    "buyer_email",
    "return_date",
    "return_by_date",
    "last_modified",
    "refund_mode",
    "return_type",
    "total_refund_amount",
    "currency",
    "content_hash",
    "synced_at",
]
RETURN_LINE_FIELDS = [
    "order",
    "purchase_order_id",
    "order_line_number",
    "sku",
    "product_name",
    "reason",
    "status",
    "status_time",
    "refund_status",
    "refund_channel",
    "quantity",
    "refunded_quantity",
    "unit_price",
    "line_total",
    "tracking_events",
]


@dataclass
class UpsertCounts:
    """What one batch did: new rows, changed rows, rows that were already exactly so."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def content_hash(item: OrderData | ReturnData) -> str:
    # The dataclasses are frozen and hold only str, Decimal, datetime, bool, int and tuples,
    # whose reprs are stable: the repr is a faithful serialisation to hash, and measured
    # cheaper than a pickle. Were a repr ever to change, each order would be rewritten once:
    # harmless, since the hash only decides whether to skip a write.
    return hashlib.sha256(repr(item).encode()).hexdigest()


def order_hash(order: OrderData | RawOrder) -> str:
    # A raw order's fingerprint was computed as it was read; nothing is mapped to get it.
    return order.fingerprint if isinstance(order, RawOrder) else content_hash(order)


Item = TypeVar("Item")


def _changes(
    known: dict[str, str], batch: Mapping[str, Item], digest_of: Callable[[Item], str]
) -> tuple[list[tuple[Item, str]], UpsertCounts]:
    """The items whose content differs from what is stored (each with its new hash, computed
    once), and how many are new, changed and unchanged."""
    changed: list[tuple[Item, str]] = []
    counts = UpsertCounts()
    for key, item in batch.items():
        digest = digest_of(item)
        if known.get(key) == digest:
            counts.unchanged += 1
            continue
        changed.append((item, digest))
        if key in known:
            counts.updated += 1
        else:
            counts.created += 1
    return changed, counts


def _latest_by_key(items: Iterable[Any], key: str) -> dict[str, Any]:
    # One statement may not upsert the same key twice (PostgreSQL refuses), and a page can
    # repeat an order that changed while we paged: keep the last copy of each.
    return {getattr(item, key): item for item in items}


def resolve_customers(buyers: Sequence[tuple[str | None, str | None, str]]) -> list[int]:
    """Customer ids for (relay email, address fingerprint, name) triples, creating buyers
    not seen before. A known relay address wins; else a known shipping fingerprint."""
    emails = {email for email, _, _ in buyers if email}
    prints = {fp for _, fp, _ in buyers if fp}
    by_email = dict(
        CustomerAddress.objects.filter(address__in=emails).values_list("address", "customer_id")
    )
    by_print: dict[str, int] = {}
    for known_print, customer_id in Customer.objects.filter(
        address_fingerprint__in=prints
    ).values_list("address_fingerprint", "id"):
        by_print.setdefault(known_print, customer_id)

    pending: dict[str, Customer] = {}
    keys: list[tuple[str, str]] = []
    for email, fp, name in buyers:
        if email and email in by_email:
            keys.append(("id", str(by_email[email])))
        elif fp and fp in by_print:
            keys.append(("id", str(by_print[fp])))
        else:
            key = f"e:{email}" if email else f"f:{fp}" if fp else f"n:{name}"
            pending.setdefault(key, Customer(name=name, address_fingerprint=fp or ""))
            keys.append(("new", key))
    if pending:
        Customer.objects.bulk_create(pending.values())
    new_addresses = {}
    ids = []
    for (kind, key), (email, _, _) in zip(keys, buyers, strict=True):
        customer_id = int(key) if kind == "id" else pending[key].pk
        ids.append(customer_id)
        if email and email not in by_email:
            new_addresses[email] = CustomerAddress(address=email, customer_id=customer_id)
    if new_addresses:
        CustomerAddress.objects.bulk_create(new_addresses.values(), ignore_conflicts=True)
    return ids


def _order_row(
    account: SellerAccount, data: OrderData, digest: str, customer_id: int, now: datetime
) -> Order:
    address = asdict(data.shipping_address) if data.shipping_address else {}
    return Order(
        account=account,
        purchase_order_id=data.order_id,
        customer_order_id=data.customer_order_id,
        customer_id=customer_id,
        buyer_email=data.buyer_email or "",
        shipping_name=data.shipping_name,
        shipping_address=address,
        order_date=data.order_date,
        estimated_ship_date=data.estimated_ship_date,
        estimated_delivery_date=data.estimated_delivery_date,
        ship_method=data.ship_method or "",
        ship_node_type=data.ship_node_type,
        currency=data.currency,
        product_total=data.product_total,
        shipping_total=data.shipping_total,
        tax_total=data.tax_total,
        order_total=data.order_total,
        refunded_total=data.refunded_total,
        last_modified=data.last_modified,
        content_hash=digest,
        synced_at=now,
    )


def _line_rows(order_id: int, data: OrderData) -> list[OrderLine]:
    return [
        OrderLine(
            order_id=order_id,
            line_number=line.line_number,
            sku=line.sku,
            product_name=line.product_name,
            image_url=line.image_url or "",
            quantity=line.quantity,
            unit_price=line.unit_price,
            status=line.status,
            status_date=line.status_date,
            status_quantities=[list(pair) for pair in line.status_quantities],
            carrier=line.carrier or "",
            tracking_number=line.tracking_number or "",
            tracking_url=line.tracking_url or "",
            ship_date=line.ship_date,
            intent_to_cancel=line.intent_to_cancel,
            cancellation_reason=line.cancellation_reason or "",
            refunded_amount=line.refunded_amount,
            refund_reasons=list(line.refund_reasons),
        )
        for line in data.lines
    ]


def upsert_orders(
    account: SellerAccount, orders: Iterable[OrderData | RawOrder], *, now: datetime
) -> UpsertCounts:
    """Store `orders`, mapped or raw (see the module docstring); only the raw orders that
    are new or changed get mapped."""
    batch: dict[str, OrderData | RawOrder] = _latest_by_key(orders, "order_id")
    if not batch:
        return UpsertCounts()
    with transaction.atomic():
        known = dict(
            Order.objects.filter(account=account, purchase_order_id__in=batch).values_list(
                "purchase_order_id", "content_hash"
            )
        )
        found, counts = _changes(known, batch, order_hash)
        if not found:
            return counts
        # A MappingError here fails the page like a bad listing always did.
        changes = [
            (item.map() if isinstance(item, RawOrder) else item, digest) for item, digest in found
        ]
        changed = [data for data, _ in changes]
        customer_ids = resolve_customers(
            [(d.buyer_email, d.address_fingerprint, d.shipping_name) for d in changed]
        )
        Order.objects.bulk_create(
            [
                _order_row(account, data, digest, customer_id, now)
                for (data, digest), customer_id in zip(changes, customer_ids, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["account", "purchase_order_id"],
            update_fields=ORDER_FIELDS,
        )
        ids = dict(
            Order.objects.filter(
                account=account, purchase_order_id__in=[d.order_id for d in changed]
            ).values_list("purchase_order_id", "id")
        )
        lines = [row for data in changed for row in _line_rows(ids[data.order_id], data)]
        OrderLine.objects.bulk_create(
            lines,
            update_conflicts=True,
            unique_fields=["order", "line_number"],
            update_fields=LINE_FIELDS,
        )
        link_waiting_returns(account, list(ids))
    return counts


def link_waiting_returns(account: SellerAccount, purchase_order_ids: list[str]) -> None:
    """Returns stored before their orders (an orders outage, a webhook-first order) wait
    unlinked, and an unchanged return is never rewritten: adopt them as their orders arrive."""
    ReturnLine.objects.filter(
        return_order__account=account,
        order__isnull=True,
        purchase_order_id__in=purchase_order_ids,
    ).update(
        order_id=Subquery(
            Order.objects.filter(
                account=account, purchase_order_id=OuterRef("purchase_order_id")
            ).values("id")[:1]
        )
    )
    Return.objects.filter(
        account=account,
        customer__isnull=True,
        lines__purchase_order_id__in=purchase_order_ids,
    ).update(
        customer_id=Subquery(
            ReturnLine.objects.filter(return_order=OuterRef("pk"), order__isnull=False)
            .order_by("line_number")
            .values("order__customer_id")[:1]
        )
    )


def _return_row(
    account: SellerAccount, data: ReturnData, digest: str, customer_id: int | None, now: datetime
) -> Return:
    return Return(
        account=account,
        return_order_id=data.return_order_id,
        customer_order_id=data.customer_order_id,
        customer_id=customer_id,
        buyer_email=data.buyer_email or "",
        return_date=data.return_date,
        return_by_date=data.return_by_date,
        last_modified=data.last_modified,
        refund_mode=data.refund_mode or "",
        return_type=data.return_type or "",
        total_refund_amount=data.total_refund_amount,
        currency=data.currency,
        content_hash=digest,
        synced_at=now,
    )


def upsert_returns(
    account: SellerAccount, returns: Iterable[ReturnData], *, now: datetime
) -> UpsertCounts:
    batch: dict[str, ReturnData] = _latest_by_key(returns, "return_order_id")
    if not batch:
        return UpsertCounts()
    with transaction.atomic():
        known = dict(
            Return.objects.filter(account=account, return_order_id__in=batch).values_list(
                "return_order_id", "content_hash"
            )
        )
        changes, counts = _changes(known, batch, content_hash)
        if not changes:
            return counts
        changed = [data for data, _ in changes]
        # A return belongs to the buyer of the order it returns, when we have that order.
        purchase_orders = {
            line.purchase_order_id
            for data in changed
            for line in data.lines
            if line.purchase_order_id
        }
        orders = {
            po: (order_id, customer_id)
            for po, order_id, customer_id in Order.objects.filter(
                account=account, purchase_order_id__in=purchase_orders
            ).values_list("purchase_order_id", "id", "customer_id")
        }
        rows = []
        for data, digest in changes:
            customer_id = next(
                (
                    orders[line.purchase_order_id][1]
                    for line in data.lines
                    if line.purchase_order_id in orders
                ),
                None,
            )
            rows.append(_return_row(account, data, digest, customer_id, now))
        Return.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["account", "return_order_id"],
            update_fields=RETURN_FIELDS,
        )
        ids = dict(
            Return.objects.filter(
                account=account, return_order_id__in=[d.return_order_id for d in changed]
            ).values_list("return_order_id", "id")
        )
        lines = [
            ReturnLine(
                return_order_id=ids[data.return_order_id],
                line_number=line.line_number,
                order_id=orders.get(line.purchase_order_id or "", (None, None))[0],
                purchase_order_id=line.purchase_order_id or "",
                order_line_number=line.purchase_order_line_number,
                sku=line.sku or "",
                product_name=line.product_name or "",
                reason=line.reason or "",
                status=line.status or "",
                status_time=line.status_time,
                refund_status=line.current_refund_status or "",
                refund_channel=line.refund_channel or "",
                quantity=line.quantity,
                refunded_quantity=line.refunded_quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
                tracking_events=[
                    {
                        "sequence": event.sequence,
                        "tag": event.tag,
                        "description": event.description,
                        "time": event.time.isoformat() if event.time else None,
                    }
                    for event in line.tracking_events
                ],
            )
            for data in changed
            for line in data.lines
        ]
        ReturnLine.objects.bulk_create(
            lines,
            update_conflicts=True,
            unique_fields=["return_order", "line_number"],
            update_fields=RETURN_LINE_FIELDS,
        )
    return counts
