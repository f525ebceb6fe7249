"""Where a snippet belongs: the intent tiers of a buyer's question and the intents in each
(pure, no Django).

Intents use the same values as `Ticket.intent` (the mail classifier's), so the composer can
put the snippets of the ticket's own intent first. The tier follows the order's life: before
it ships, while it travels, after it arrived; "general" holds what fits any time.
"""

from __future__ import annotations

from typing import Final

PRE_SHIPMENT: Final = "pre_shipment"
IN_TRANSIT: Final = "in_transit"
POST_DELIVERY: Final = "post_delivery"
GENERAL: Final = "general"

TIERS: tuple[tuple[str, str], ...] = (
    (PRE_SHIPMENT, "Pre-shipment"),
    (IN_TRANSIT, "In transit"),
    (POST_DELIVERY, "Post-delivery"),
    (GENERAL, "Any time"),
)

# (intent, label, tier). Missing parts and refund status come after delivery as well: the
# classifier has them as intents of their own, so they get snippets of their own.
INTENTS: tuple[tuple[str, str, str], ...] = (
    ("cancel_request", "Cancellation", PRE_SHIPMENT),
    ("address_change", "Address change", PRE_SHIPMENT),
    ("where_is_my_order", "Where is my order", IN_TRANSIT),
    ("return_request", "Return", POST_DELIVERY),
    ("damaged_item", "Damaged", POST_DELIVERY),
    ("not_as_described", "Not as described", POST_DELIVERY),
    ("wrong_item", "Wrong item", POST_DELIVERY),
    ("missing_parts", "Missing parts", POST_DELIVERY),
    ("refund_status", "Refund status", POST_DELIVERY),
    ("pre_sale_question", "Pre-sale question", GENERAL),
    ("other", "Other", GENERAL),
)

MARKETPLACES: tuple[tuple[str, str], ...] = (
    ("both", "Walmart and Amazon"),
    ("walmart", "Walmart only"),
    ("amazon", "Amazon only"),
)

_TIER_OF = {intent: tier for intent, _, tier in INTENTS}


def tier_of(intent: str) -> str:
    """The tier of a ticket's intent; an intent we do not know is "general"."""
    return _TIER_OF.get(intent, GENERAL)


def intent_fits_tier(intent: str, tier: str) -> bool:
    """A snippet's intent (blank: any intent of the tier) must belong to its tier."""
    return not intent or _TIER_OF.get(intent) == tier


def marketplaces_of(marketplace: str) -> tuple[str, ...]:
    return ("walmart", "amazon") if marketplace == "both" else (marketplace,)
