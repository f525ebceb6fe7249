"""Classify a parsed message: what kind of mail it is, what the buyer wants (pure).

Nothing is ever dropped: mail that matches no rule is a direct buyer message that needs a
reply. Bounces, auto-replies, spam and marketplace system notices never need one, so they
can never start a reply loop. The patterns are data, in `classify_rules.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sellerdesk.mail.classify_rules import (
    AMAZON_BUYER_SUBJECT,
    AMAZON_NOTICE_SUBJECTS,
    AMAZON_RELAY,
    AMAZON_RELAY_SYSTEM_LOCALS,
    AMAZON_SYSTEM_SENDER,
    AMAZON_TOPIC_INTENTS,
    AUTO_PRECEDENCE,
    AUTO_REPLY_SUBJECT,
    BOUNCE_SENDER,
    BOUNCE_SUBJECT,
    COMPLAINT_SENDER,
    COMPLAINT_TEXT,
    INTENT_RULES,
    MARKETING_TEXT,
    SPAM_FLAG_HEADERS,
    WALMART_NOTICE_SUBJECTS,
    WALMART_RELAY,
    WALMART_SYSTEM_SENDER,
    Intent,
    Kind,
)
from sellerdesk.mail.parse import ParsedMessage, message_ids

__all__ = [
    "Classification",
    "Intent",
    "Kind",
    "classify",
    "detect_intent",
    "find_order_numbers",
    "is_auto_reply",
]

# Which kinds wait for a reply from the seller. Amazon return and refund notices are
# informational (the return is handled in Seller Central); an A-to-z claim must be answered.
NEEDS_REPLY: dict[Kind, bool] = {
    Kind.BUYER_WALMART: True,
    Kind.BUYER_AMAZON: True,
    Kind.BUYER_DIRECT: True,
    Kind.WALMART_CASE: True,
    Kind.WALMART_ESCALATION: True,
    Kind.AMAZON_ATOZ: True,
    Kind.AMAZON_RETURN: False,
    Kind.AMAZON_REFUND: False,
    Kind.COMPLAINT_BBB_AG: True,
    Kind.MARKETPLACE_SYSTEM: False,
    Kind.BOUNCE: False,
    Kind.AUTO_REPLY: False,
    Kind.SPAM: False,
}
_MARKETPLACE: dict[Kind, str] = {
    Kind.BUYER_WALMART: "walmart",
    Kind.WALMART_CASE: "walmart",
    Kind.WALMART_ESCALATION: "walmart",
    Kind.BUYER_AMAZON: "amazon",
    Kind.AMAZON_ATOZ: "amazon",
    Kind.AMAZON_RETURN: "amazon",
    Kind.AMAZON_REFUND: "amazon",
}
_NOTICE_INTENT: dict[Kind, Intent] = {
    Kind.AMAZON_RETURN: Intent.RETURN_REQUEST,
    Kind.AMAZON_REFUND: Intent.REFUND_STATUS,
}
_NO_INTENT = frozenset({Kind.BOUNCE, Kind.AUTO_REPLY, Kind.SPAM, Kind.MARKETPLACE_SYSTEM})


@dataclass(frozen=True, slots=True)
class Classification:
    kind: Kind
    intent: Intent
    marketplace: str | None
    needs_reply: bool
    one_hour_deadline: bool
    relay_address: str | None
    order_numbers: tuple[str, ...]
    bounced_message_id: str | None
    reasons: tuple[str, ...]


# --- order numbers --------------------------------------------------------------------------

_THREE_DIGITS = re.compile(r"\d{3}")
_AMAZON_ORDER = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")
# Walmart purchase order and customer order numbers: 13 to 15 digits. A bare run of that
# length can also be a FedEx tracking number or an epoch-milliseconds timestamp, so runs
# inside URLs and runs introduced by "tracking" are skipped.
_WALMART_ORDER = re.compile(r"(?<![\d.,/-])\b(\d{13,15})\b(?![.,]\d|-\d)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_TRACKING_BEFORE = re.compile(r"track(?:ing)?\s*(?:number|no\.?|#|id)?\s*[:#]?\s*$", re.I)


def find_order_numbers(text: str) -> tuple[str, ...]:
    """Amazon 3-7-7 order ids and Walmart 13-15 digit order numbers, in order of appearance,
    deduplicated."""
    # Every order number starts with three digits: one cheap scan spares the three regex
    # passes below on the many messages that carry none.
    if not text or not _THREE_DIGITS.search(text):
        return ()
    text = _URL.sub(" ", text[:500_000])
    found: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in _AMAZON_ORDER.finditer(text)]
    for match in _WALMART_ORDER.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        if _TRACKING_BEFORE.search(before):
            continue
        found.append((match.start(), match.group(1)))
    found.sort()
    return tuple(dict.fromkeys(number for _, number in found))


# --- intents --------------------------------------------------------------------------------


def detect_intent(subject: str, text: str) -> Intent:
    """The buyer's intent from keyword rules (first match wins; see INTENT_RULES)."""
    # Amazon's "... inquiry from Amazon customer Jane (Order: ...)" names the buyer, whose
    # name must not trigger a rule: only the topic before "inquiry from" counts.
    topic = re.split(r"\binquiry\s+from\b", subject, maxsplit=1, flags=re.I)[0]
    haystack = f"{_strip_reply_prefix(topic)}\n{text[:20_000]}"
    for rule in INTENT_RULES:
        if rule.pattern.search(haystack):
            return rule.intent
    for pattern, intent in AMAZON_TOPIC_INTENTS:
        if pattern.search(_strip_reply_prefix(subject)):
            return intent
    return Intent.OTHER


_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fw|fwd|aw|wg|tr|sv)\s*(?:\[\d+\])?\s*:\s*)+", re.I)


def _strip_reply_prefix(subject: str) -> str:
    return _REPLY_PREFIX.sub("", subject).strip()


# --- auto-replies, bounces, spam ------------------------------------------------------------


def _auto_reply_reasons(message: ParsedMessage) -> tuple[list[str], list[str]]:
    """(strong, weak) auto-reply signals. Strong ones say "I am an automatic reply";
    weak ones (Precedence, X-Auto-Response-Suppress) are also set on newsletters and
    some automated notices."""
    headers = message.headers
    strong: list[str] = []
    weak: list[str] = []
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        (strong if auto_submitted.startswith("auto-replied") else weak).append(
            f"Auto-Submitted: {auto_submitted}"
        )
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if name in headers and headers[name].strip().lower() not in {"no", "false", "0"}:
            strong.append(f"{name} header")
    if headers.get("x-auto-response-suppress", "").strip():
        weak.append("X-Auto-Response-Suppress header")
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in AUTO_PRECEDENCE:
        weak.append(f"Precedence: {precedence}")
    if AUTO_REPLY_SUBJECT.search(message.subject):
        strong.append("auto-reply subject")
    return strong, weak


def is_auto_reply(message: ParsedMessage) -> bool:
    """RFC 3834 and vendor auto-reply markers, or an out-of-office subject."""
    strong, weak = _auto_reply_reasons(message)
    return bool(strong or weak)


def _bounce_reasons(message: ParsedMessage) -> list[str]:
    reasons = []
    content_type = message.headers.get("content-type", "").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        reasons.append("multipart/report delivery-status")
    elif message.delivery_status:
        reasons.append("delivery-status part")
    if message.headers.get("x-failed-recipients"):
        reasons.append("X-Failed-Recipients header")
    sender_is_daemon = bool(BOUNCE_SENDER.search(message.from_address)) or (
        message.headers.get("return-path", "").strip() in {"<>", ""}
        and "return-path" in message.headers
    )
    if sender_is_daemon and BOUNCE_SUBJECT.search(message.subject):
        reasons.append("bounce sender and subject")
    elif BOUNCE_SUBJECT.search(message.subject) and re.search(
        r"delivery\s+(?:has\s+)?failed|could\s+not\s+be\s+delivered|undeliverable|"
        r"permanent\s+(?:error|failure)|user\s+unknown|mailbox\s+unavailable|address\s+rejected",
        message.text[:10_000],
        re.I,
    ):
        reasons.append("bounce subject and text")
    return reasons


_BODY_MESSAGE_ID = re.compile(r"^\s*>?\s*Message-ID:\s*(<[^>\s]+>)", re.I | re.M)


def _bounced_message_id(message: ParsedMessage) -> str | None:
    original = message.delivery_status.get("original-message-id")
    if original:
        return original
    if message.in_reply_to:
        return message.in_reply_to[0]
    for attachment in message.attachments:
        if attachment.content_type in {"message/rfc822", "text/rfc822-headers"}:
            head = attachment.data[:20_000].decode("utf-8", errors="replace")
            match = _BODY_MESSAGE_ID.search(head)
            if match:
                return message_ids(match.group(1))[0]
    match = _BODY_MESSAGE_ID.search(message.text[:50_000])
    return message_ids(match.group(1))[0] if match else None


def _spam_reasons(message: ParsedMessage) -> list[str]:
    reasons = [
        f"{name} header"
        for name, pattern in SPAM_FLAG_HEADERS.items()
        if pattern.search(message.headers.get(name, ""))
    ]
    bulk = "list-unsubscribe" in message.headers or "list-id" in message.headers
    hits = {
        m.lower() for m in MARKETING_TEXT.findall(f"{message.subject}\n{message.text[:20_000]}")
    }
    if bulk and hits:
        reasons.append(f"bulk mail with marketing text ({', '.join(sorted(hits)[:3])})")
    elif len(hits) >= 3:
        reasons.append(f"marketing text ({', '.join(sorted(hits)[:3])})")
    return reasons


# --- the classifier -------------------------------------------------------------------------


def _relay(message: ParsedMessage) -> tuple[Kind, str] | None:
    for address in (message.from_address, *message.reply_to):
        if WALMART_RELAY.match(address):
            return Kind.BUYER_WALMART, address
        if AMAZON_RELAY.match(address) and not AMAZON_RELAY_SYSTEM_LOCALS.match(
            address.split("@", 1)[0]
        ):
            return Kind.BUYER_AMAZON, address
    return None


def _kind(message: ParsedMessage, reasons: list[str]) -> tuple[Kind, str | None]:
    bounce = _bounce_reasons(message)
    if bounce:
        reasons.extend(bounce)
        return Kind.BOUNCE, None
    strong, weak = _auto_reply_reasons(message)
    if strong:
        reasons.extend(strong)
        return Kind.AUTO_REPLY, None
    sender = message.from_address
    relay = _relay(message)
    head_text = f"{message.subject}\n{message.text[:20_000]}"
    if not relay and (COMPLAINT_SENDER.search(sender) or COMPLAINT_TEXT.search(message.subject)):
        reasons.append("BBB / Attorney General sender or subject")
        return Kind.COMPLAINT_BBB_AG, None
    if WALMART_SYSTEM_SENDER.search(sender) and not relay:
        for kind, pattern in WALMART_NOTICE_SUBJECTS:
            if pattern.search(message.subject):
                reasons.append(f"Walmart sender, subject matches {kind.value}")
                return kind, None
        reasons.append("Walmart system sender")
        return Kind.MARKETPLACE_SYSTEM, None
    if AMAZON_SYSTEM_SENDER.search(sender) and not relay:
        for kind, pattern in AMAZON_NOTICE_SUBJECTS:
            if pattern.search(message.subject):
                reasons.append(f"Amazon sender, subject matches {kind.value}")
                return kind, None
        reasons.append("Amazon system sender")
        return Kind.MARKETPLACE_SYSTEM, None
    if relay:
        reasons.append(f"relay sender {relay[1]}")
        if relay[0] is Kind.BUYER_AMAZON and AMAZON_BUYER_SUBJECT.search(message.subject):
            reasons.append("Amazon buyer-message subject")
        return relay
    if (
        not relay
        and COMPLAINT_TEXT.search(head_text)
        and re.search(r"\bcomplaint\b", head_text, re.I)
    ):
        reasons.append("complaint text names BBB / Attorney General")
        return Kind.COMPLAINT_BBB_AG, None
    spam = _spam_reasons(message)
    if spam:
        reasons.extend(spam)
        return Kind.SPAM, None
    if weak:
        reasons.extend(weak)
        return Kind.AUTO_REPLY, None
    reasons.append("no marketplace or system pattern: direct buyer message")
    return Kind.BUYER_DIRECT, None


def _complaint_marketplace(message: ParsedMessage, orders: tuple[str, ...]) -> str | None:
    text = f"{message.subject}\n{message.text[:20_000]}".lower()
    if any(_AMAZON_ORDER.fullmatch(o) for o in orders) or "amazon" in text:
        return "amazon"
    if "walmart" in text or orders:
        return "walmart"
    return None


def classify(message: ParsedMessage) -> Classification:
    """Kind, intent and routing facts of one parsed message (see the module docstring)."""
    reasons: list[str] = []
    kind, relay_address = _kind(message, reasons)
    orders = tuple(
        dict.fromkeys((*find_order_numbers(message.subject), *find_order_numbers(message.text)))
    )
    if kind in _NO_INTENT:
        intent = Intent.OTHER
    elif kind in _NOTICE_INTENT:
        intent = _NOTICE_INTENT[kind]
    else:
        intent = detect_intent(message.subject, message.new_text or message.text)
    marketplace = _MARKETPLACE.get(kind)
    if kind is Kind.COMPLAINT_BBB_AG:
        marketplace = _complaint_marketplace(message, orders)
    elif kind is Kind.MARKETPLACE_SYSTEM:
        marketplace = "walmart" if WALMART_SYSTEM_SENDER.search(message.from_address) else "amazon"
    bounced = _bounced_message_id(message) if kind is Kind.BOUNCE else None
    if kind is Kind.BOUNCE and bounced is None:
        reasons.append("bounced message not identified")
    return Classification(
        kind=kind,
        intent=intent,
        marketplace=marketplace,
        needs_reply=NEEDS_REPLY[kind],
        one_hour_deadline=kind is Kind.COMPLAINT_BBB_AG,
        relay_address=relay_address,
        order_numbers=orders if kind not in {Kind.SPAM, Kind.BOUNCE} else orders[:5],
        bounced_message_id=bounced,
        reasons=tuple(reasons),
    )
