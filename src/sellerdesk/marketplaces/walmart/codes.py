"""Walmart's code lists for order actions, exactly as orders.json enumerates them, shared by
the order actions (what the agent may pick) and the emulator (what it accepts). Pure.

A test compares each list with the enum in Walmart's OpenAPI file, so a change on Walmart's
side shows up as one failing test rather than as refusals in production.
"""

from __future__ import annotations

# orderShipment...trackingInfo.carrierName.carrier
CARRIERS: tuple[str, ...] = (
    "UPS",
    "USPS",
    "FedEx",
    "Airborne",
    "OnTrac",
    "DHL Ecommerce - US",
    "LS",
    "UDS",
    "UPSMI",
    "FDX",
    "PILOT",
    "ESTES",
    "SAIA",
    "FDS Express",
    "Seko Worldwide",
    "HIT Delivery",
    "FEDEXSP",
    "RL Carriers",
    "Metropolitan Warehouse & Delivery",
    "China Post",
    "YunExpress",
    "Yellow Freight Sys",
    "AIT Worldwide Logistics",
    "Chukou1",
    "Sendle",
    "Landmark Global",
    "Sunyou",
    "Yanwen",
    "4PX",
    "GLS",
    "OSM Worldwide",
    "FIRST MILE",
    "AM Trucking",
    "CEVA",
    "India Post",
    "SF Express",
    "CNE",
    "TForce Freight",
    "AxleHire",
    "LSO",
    "Royal Mail",
    "ABF Freight System",
    "WanB",
    "Roadrunner Freight",
    "Meyer Distribution",
    "AAA Cooper",
    "Canada Post",
    "Southeastern Freight Lines",
    "Japan Post",
    "Correos de Mexico",
    "XPO Logistics",
)

# orderCancellation...orderLineStatus.cancellationReason, with what each means to an agent.
# Walmart: "should not be CUSTOMER_REQUESTED_SELLER_TO_CANCEL for non intent to cancel orders".
CUSTOMER_REQUESTED = "CUSTOMER_REQUESTED_SELLER_TO_CANCEL"
CANCEL_REASONS: tuple[tuple[str, str], ...] = (
    (CUSTOMER_REQUESTED, "The buyer asked to cancel"),
    ("SELLER_CANCEL_OUT_OF_STOCK", "Out of stock"),
    ("SELLER_CANCEL_PRICING_ERROR", "Pricing error"),
    ("SELLER_CANCEL_FRAUD_STOP_SHIPMENT", "Suspected fraud: stop the shipment"),
    ("SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE", "We cannot ship to the address"),
)

# orderRefund...refundCharge.refundReason (Walmart's own words are readable as they are).
REFUND_REASONS: tuple[str, ...] = (
    "BillingError",
    "TaxExemptCustomer",
    "ItemNotAsAdvertised",
    "IncorrectItemReceived",
    "CancelledYetShipped",
    "ItemNotReceivedByCustomer",
    "IncorrectShippingPrice",
    "DamagedItem",
    "DefectiveItem",
    "CustomerChangedMind",
    "CustomerReceivedItemLate",
    "Missing Parts / Instructions",
    "Finance -> Goodwill",
    "Finance -> Rollback",
    "Buyer canceled",
    "Customer returned item",
    "General adjustment",
    "Merchandise not received",
    "Quality -> Missing Parts / Instructions",
    "Shipping & Delivery -> Damaged",
    "Shipping & Delivery -> Shipping Price Discrepancy",
    "Others",
)

CANCEL_REASON_CODES = frozenset(code for code, _ in CANCEL_REASONS)
REFUND_REASON_CODES = frozenset(REFUND_REASONS)
CARRIER_CODES = frozenset(CARRIERS)
