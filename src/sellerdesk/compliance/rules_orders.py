"""Misleading promises, checked against what the order's data says: a delivery date earlier
than the estimate, "refunded" with no refund, "shipped" or a tracking number before shipping.
Without order data nothing here can be judged, so nothing is flagged."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sellerdesk.compliance.rules_base import Context, Finding, OrderFacts, finding

# Words just before a claim that make it conditional or negative ("once it has shipped").
HEDGE = re.compile(
    r"(?i)\b(?:once|when|after|if|as\s+soon\s+as|until|before|not|n't|never|yet|whether|will|'ll|"
    r"should|would|expect|hopefully)\b[^.!?\n]{0,25}$"
)
# Dates are promises even after "should" or "will"; only conditions and negations excuse them.
DATE_HEDGE = re.compile(r"(?i)\b(?:if|unless|not|n't|never|whether|once|after)\b[^.!?\n]{0,25}$")
REFUND_CLAIM = re.compile(
    r"(?i)\b(?:(?:we|i)(?:'ve|\s+have)?\s+(?:already\s+|now\s+|just\s+)?(?:fully\s+)?(?:refunded|issued|processed|sent|credited)\b"
    r"(?:\s+(?:your|you\s+(?:a|the|your)|you|a|the)\s*(?:full\s+|partial\s+)?(?:refund|money|payment)?)?"
    r"|(?:your|the|a)\s+(?:full\s+|partial\s+)?refund\s+(?:(?:has\s+been|was)\s+(?:issued|processed|sent|completed|credited|paid|made|refunded)|is\s+(?:on\s+its\s+way|complete|done|processed))"
    r"|(?:you\s+(?:have|'ve)\s+been|has\s+been|was)\s+(?:fully\s+)?refunded|refund\s+(?:is\s+)?(?:complete|done|issued|processed)"
    r"|money\s+(?:is\s+)?(?:back|returned)\s+(?:to|in)\s+your)"
)
REFUND_WORD = re.compile(r"(?i)refund|credited|money")
SHIP_CLAIM = re.compile(
    r"(?i)\b(?:(?:has|have|was|were|is|are)\s+(?:now\s+|already\s+|just\s+)?(?:been\s+)?(?:shipped|dispatched|sent\s+out|handed\s+(?:over\s+)?to)"
    r"|(?:we|i)(?:'ve|\s+have)?\s+(?:already\s+|just\s+)?(?:shipped|dispatched|mailed|sent\s+(?:it|your|the))"
    r"|(?:is|are)\s+(?:now\s+|already\s+)?(?:on\s+(?:its|their|the)\s+way|in\s+transit|out\s+for\s+delivery)"
    r"|shipped\s+(?:today|yesterday|this\s+morning)|tracking\s+(?:number|#|no\.?|id)\s*(?:is|:)"
    r"|(?:has|have|was|were)\s+(?:been\s+)?delivered)"
)
TRACKING = re.compile(
    r"\b(?:1Z[0-9A-Z]{16}|9[2-5]\d{18,24}|[A-Z]{2}\d{9}US|\d{12}(?:\d{3})?(?:\d{5})?(?:\d{2})?)\b"
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        )
    )
    for m in names
}  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ARRIVAL = (
    r"(?:arriv\w*|deliver\w*|get\s+(?:it|there|to\s+you)|receive\s+(?:it|them|your)|"
    r"be\s+(?:there|with\s+you|at\s+your)|reach(?:es)?\s+you|expect\s+(?:it|your)|have\s+it|"
    r"on\s+your\s+doorstep|show\s+up|land)"
)
WHEN = (
    r"(?P<when>tomorrow|today|tonight|this\s+(?:afternoon|evening)|"
    r"(?:(?:this|next)\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?|"
    r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{2,4}))?|(?P<iso>\d{4}-\d{2}-\d{2}))"
)
# "It will arrive by Friday" and "tomorrow's delivery": the claim before or after the date.
DATE_CLAIMS = (
    re.compile(rf"(?i)\b{ARRIVAL}\b[^.!?\n]{{0,40}}?\b{WHEN}\b"),
    re.compile(rf"(?i)\b{WHEN}(?:'s)?\b[^.!?\n]{{0,12}}?\b(?:delivery|arrival)\b"),
)


def _resolve(match: re.Match[str], today: date | None) -> date | None:
    when = match.group("when").lower()
    if match.group("iso"):
        try:
            return date.fromisoformat(match.group("iso"))
        except ValueError:
            return None
    if today is None:
        return None
    if when.startswith(("today", "tonight", "this after", "this even")):
        return today
    if when == "tomorrow":
        return today + timedelta(days=1)
    if when.endswith("day") and not match.group("month"):
        name = when.split()[-1]
        weekday = next(i for i, w in enumerate(_WEEKDAYS) if w.startswith(name[:3]))
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead + (7 if when.startswith("next") and ahead < 7 else 0))
    month = _MONTHS.get((match.group("month") or "").lower()[:3]) or (
        int(match.group("m")) if match.group("m") else None
    )
    day = int(match.group("day") or match.group("d") or 0)
    year = today.year
    if match.group("y"):
        year = int(match.group("y")) % 100 + 2000
    if not month or not 1 <= month <= 12:
        return None
    try:
        claimed = date(year, month, day)
    except ValueError:
        return None
    # "Jan 3" written in late November means next January.
    if not match.group("y") and claimed < today - timedelta(days=60):
        claimed = date(year + 1, month, day)
    return claimed


def check_misleading(text: str, context: Context) -> list[Finding]:
    order: OrderFacts | None = context.order
    if order is None:
        return []
    found: list[Finding] = []

    def hedged(start: int) -> bool:
        return bool(HEDGE.search(text[max(0, start - 40) : start]))

    if not order.refunded:
        for m in REFUND_CLAIM.finditer(text):
            if REFUND_WORD.search(m.group(0)) and not hedged(m.start()):
                found.append(
                    finding(
                        "misleading",
                        m,
                        "The message says a refund was made, but the order has no refund.",
                        "Say the refund will be issued, and when.",
                    )
                )
    if not order.shipped:
        for m in SHIP_CLAIM.finditer(text):
            if not hedged(m.start()) and not re.search(r"(?i)delivered", m.group(0)):
                found.append(
                    finding(
                        "misleading",
                        m,
                        "The message says the order shipped, but it has not shipped yet.",
                        "Give the expected ship date instead.",
                    )
                )
        for m in TRACKING.finditer(text):
            if m.group(0) in order.order_numbers:
                continue  # naming the order itself ("order 200012345678901 is cancelled")
            if not any(f.start <= m.start() < f.end + 30 for f in found):
                found.append(
                    finding(
                        "misleading",
                        m,
                        "A tracking number for an order that has not shipped.",
                        "Send tracking once the order ships.",
                    )
                )
    # `delivered` is False both when the order is known undelivered and when nothing about
    # delivery is known (marketplaces set it late, from carrier scans): only an order that has
    # not even shipped is certainly undelivered, so only then is a "delivered" claim misleading.
    if not order.delivered and not order.shipped:
        for m in re.finditer(
            r"(?i)\b(?:has|have|was|were)\s+(?:already\s+)?(?:been\s+)?delivered\b|\bshows\s+(?:as\s+)?delivered\b",
            text,
        ):
            if not hedged(m.start()):
                found.append(
                    finding(
                        "misleading",
                        m,
                        "The message says the order was delivered, but it has not been.",
                        None,
                    )
                )
    if order.estimated_delivery:
        for m in (m for pattern in DATE_CLAIMS for m in pattern.finditer(text)):
            if DATE_HEDGE.search(text[max(0, m.start() - 40) : m.start()]):
                continue
            claimed = _resolve(m, context.today)
            if claimed and claimed < order.estimated_delivery:
                found.append(
                    finding(
                        "misleading",
                        m,
                        f"Promises delivery by {claimed.isoformat()}, earlier than the estimate ({order.estimated_delivery.isoformat()}).",
                        f"Give the estimated delivery date, {order.estimated_delivery.isoformat()}.",
                    )
                )
    return found
