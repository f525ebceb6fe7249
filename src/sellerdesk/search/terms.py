"""What a search box query looks like (pure, no Django): an order number, a tracking number,
a relay address, a name, words. Each kind decides which exact, indexed lookups are worth
running; words always go to the full-text index too."""

from __future__ import annotations

import re
from dataclasses import dataclass

AMAZON_ORDER = re.compile(r"\d{3}-\d{7}-\d{7}")
# Walmart purchase and customer order numbers are 13 to 15 digits; other sellers' own
# numbering is shorter: anything from 6 digits is tried as an order number.
DIGITS = re.compile(r"\d{6,20}")
# Carrier tracking numbers: letters and digits, at least one digit (1Z999AA10123456784,
# 9400111899223856928499, 773512345678).
TRACKING = re.compile(r"(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,40}")
TICKET_ID = re.compile(r"#(\d{1,12})")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NAME = re.compile(r"[^\W\d_][\w .'\-]{1,99}")
WORD = re.compile(r"\w+")
MAX_WORDS = 8


@dataclass(frozen=True)
class Query:
    text: str
    identifier: str  # an order or tracking number, as typed (spaces and dashes trimmed)
    order_number: bool
    tracking_number: bool
    ticket_id: int | None
    address: str
    name: str
    words: tuple[str, ...]


def parse(raw: str) -> Query:
    text = " ".join(raw.split())[:200]
    compact = text.strip("#").replace(" ", "")
    is_amazon = bool(AMAZON_ORDER.fullmatch(compact))
    is_digits = bool(DIGITS.fullmatch(compact))
    ticket = TICKET_ID.fullmatch(text)
    return Query(
        text=text,
        identifier=compact if (is_amazon or is_digits or TRACKING.fullmatch(compact)) else "",
        order_number=is_amazon or is_digits,
        tracking_number=bool(TRACKING.fullmatch(compact)),
        ticket_id=int(ticket.group(1)) if ticket else None,
        address=text if EMAIL.fullmatch(text) else "",
        name=text if NAME.fullmatch(text) else "",
        words=tuple(WORD.findall(text.lower()))[:MAX_WORDS],
    )


def fts5_match(words: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression that finds messages holding every word. Each word is quoted
    as a string, so nothing the user types is read as FTS5 syntax (NEAR, AND, column:...)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)
