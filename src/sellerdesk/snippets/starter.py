"""The starter library every install begins with (pure data; the data migration copies it
into the database once, and admins edit, retire or add from there).

Every text passes the compliance checker for Walmart and Amazon (a test proves it): no
links but the order's own tracking page, no contact details, no marketplace named (one text
serves both), no review requests, and promises only the order's data backs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sellerdesk.snippets.catalog import GENERAL, IN_TRANSIT, POST_DELIVERY, PRE_SHIPMENT


@dataclass(frozen=True)
class StarterSnippet:
    title: str
    tier: str
    intent: str
    body: str
    marketplace: str = "both"


SIGNATURE = "\n\nBest regards,\n{agent_name}\n{store_name}"


def _s(title: str, tier: str, intent: str, body: str) -> StarterSnippet:
    return StarterSnippet(title, tier, intent, "Hi {buyer_first_name},\n\n" + body + SIGNATURE)


STARTER_LIBRARY: tuple[StarterSnippet, ...] = (
    _s(
        "Cancellation: request received",
        PRE_SHIPMENT,
        "cancel_request",
        "Thank you for letting us know. We have received your request to cancel order "
        "{order_number} and are cancelling it now, before it ships. The cancellation will "
        "show on your order page shortly, and you will not be charged for the cancelled items.",
    ),
    _s(
        "Cancellation: too late, already shipped",
        PRE_SHIPMENT,
        "cancel_request",
        "Thank you for your message about order {order_number}. We are sorry: it had already "
        "left our warehouse with {carrier} before we could stop it (tracking number "
        "{tracking_number}). Once it arrives you can start a return from your order page, and "
        "we will refund you as soon as the return reaches us.",
    ),
    _s(
        "Address change: before shipping",
        PRE_SHIPMENT,
        "address_change",
        "Thank you for reaching out about order {order_number}. For your security we cannot "
        "change the shipping address of an order once it has been placed. If it has not "
        "shipped yet, we can cancel it so that you can place a new order with the right "
        "address: just reply to this message and we will take care of it.",
    ),
    _s(
        "Address change: already shipped",
        PRE_SHIPMENT,
        "address_change",
        "Thank you for reaching out about order {order_number}. It had already left our "
        "warehouse with {carrier} when your message arrived, so we can no longer change its "
        "address. You can follow it with tracking number {tracking_number} here: "
        "{tracking_url}\nIf it cannot be delivered, the carrier returns it to us and we will "
        "refund you in full.",
    ),
    _s(
        "Where is my order: on its way",
        IN_TRANSIT,
        "where_is_my_order",
        "Thank you for checking on order {order_number}. Your {product_name} left our "
        "warehouse on {ship_date} with {carrier} and is on its way to you.\n\n"
        "Tracking number: {tracking_number}\nTrack it here: {tracking_url}\n\n"
        "The estimated delivery date is {est_delivery_date}.",
    ),
    _s(
        "Where is my order: running late",
        IN_TRANSIT,
        "where_is_my_order",
        "We are sorry that your {product_name} has not reached you yet. It travels with "
        "{carrier} under tracking number {tracking_number}, and the carrier's estimated "
        "delivery date was {est_delivery_date}. Carriers sometimes need a few extra days; if "
        "it has not arrived three business days after that date, reply to this message and "
        "we will send a replacement or refund you, as you prefer.",
    ),
    _s(
        "Where is my order: not shipped yet",
        IN_TRANSIT,
        "where_is_my_order",
        "Thank you for checking on order {order_number}. Your {product_name} is being "
        "prepared in our warehouse. The tracking details will appear on your order page as "
        "soon as it leaves us.",
    ),
    _s(
        "Where is my order: tracking shows delivered",
        IN_TRANSIT,
        "where_is_my_order",
        "We are sorry you cannot find your order {order_number}. {carrier} reports tracking "
        "number {tracking_number} as delivered. Packages are sometimes left at a side door, "
        "with a neighbor or in a parcel locker, and occasionally show as delivered a day "
        "early. If it has not turned up by tomorrow evening, reply to this message and we "
        "will open a claim with the carrier and make it right.",
    ),
    _s(
        "Return: how to start one",
        POST_DELIVERY,
        "return_request",
        "Thank you for reaching out about your {product_name}. You can start a return from "
        "your order page: open order {order_number}, choose the item and select the return "
        "option. We will issue your refund to your original payment method as soon as the "
        "return reaches us.",
    ),
    _s(
        "Damaged: sorry, a photo please",
        POST_DELIVERY,
        "damaged_item",
        "We are very sorry your {product_name} arrived damaged. Could you reply with a photo "
        "of the damage and of the box it came in? As soon as we see it, we will send a "
        "replacement or refund you in full, whichever you prefer.",
    ),
    _s(
        "Damaged: refund issued",
        POST_DELIVERY,
        "damaged_item",
        "We are very sorry your {product_name} arrived damaged. We have issued a refund of "
        "{refund_amount} to your original payment method; banks usually show it within three "
        "to five business days. There is no need to send the item back.",
    ),
    _s(
        "Not as described",
        POST_DELIVERY,
        "not_as_described",
        "We are sorry the {product_name} is not what the listing led you to expect. Could "
        "you tell us what differs, with a photo if you can? We will correct the listing, and "
        "you can return the item from your order page for a full refund.",
    ),
    _s(
        "Wrong item received",
        POST_DELIVERY,
        "wrong_item",
        "We are sorry you received the wrong item instead of your {product_name} (item "
        "{sku}). Could you reply with a photo of what arrived and of its label? We will send "
        "the right item straight away, and let you know how to return the wrong one.",
    ),
    _s(
        "Missing parts",
        POST_DELIVERY,
        "missing_parts",
        "We are sorry your {product_name} arrived incomplete. Could you tell us which parts "
        "are missing? A photo of what was in the box helps us find them. We will send the "
        "missing parts straight away.",
    ),
    _s(
        "Refund status: refund issued",
        POST_DELIVERY,
        "refund_status",
        "Your refund of {refund_amount} for order {order_number} has been issued to your "
        "original payment method. Banks usually take three to five business days to show it "
        "on your statement.",
    ),
    _s(
        "Follow-up: anything else?",
        GENERAL,
        "",
        "We wanted to make sure your question about order {order_number} has been answered. "
        "If anything is still unclear, reply to this message and we will be glad to help.",
    ),
)
