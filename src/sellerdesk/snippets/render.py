"""Snippet templates: their variables, and the text they make for one ticket (pure, no Django).

Syntax (as Python's `str.format`, without the formatting mini-language):
- `{buyer_first_name}` is a variable, one of `VARIABLES`;
- `{{` and `}}` are a literal `{` and `}`;
- anything else in braces (an unknown name, `{ order }`, a lone brace) is refused when the
  snippet is saved, with every problem listed.

A variable whose value this ticket lacks is never rendered as nothing ("Hi ,"): it stays in
the text as `{name}`, is listed in `Rendered.missing`, and a reply still holding it is
refused by the reply guard (`unfilled_variables`), so the gap is filled before it can go.
Dates are shown in the seller account's time zone, as a buyer reads them ("Tuesday,
December 1"), with the year only when it is not this year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

# In the order the admin page lists them, with the words used when one is missing.
VARIABLE_LABELS: dict[str, str] = {
    "buyer_name": "buyer's name",
    "buyer_first_name": "buyer's first name",
    "order_number": "order number",
    "product_name": "product name",
    "sku": "SKU",
    "carrier": "carrier",
    "tracking_number": "tracking number",
    "tracking_url": "tracking link",
    "est_delivery_date": "estimated delivery date",
    "ship_date": "ship date",
    "refund_amount": "refund amount",
    "agent_name": "agent's name",
    "store_name": "store name",
}
VARIABLES: tuple[str, ...] = tuple(VARIABLE_LABELS)

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[a-z_][a-z0-9_]*", re.IGNORECASE)
_UNFILLED = re.compile(r"\{(" + "|".join(VARIABLES) + r")\}")

CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "MXN": "MX$", "GBP": "£", "EUR": "€"}


class TemplateError(ValueError):
    """The template cannot be used; `problems` says every reason in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Piece:
    """A run of the rendered text: literal text, or the value of `variable` (empty and
    `missing` when the ticket has none), so a preview can mark what was filled in."""

    text: str
    variable: str = ""
    missing: bool = False

    @property
    def label(self) -> str:
        return VARIABLE_LABELS.get(self.variable, self.variable)


@dataclass(frozen=True)
class OrderState:
    """What the order's lines say, for spotting a snippet that contradicts it. Several lines:
    shipped when any line shipped, delivered when all were, refunded when any refund exists."""

    shipped: bool
    delivered: bool
    refunded: bool


@dataclass(frozen=True)
class SnippetContext:
    """The values of one ticket, plain data built by `snippets.context`.

    Dates are aware datetimes, converted to `time_zone` (the seller account's) only when
    shown; `today` (in that zone) decides whether a date needs its year. `order` is None when
    the ticket has no order linked: then nothing can contradict it."""

    buyer_name: str = ""
    order_number: str = ""
    product_name: str = ""
    sku: str = ""
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    est_delivery: datetime | None = None
    ship_date: datetime | None = None
    refund_amount: Decimal | None = None
    currency: str = "USD"
    agent_name: str = ""
    store_name: str = ""
    time_zone: str = "UTC"
    today: date | None = None
    order: OrderState | None = None

    def values(self) -> dict[str, str]:
        """Every variable's text for buyers; "" where there is no value."""
        name = " ".join(self.buyer_name.split())
        return {
            "buyer_name": name,
            "buyer_first_name": first_name(name),
            "order_number": self.order_number.strip(),
            "product_name": self.product_name.strip(),
            "sku": self.sku.strip(),
            "carrier": self.carrier.strip(),
            "tracking_number": self.tracking_number.strip(),
            "tracking_url": self.tracking_url.strip(),
            "est_delivery_date": buyer_date(self.est_delivery, self.time_zone, self.today),
            "ship_date": buyer_date(self.ship_date, self.time_zone, self.today),
            "refund_amount": money(self.refund_amount, self.currency),
            "agent_name": self.agent_name.strip(),
            "store_name": self.store_name.strip(),
        }


@dataclass(frozen=True)
class Rendered:
    """A snippet made for one ticket. `text` holds `{name}` where a value is missing."""

    text: str
    pieces: tuple[Piece, ...]
    missing: tuple[str, ...]
    contradictions: tuple[str, ...] = field(default=())

    @property
    def ready(self) -> bool:
        return not self.missing

    @property
    def missing_labels(self) -> tuple[str, ...]:
        return tuple(VARIABLE_LABELS[name] for name in self.missing)


# --- formatting ---------------------------------------------------------------------------


def first_name(full_name: str) -> str:
    parts = full_name.replace(",", " ").split()
    return parts[0] if parts else ""


def buyer_date(moment: datetime | None, time_zone: str, today: date | None = None) -> str:
    """ "Tuesday, December 1" in the account's zone; ", 2027" added when not this year."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        raise ValueError("snippet dates must be timezone-aware")
    day = moment.astimezone(ZoneInfo(time_zone)).date()
    text = f"{day:%B} {day.day}"
    # A weekday more than six days ahead reads as the nearer one ("arrives by Tuesday"), to
    # buyers and to the compliance checker's promise check alike: name it only up to then.
    if today is None or (day - today).days <= 6:
        text = f"{day:%A}, {text}"
    if today is not None and day.year != today.year:
        text += f", {day.year}"
    return text


def money(amount: Decimal | None, currency: str) -> str:
    if amount is None or amount <= 0:
        return ""
    figure = f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{figure}" if symbol else f"{figure} {currency.upper()}"


# --- templates ----------------------------------------------------------------------------


def _tokens(template: str) -> tuple[list[Piece], list[str]]:
    """The template as literal and variable pieces, with every problem found."""
    pieces: list[Piece] = []
    problems: list[str] = []
    literal: list[str] = []
    cursor = 0
    for match in _TOKEN.finditer(template):
        literal.append(template[cursor : match.start()])
        cursor = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        inner = match.group(1)
        if inner is None:
            problems.append(
                f"A lone “{token}” at character {match.start() + 1}: write “{token}{token}” for a literal brace."
            )
            continue
        name = inner.strip()
        if inner != name or not _NAME.fullmatch(name):
            problems.append(
                f"“{token}” is not a variable: variables are written like {{buyer_first_name}}, "
                "and “{{” “}}” make literal braces."
            )
            continue
        if name not in VARIABLE_LABELS:
            problems.append(f"Unknown variable {{{name}}}. Known: " + _known())
            continue
        if literal:
            pieces.append(Piece("".join(literal)))
            literal = []
        pieces.append(Piece("", variable=name))
    literal.append(template[cursor:])
    if "".join(literal):
        pieces.append(Piece("".join(literal)))
    return pieces, problems


def _known() -> str:
    return ", ".join(f"{{{name}}}" for name in VARIABLES) + "."


def template_problems(template: str) -> list[str]:
    """Why a template cannot be saved (empty: it can)."""
    return _tokens(template)[1]


def variables_in(template: str) -> tuple[str, ...]:
    pieces, _ = _tokens(template)
    return tuple(dict.fromkeys(p.variable for p in pieces if p.variable))


def render(template: str, context: SnippetContext) -> Rendered:
    pieces, problems = _tokens(template)
    if problems:
        raise TemplateError(problems)
    values = context.values()
    rendered: list[Piece] = []
    missing: list[str] = []
    for piece in pieces:
        if not piece.variable:
            rendered.append(piece)
            continue
        value = values[piece.variable]
        rendered.append(Piece(value, piece.variable, missing=not value))
        if not value and piece.variable not in missing:
            missing.append(piece.variable)
    # A gap keeps its name, so the reply guard can still see it.
    text = "".join(f"{{{p.variable}}}" if p.missing else p.text for p in rendered)
    return Rendered(
        text=text,
        pieces=tuple(rendered),
        missing=tuple(missing),
        contradictions=contradictions(pieces, context.order),
    )


def unfilled_variables(text: str) -> list[tuple[int, int, str]]:
    """Snippet variables left in a reply, as (start, end, name): a reply holding one is not
    sent. Only known names count, so a buyer-facing brace elsewhere is left alone."""
    return [(m.start(), m.end(), m.group(1)) for m in _UNFILLED.finditer(text)]


# --- contradictions -----------------------------------------------------------------------

# Words just before a claim that make it conditional, negative or future ("once it has
# shipped", "has not been delivered", "will be refunded").
_HEDGE = re.compile(
    r"(?i)\b(?:once|when|after|if|as\s+soon\s+as|until|before|not|n't|never|yet|whether|will|"
    r"'ll|should|would|expect|hope)\b[^.!?\n]{0,25}$"
)
_ON_ITS_WAY = re.compile(
    r"(?i)\b(?:on\s+(?:its|their|the)\s+way|in\s+transit|out\s+for\s+delivery|"
    r"(?:has|have)\s+(?:just\s+)?(?:been\s+)?shipped|is\s+shipping|ships\s+today)\b"
)
_SHIPPED = re.compile(
    r"(?i)\b(?:on\s+(?:its|their|the)\s+way|in\s+transit|out\s+for\s+delivery|"
    r"(?:has|have|was|were|is|are)\s+(?:now\s+|already\s+|just\s+)?(?:been\s+)?shipped|"
    r"(?:we|i)(?:'ve|\s+have)?\s+(?:already\s+|just\s+)?shipped|shipped\s+(?:on|via|with|today|yesterday))\b"
)
_DELIVERED = re.compile(
    r"(?i)\b(?:(?:has|have|was|were)\s+(?:already\s+)?(?:been\s+)?delivered|"
    r"shows?\s+(?:as\s+)?delivered|marked\s+(?:as\s+)?delivered|(?:has|have)\s+arrived|"
    r"arrived\s+(?:damaged|broken|safely|late|in)|(?:you|you've|you\s+have)\s+received)\b"
)
_REFUNDED = re.compile(
    r"(?i)\b(?:(?:we|i)(?:'ve|\s+have)?\s+(?:already\s+|now\s+|just\s+)?(?:fully\s+)?"
    r"(?:refunded|issued\s+(?:a|your|the)\s+(?:full\s+|partial\s+)?refund)|"
    r"refund\s+(?:has\s+been|was|is)\s+(?:issued|processed|sent|completed|on\s+its\s+way)|"
    r"(?:has|have|was|were)\s+(?:been\s+)?(?:fully\s+)?refunded)\b"
)
_CANCELLED = re.compile(
    r"(?i)\b(?:(?:has|have|was|were)\s+(?:been\s+)?cancell?ed|"
    r"(?:we|i)(?:'ve|\s+have)?\s+(?:already\s+|just\s+)?cancell?ed)\b"
)


def _claims(pattern: re.Pattern[str], text: str) -> list[str]:
    return [
        m.group(0)
        for m in pattern.finditer(text)
        if not _HEDGE.search(text[max(0, m.start() - 40) : m.start()])
    ]


def contradictions(pieces: list[Piece] | str, order: OrderState | None) -> tuple[str, ...]:
    """What the snippet's own words say that the order contradicts, as warnings. Only the
    snippet's text is read, not the values filled in (a product may be called "Delivered
    Fresh"). Without an order nothing can be judged."""
    if order is None:
        return ()
    if isinstance(pieces, str):
        pieces, _ = _tokens(pieces)
    # A variable becomes a gap, so words on both sides of it never join into a phrase.
    text = " ¦ ".join(p.text for p in pieces if not p.variable)
    uses = {p.variable for p in pieces if p.variable}
    found: list[str] = []
    if order.delivered:
        found += [
            f"The order has been delivered, but this says it is still on its way (“{c}”)."
            for c in _claims(_ON_ITS_WAY, text)
        ]
    if not order.shipped:
        found += [
            f"The order has not shipped yet, but this says it has (“{c}”)."
            for c in _claims(_SHIPPED, text)
        ]
        found += [
            f"The order has not shipped yet, but this says it was delivered (“{c}”)."
            for c in _claims(_DELIVERED, text)
        ]
    if order.shipped:
        found += [
            f"The order has already shipped, but this says it was cancelled (“{c}”)."
            for c in _claims(_CANCELLED, text)
        ]
    if not order.refunded:
        claims = _claims(_REFUNDED, text)
        found += [
            f"Nothing has been refunded on this order, but this says a refund was made (“{c}”)."
            for c in claims
        ]
        if "refund_amount" in uses and not claims:
            found.append(
                "Nothing has been refunded on this order, but this snippet is about a refund."
            )
    return tuple(found)
