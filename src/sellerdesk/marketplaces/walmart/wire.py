"""What goes on the wire to Walmart: query dates, money, request dataclasses, and reading the
rate-limit header. Pure: no HTTP, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sellerdesk.marketplaces.base import ConnectorError
from sellerdesk.marketplaces.walmart.mapping import parse_iso_datetime


def format_query_datetime(value: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ssZ`` in UTC: Walmart documents whole seconds for query dates."""
    if value.tzinfo is None:
        raise ValueError("query datetimes must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_ms(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("datetimes sent to Walmart must be timezone-aware")
    return int(value.timestamp() * 1000)


def money(value: Decimal) -> float:
    # JSON has no decimal type; two-place floats round-trip exactly through repr.
    return float(value.quantize(Decimal("0.01")))


def parse_replenishment_time(value: str, now: float) -> float | None:
    """Seconds to wait according to ``x-next-replenishment-time``, or ``None`` if unreadable.

    The header's format is not documented: accept epoch milliseconds, epoch seconds, and ISO.
    """
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        try:
            at = parse_iso_datetime(text, "x-next-replenishment-time").timestamp()
        except ConnectorError:
            return None
    else:
        # Anything past year 5138 in seconds is surely milliseconds.
        at = number / 1000 if number > 1e11 else number
    return max(0.0, at - now)


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    """Tracking for one order line: a ``carrier`` from Walmart's list, or ``other_carrier``
    with a mandatory ``tracking_url``."""

    line_number: str
    tracking_number: str
    ship_time: datetime
    carrier: str | None = None
    other_carrier: str | None = None
    tracking_url: str | None = None
    method_code: str = "Standard"
    quantity: int = 1
    seller_order_id: str | None = None
    intent_to_cancel_override: bool = False


@dataclass(frozen=True, slots=True)
class RefundLine:
    """Money to give back on one shipped line; amounts positive (sent to Walmart negative)."""

    line_number: str
    amount: Decimal
    reason: str
    tax: Decimal | None = None
    charge_type: str = "PRODUCT"
    comments: str = ""
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class InventoryData:
    """The available quantity of one SKU."""

    sku: str
    amount: int
    unit: str = "EACH"
