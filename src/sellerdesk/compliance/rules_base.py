"""The checker's data types and rule table, apart from the detectors so that each detector
module can build findings without importing `rules` (which imports them all)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


@dataclass(frozen=True)
class OrderFacts:
    carriers: tuple[str, ...] = ()
    tracking_numbers: tuple[str, ...] = ()
    shipped: bool = False
    delivered: bool = False
    estimated_delivery: date | None = None
    refunded: bool = False
    # The order's own numbers (Walmart purchase and customer order numbers, Amazon's id):
    # a 15-digit Walmart customer order number has the shape of a FedEx tracking number.
    order_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    marketplace: str
    proactive: bool = False
    order: OrderFacts | None = None
    allow_domains: tuple[str, ...] = ()
    allow_phrases: tuple[str, ...] = ()
    subject: str = ""
    attachments: tuple[str, ...] = ()
    today: date | None = None
    disabled_rules: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Finding:
    """One violation. `start`/`end` index the message text, or the subject when `in_subject`;
    findings about attachments have no span (-1, -1) and the file name as excerpt."""

    rule: str
    severity: Severity
    start: int
    end: int
    excerpt: str
    explanation: str
    suggestion: str | None
    in_subject: bool = False


@dataclass(frozen=True)
class RuleInfo:
    severity: Severity
    title: str
    description: str
    marketplaces: frozenset[str] = field(default_factory=lambda: frozenset({"walmart", "amazon"}))


B, W = Severity.BLOCK, Severity.WARN
BOTH = frozenset({"walmart", "amazon"})

# One place for the admin page's plain words and for each rule's default severity.
RULES: Mapping[str, RuleInfo] = MappingProxyType(
    {
        "link": RuleInfo(
            B,
            "Links outside the marketplace",
            "Links may point only to the marketplace itself, the order's own carrier tracking "
            'page, or the account\'s allow-list. Disguised links ("shop dot com", hxxp://, '
            "look-alike hosts, short links, bare IP addresses, punycode) count too.",
        ),
        "promotion": RuleInfo(
            B, "Promotions and cross-selling", "No coupons, discounts, sales or other products."
        ),
        "review_incentive": RuleInfo(
            B,
            "Review incentives and manipulation",
            "No reward for a review, no asking only happy buyers, no asking to change or remove "
            "a review, no repeated review requests.",
        ),
        "review_request": RuleInfo(
            W,
            "Review requests (Walmart)",
            "Walmart discourages any review request from the seller; treat one as a warning.",
            frozenset({"walmart"}),
        ),
        "off_platform": RuleInfo(
            B,
            "Contact or payment outside the marketplace",
            "No email addresses, phone numbers, messenger handles or outside payment (PayPal, "
            "Venmo, Zelle...): all contact and payment stays on the marketplace.",
        ),
        "buyer_data": RuleInfo(
            B,
            "Asking for buyer data",
            "Do not ask for personal data the order does not need (phone, email, birth date, "
            "card or bank details, ID numbers).",
        ),
        "other_marketplace": RuleInfo(B, "Other marketplaces", "Do not name other marketplaces."),
        "extra_payment": RuleInfo(
            B,
            "Extra payment or bargaining over returns",
            "Do not ask the buyer for more money, fees, or to drop a return or claim in "
            "exchange for something.",
        ),
        "abusive": RuleInfo(B, "Abusive language", "No insults, profanity or threats."),
        "misleading": RuleInfo(
            B,
            "Misleading promises",
            "Statements must match the order: no delivery date earlier than the estimate, no "
            '"refunded" without a refund, no "shipped" or tracking number before shipping.',
        ),
        "amazon_format": RuleInfo(
            W,
            "Amazon message format",
            "No emoji, opt-out links, needless [Important] subjects, plain-http links, or "
            "attachments other than invoices, instructions or warranty papers; no proactive "
            "thank-you-only or shipping-confirmation messages.",
            frozenset({"amazon"}),
        ),
    }
)


def finding(
    rule: str,
    match: re.Match[str] | tuple[int, int, str],
    explanation: str,
    suggestion: str | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding for a regex match (or an explicit span and excerpt) with the rule's severity."""
    if isinstance(match, tuple):
        start, end, excerpt = match
    else:
        start, end, excerpt = match.start(), match.end(), match.group(0)
    return Finding(
        rule, severity or RULES[rule].severity, start, end, excerpt, explanation, suggestion
    )


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a span: so that two cues count together only when they are said
    together (a review and a reward, a phone number and the manufacturer)."""
    left = max(text.rfind(mark, 0, start) for mark in (". ", "! ", "? ", "\n"))
    right_candidates = [i for i in (text.find(m, end) for m in (". ", "! ", "? ", "\n")) if i >= 0]
    return (left + 1 if left >= 0 else 0, min(right_candidates) if right_candidates else len(text))
