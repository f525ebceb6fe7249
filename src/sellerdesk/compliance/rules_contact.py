"""Off-platform contact and payment: email addresses, phone numbers in any format, messenger
handles and outside payment services. Numbers that only look like phones (order ids, tracking
numbers, prices, dates, times, ZIP codes) are told apart by shape and by the words before."""

from __future__ import annotations

import re

from sellerdesk.compliance.rules_base import Context, Finding, finding, sentence_bounds
from sellerdesk.compliance.rules_links import MARKETPLACE_DOMAINS

EMAIL = re.compile(r"(?i)(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "john (at) gmail dot com", or " at " with a mail provider: spelled to slip past filters.
SPELLED_EMAIL = re.compile(
    r"(?i)\b[\w.+-]+\s*(?:[\[\(\{]\s*at\s*[\]\)\}]\s*[\w-]+|\s+at\s+"
    r"(?:gmail|yahoo|hotmail|outlook|aol|icloud|proton\w*|gmx|live|msn|mail|ymail)\b)"
    r"\s*(?:[\[\(\{]\s*(?:dot|\.)\s*[\]\)\}]|\s+dot\s+|\.)\s*[a-z]{2,6}\b"
)
# Relay addresses of the marketplace itself are how the buyer is reached: not off-platform.
RELAY = re.compile(r"(?i)@(?:relay\.walmart\.com|marketplace\.amazon\.[a-z.]+)$")

_SEP = r"[\s.\-\u2010-\u2015]"
PHONE = re.compile(
    # North American: (555) 123-4567, 555.123.4567, +1 555 123 4567, 1-800-555-0199, 5551234567
    rf"(?<![\w$#/.,\-])(?:\+?1{_SEP}?)?(?:\(\d{{3}}\)|\d{{3}}){_SEP}?\d{{3}}{_SEP}?\d{{4}}(?![\w/\-]|[.,]\d)"
    # international: +44 20 7946 0958, +49 (0)30 123456
    rf"|\+\d{{1,3}}(?:{_SEP}?\(?\d{{1,4}}\)?){{2,5}}(?!\w)"
    # vanity numbers: 1-800-FLOWERS
    rf"|\b1?{_SEP}?8(?:00|33|44|55|66|77|88){_SEP}[A-Z0-9]{{2,4}}{_SEP}?[A-Z0-9]{{2,5}}\b"
)
LOCAL_PHONE = re.compile(r"(?<![\w$#/.,\-])\d{3}[\-.]\d{4}(?![\w/\-]|[.,]\d)")
_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|\d)"
SPELLED_PHONE = re.compile(rf"(?i)\b{_DIGIT_WORD}(?:[\s,.\-]{{1,3}}{_DIGIT_WORD}){{6,}}\b")
_WORD_DIGITS = {
    w: str(i)
    for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
} | {"oh": "0"}
PHONE_CUE = re.compile(r"(?i)\b(?:call|text|phone|cell|mobile|number|dial|reach|tel|sms|ring)\b")
# Words just before a number that make it an identifier, not a phone number.
NOT_PHONE_BEFORE = re.compile(
    r"(?i)(?:order|po|purchase|tracking|track|item|sku|model|serial|upc|ean|gtin|isbn|invoice|"
    r"confirmation|case|ticket|ref|reference|rma|return|claim|id|no|zip|postal|part|lot|batch|"
    r"asin|label|#|number is|number:)\W{0,12}(?:(?:number|no|id|#)\W{0,4})?$"
)
# A manufacturer's or carrier's public line is not the seller's own contact.
THIRD_PARTY_LINE = re.compile(
    r"(?i)\b(?:manufacturer|maker|brand's|ups|usps|fedex|dhl|ontrac|post office|carrier)\b"
)

SOCIAL = re.compile(
    r"(?i)\b(?:whats\s?app|telegram|instagram|insta|snapchat|wechat|we\s?chat|viber|kik|discord|"
    r"skype|facebook(?!\s+marketplace)|fb\s+messenger|messenger|tik\s?tok(?!\s+shop)|twitter|"
    r"linkedin|signal\s+app|on\s+signal|on\s+ig|ig\s*:|line\s+id|gmail|yahoo\s+mail|hotmail|"
    r"protonmail|icloud\s+mail)\b"
)
# "@Some-Brand" is one handle: hyphens inside it belong to the span.
HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z_][\w.-]{1,28}\w\b")
PAYMENT = re.compile(
    r"(?i)\b(?:pay\s?pal|venmo|zelle|cash\s?app|western\s+union|money\s?gram|wire\s+transfer|"
    r"bank\s+transfer|bitcoin|crypto(?:currency)?|usdt|ethereum|apple\s+cash|google\s+pay|"
    r"pay\s+(?:me|us)\s+(?:directly|outside|privately|separately)|"
    r"(?:send|transfer)\s+(?:the\s+)?(?:money|payment|funds)\s+(?:directly|to\s+(?:me|us|my|our))|"
    r"(?:pay|paid)\s+(?:\w+\s+){0,3}(?:by|with|in)\s+(?:a\s+)?gift\s+cards?)\b"
    r"|(?<![\w$])\$[A-Za-z][A-Za-z0-9_]{2,}\b"
)
OFF_PLATFORM_PHRASE = re.compile(
    r"(?i)\b(?:(?:e-?mail|text|call|message|dm|contact|reach|ping)\s+(?:me|us)\s+"
    r"(?:directly|privately|personally|outside|off|on\s+my|at\s+my|on\s+our\s+(?:personal|private|direct|cell))"
    r"|(?:my|our)\s+(?:personal|private|direct|cell|mobile|home)\s+(?:phone|number|line|e-?mail|address|cell)"
    r"|(?:contact|reach|message|e-?mail|write\s+to|order\s+from|buy\s+from)\s+(?:us|me)\s+(?:directly\s+)?(?:through|via|on|at|from)\s+(?:our|my)\s+(?:own\s+)?(?:website|site|web\s*store|online\s+store|shop|store)"
    r"|outside\s+(?:of\s+)?(?:walmart|amazon|the\s+(?:platform|marketplace|site|app))"
    r"|off\s+(?:of\s+)?(?:walmart|amazon|the\s+(?:platform|marketplace))"
    r"|(?:buy|order|purchase|shop)\s+(?:it\s+|them\s+)?directly\s+(?:from|through|with|on)\s+(?:us|our|me|my)"
    r"|(?:cheaper|lower\s+price|better\s+price|better\s+deal)\s+(?:\w+\s+){0,3}(?:on|at|through|from)\s+our\s+(?:own\s+)?(?:website|site|store|shop)"
    r"|(?:e-?mail|text|call|whatsapp|message)\s+(?:me|us)\s+(?:at|on)\b(?!\s+(?:walmart|amazon|the\s+(?:order|marketplace))))"
)

# "We never ask you to pay outside Walmart", "we don't use WhatsApp": saying no is compliant.
DENIED = re.compile(r"(?i)\b(?:never|not|n't|no|nor|cannot)\s+(?:[\w']+\s+){0,4}$")
SUGGEST_CONTACT = "Keep the conversation in the marketplace's messages; remove the contact details."
SUGGEST_PAY = "Payments and refunds go through the marketplace only."


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _spelled_digits(text: str) -> str:
    return "".join(_WORD_DIGITS.get(tok.lower(), tok) for tok in re.findall(r"\w+", text))


def check_contact(text: str, context: Context, taken: list[tuple[int, int]]) -> list[Finding]:
    """Emails and spelled emails first: their spans go into `taken` so the link rule skips
    them. Phone numbers skip identifiers the order itself carries."""
    found: list[Finding] = []
    tracking = {_digits(t) for t in (context.order.tracking_numbers if context.order else ())}
    own = MARKETPLACE_DOMAINS.get(context.marketplace, ())

    for match in EMAIL.finditer(text):
        # Inside a URL (https://walmart.com@evil.io) the '@' is a link trick: rules_links.
        word_start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start()))
        if "//" in text[word_start + 1 : match.start()]:
            continue
        address = match.group(0).rstrip(".")
        span = (match.start(), match.start() + len(address), address)
        taken.append(span[:2])
        if RELAY.search(address):
            continue
        local = address.split("@", 1)[0].lower()
        if re.search(r"\.(?:com|net|org|co|io)$", local):
            # walmart.com@evil.io: a link dressed as a trusted host, not an address.
            found.append(
                finding(
                    "link",
                    span,
                    f"A look-alike link: it opens {address.split('@')[1]}.",
                    SUGGEST_CONTACT,
                )
            )
        elif address.lower().endswith(tuple("@" + d for d in own)):
            continue
        else:
            found.append(
                finding(
                    "off_platform",
                    span,
                    "An email address invites contact outside the marketplace.",
                    SUGGEST_CONTACT,
                )
            )
    for match in SPELLED_EMAIL.finditer(text):
        if not any(s < match.end() and match.start() < e for s, e in taken):
            taken.append((match.start(), match.end()))
            found.append(
                finding("off_platform", match, "A spelled-out email address.", SUGGEST_CONTACT)
            )

    def phone(match: re.Match[str], digits: str) -> None:
        start, end = match.start(), match.end()
        if any(s < end and start < e for s, e in taken):
            return
        if any(digits and digits in t for t in tracking):
            return
        if NOT_PHONE_BEFORE.search(text[max(0, start - 30) : start]):
            return
        s0, s1 = sentence_bounds(text, start, end)
        if THIRD_PARTY_LINE.search(text[s0:s1]) and not re.search(
            r"(?i)\b(?:our|my|me|us)\b", text[s0:start]
        ):
            return
        taken.append((start, end))
        found.append(
            finding(
                "off_platform",
                match,
                "A phone number invites contact outside the marketplace.",
                SUGGEST_CONTACT,
            )
        )

    for match in PHONE.finditer(text):
        digits = _digits(match.group(0))
        if len(digits) >= 7 or re.search(r"[A-Z]{3}", match.group(0)):
            phone(match, digits)
    for match in LOCAL_PHONE.finditer(text):
        if PHONE_CUE.search(text[max(0, match.start() - 40) : match.start()]):
            phone(match, _digits(match.group(0)))
    for match in SPELLED_PHONE.finditer(text):
        if re.search(r"(?i)[a-z]", match.group(0)) and len(_spelled_digits(match.group(0))) >= 7:
            phone(match, _spelled_digits(match.group(0)))
    for pattern, why, suggestion in (
        (
            SOCIAL,
            "A messenger or social network takes the buyer off the marketplace.",
            SUGGEST_CONTACT,
        ),
        (HANDLE, "A social media handle invites contact outside the marketplace.", SUGGEST_CONTACT),
        (PAYMENT, "Payment outside the marketplace is not allowed.", SUGGEST_PAY),
        (
            OFF_PLATFORM_PHRASE,
            "This asks the buyer to deal outside the marketplace.",
            SUGGEST_CONTACT,
        ),
    ):
        for match in pattern.finditer(text):
            if pattern is not HANDLE and DENIED.search(
                text[max(0, match.start() - 40) : match.start()]
            ):
                continue
            if not any(s < match.end() and match.start() < e for s, e in taken):
                taken.append((match.start(), match.end()))
                found.append(finding("off_platform", match, why, suggestion))
    return found
