"""Where an order line stands on its way to the buyer, for the order panel (pure: no Django).

Walmart's order API tells us a line's latest status and when it was set, the ship time and
tracking of a shipped line, and the order's estimated delivery. It carries no carrier scans,
so "in transit" is inferred: a shipped line that is not delivered is with the carrier.
Walmart keeps only the latest status date, so an acknowledged line that has since shipped
no longer says when it was acknowledged: such a step shows as done without a date rather
than with a guessed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

# The progress of a line, in order. Cancelled is not a step: it ends the journey.
STEPS: tuple[tuple[str, str], ...] = (
    ("ordered", "Ordered"),
    ("acknowledged", "Acknowledged"),
    ("shipped", "Shipped"),
    ("in_transit", "In transit"),
    ("delivered", "Delivered"),
)
# How far each Walmart line status has come (index into STEPS). "Refund" is an accounting
# marker Walmart may put on a line; it says nothing about the parcel, so it counts as ordered.
_REACHED = {
    "Created": 0,
    "Refund": 0,
    "Acknowledged": 1,
    "Shipped": 3,
    "Delivered": 4,
}
CANCELLED = "Cancelled"

# Tracking pages of the common US carriers, for tracking that came without a URL
# (MARKETPLACE_FACTS.md section 4). Walmart's own URL always wins when it gave one.
CARRIER_TRACKING_URLS = {
    "ups": "https://www.ups.com/track?tracknum={n}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={n}",
    "fdx": "https://www.fedex.com/fedextrack/?trknbr={n}",
    "ontrac": "https://www.ontrac.com/tracking/?number={n}",
    "dhl ecommerce - us": "https://www.dhl.com/us-en/home/tracking.html?tracking-id={n}",
}


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What is stored about one order line, as the progress needs it."""

    status: str
    status_date: datetime | None
    order_date: datetime
    ship_date: datetime | None
    estimated_delivery: datetime | None
    status_quantities: Sequence[tuple[str, int]] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the bar: `state` is done, current (where the line is now) or todo; `at`
    is when it happened, or for the delivered step not reached yet, the estimate."""

    key: str
    label: str
    state: str
    at: datetime | None = None
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    steps: tuple[Step, ...]
    cancelled: bool
    cancelled_at: datetime | None
    late: bool
    days_late: int
    delivered_late: bool
    # "1 shipped, 1 cancelled" when the line's units went different ways; else empty.
    split: str


def _reached(status: str) -> int:
    return _REACHED.get(status, 0)


def _split(parts: Sequence[tuple[str, int]]) -> str:
    distinct = {status for status, _ in parts}
    if len(distinct) < 2:
        return ""
    # Largest share first; equal shares in journey order.
    ordered = sorted(parts, key=lambda p: (-p[1], _reached(p[0])))
    return ", ".join(f"{amount} {status.lower()}" for status, amount in ordered if amount)


def line_progress(facts: LineFacts, now: datetime) -> Progress:
    """The bar for one line at `now`: which steps are done, their dates, and whether it is
    late (past the estimated delivery and not delivered; a cancelled line is never late)."""
    cancelled = facts.status == CANCELLED
    reached = -1 if cancelled else _reached(facts.status)
    dates: dict[str, datetime | None] = {
        "ordered": facts.order_date,
        "acknowledged": facts.status_date if facts.status == "Acknowledged" else None,
        "shipped": facts.ship_date,
        "in_transit": None,
        "delivered": facts.status_date if facts.status == "Delivered" else None,
    }
    steps = []
    for index, (key, label) in enumerate(STEPS):
        if cancelled:
            state = "done" if index == 0 else "todo"
        elif index < reached:
            state = "done"
        elif index == reached:
            # Delivered is the end of the road: done, not "current".
            state = "done" if key == "delivered" else "current"
        else:
            state = "todo"
        at = dates[key] if state != "todo" else None
        estimated = False
        if key == "delivered" and state == "todo" and not cancelled:
            at, estimated = facts.estimated_delivery, facts.estimated_delivery is not None
        steps.append(Step(key, label, state, at, estimated))
    delivered = not cancelled and facts.status == "Delivered"
    estimate = facts.estimated_delivery
    late = not cancelled and not delivered and estimate is not None and now > estimate
    delivered_at = facts.status_date if delivered else None
    return Progress(
        steps=tuple(steps),
        cancelled=cancelled,
        cancelled_at=facts.status_date if cancelled else None,
        late=late,
        days_late=(now - estimate).days if late and estimate is not None else 0,
        delivered_late=bool(
            delivered and estimate is not None and delivered_at and delivered_at > estimate
        ),
        split=_split(facts.status_quantities),
    )


def safe_web_url(url: str) -> str | None:
    """`url` if it is an absolute http(s) address, else None: marketplace data is shown as a
    link only when it cannot be a `javascript:` or other scheme."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def tracking_link(carrier: str, number: str, url: str) -> str | None:
    """Where the agent can follow a parcel: the marketplace's tracking URL, else the carrier's
    public tracking page for the number, else None."""
    given = safe_web_url(url) if url else None
    if given:
        return given
    template = CARRIER_TRACKING_URLS.get(carrier.strip().lower())
    if template and number.strip():
        return template.format(n=quote(number.strip(), safe=""))
    return None
