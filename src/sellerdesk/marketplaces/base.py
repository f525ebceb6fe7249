"""Neutral types shared by every marketplace connector.

Connectors translate a marketplace's wire format into these frozen dataclasses, so the sync
and the helpdesk never see marketplace JSON. Everything here is pure Python: no Django, no
HTTP. Datetimes are timezone-aware UTC; money is ``Decimal`` with its ISO currency code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ConnectorError(Exception):
    """A failure talking to a marketplace.

    ``permanent`` decides retries in one place: a permanent error (bad request, unknown
    order, invalid credentials) will fail again if repeated unchanged, a transient one
    (throttling, outage, timeout) may succeed later.
    """

    def __init__(self, description: str, *, permanent: bool, code: str = "") -> None:
        super().__init__(f"{code}: {description}" if code else description)
        self.description = description
        self.permanent = permanent
        self.code = code


class MappingError(ConnectorError):
    """A marketplace payload lacks a required field or carries one of the wrong shape.

    Permanent: the same payload maps the same way every time. ``field`` is the path of the
    offending field, e.g. ``orderLines.orderLine[0].item.sku``.
    """

    def __init__(self, field_path: str, problem: str) -> None:
        super().__init__(f"{field_path}: {problem}", permanent=True, code="MAPPING_ERROR")
        self.field = field_path


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_cursor`` is opaque and ``None`` on the last page."""

    items: tuple[T, ...]
    next_cursor: str | None
    total_count: int | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as the marketplace gave it."""

    name: str
    address1: str
    address2: str
    city: str
    state: str
    postal_code: str
    country: str
    address_type: str = ""


@dataclass(frozen=True, slots=True)
class OrderLineData:
    """One line of an order, reduced to its latest state.

    A marketplace line may carry several partial statuses (one unit shipped, one cancelled);
    ``status`` is the most advanced of them and ``status_quantities`` keeps the split.
    Refund amounts are positive (money given back), whatever sign the marketplace uses.
    """

    line_number: str
    sku: str
    product_name: str
    image_url: str | None
    quantity: int
    unit_price: Decimal
    currency: str
    status: str
    status_date: datetime | None
    status_quantities: tuple[tuple[str, int], ...] = ()
    shipping_charge: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    ship_date: datetime | None = None
    ship_method: str | None = None
    cancellation_reason: str | None = None
    intent_to_cancel: bool = False
    refunded_amount: Decimal = Decimal("0")
    refunded_tax: Decimal = Decimal("0")
    refund_reasons: tuple[str, ...] = ()
    return_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrderData:
    """An order (Walmart: a purchase order) with its lines and buyer hints.

    ``buyer_email`` is ``None`` while the marketplace shows a stand-in address instead of the
    relay address. ``address_fingerprint`` identifies a shipping destination without
    keeping a second copy of the address for matching.
    """

    order_id: str
    customer_order_id: str
    order_date: datetime
    last_modified: datetime
    buyer_email: str | None
    shipping_name: str
    shipping_address: Address | None
    shipping_phone: str | None
    address_fingerprint: str | None
    estimated_ship_date: datetime | None
    estimated_delivery_date: datetime | None
    ship_method: str | None
    ship_node_type: str
    currency: str
    product_total: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    order_total: Decimal
    refunded_total: Decimal
    lines: tuple[OrderLineData, ...]
    order_type: str | None = None


@dataclass(frozen=True, slots=True)
class RawOrder:
    """An order as the marketplace sent it, mapped to :class:`OrderData` only on demand.

    Mapping is most of the cost of re-reading an order, and a sync re-reads mostly
    unchanged ones: carrying the raw JSON with a ``fingerprint`` of it lets the store skip
    the mapping of every order whose stored fingerprint still matches. ``fingerprint`` is
    a digest of the raw order (and of the mapping's version), computed the same way by
    every path that fetches orders, so a webhook refresh and a sync agree.
    """

    order_id: str
    fingerprint: str
    raw: Mapping[str, Any]
    mapper: Callable[[Mapping[str, Any]], OrderData]

    def map(self) -> OrderData:
        return self.mapper(self.raw)


@dataclass(frozen=True, slots=True)
class TrackingEventData:
    """One step of a return's journey (label created, in transit, received...)."""

    sequence: int | None
    tag: str
    description: str
    time: datetime | None


@dataclass(frozen=True, slots=True)
class ReturnLineData:
    """One returned line and where its refund stands."""

    return_order_id: str
    line_number: int
    purchase_order_id: str | None
    purchase_order_line_number: int | None
    customer_order_id: str
    sku: str | None
    product_name: str | None
    reason: str | None
    status: str | None
    status_time: datetime | None
    current_delivery_status: str | None
    current_refund_status: str | None
    refund_channel: str | None
    quantity: Decimal
    refunded_quantity: Decimal
    unit_price: Decimal
    line_total: Decimal
    currency: str
    tracking_events: tuple[TrackingEventData, ...] = ()


@dataclass(frozen=True, slots=True)
class ReturnData:
    """A return order (one or more returned lines, possibly from several orders)."""

    return_order_id: str
    customer_order_id: str
    buyer_email: str | None
    customer_name: str
    return_date: datetime | None
    return_by_date: datetime | None
    last_modified: datetime | None
    refund_mode: str | None
    return_type: str | None
    total_refund_amount: Decimal
    currency: str
    lines: tuple[ReturnLineData, ...]
    label_tracking: tuple[tuple[str, str], ...] = field(default=())
