"""Links: every URL, bare domain or disguised domain in a message, judged against the
marketplace's own domains, the order's carrier and the account's allow-list."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from sellerdesk.compliance.rules_base import Context, Finding, Severity, finding

# The marketplaces' own domains. Amazon sells under many country domains, and Walmart buyers
# may be sent to any walmart.com page (the order page, help pages).
MARKETPLACE_DOMAINS: dict[str, tuple[str, ...]] = {
    "walmart": ("walmart.com",),
    "amazon": tuple(
        f"amazon.{tld}"
        for tld in (
            "com", "ca", "co.uk", "de", "fr", "it", "es", "co.jp", "com.mx", "com.au", "in",
            "nl", "se", "pl", "sg", "ae", "sa", "com.tr", "com.br", "com.be", "eg", "ie",
        )
    ),
}  # fmt: skip

# Carrier names as order data spells them (lower case, letters only) -> tracking domains.
# A carrier's domain is legitimate only for an order that ships with that carrier.
CARRIER_DOMAINS: dict[str, tuple[str, ...]] = {
    "ups": ("ups.com",),
    "usps": ("usps.com",),
    "unitedstatespostalservice": ("usps.com",),
    "fedex": ("fedex.com",),
    "federalexpress": ("fedex.com",),
    "dhl": ("dhl.com",),
    "dhlecommerce": ("dhl.com",),
    "dhlecommerceus": ("dhl.com",),  # Walmart's carrier name "DHL Ecommerce - US"
    "ontrac": ("ontrac.com",),
    "lasership": ("lasership.com",),
    "amazonlogistics": ("amazon.com",),
}

SHORTENERS = frozenset(
    [
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "tiny.cc",
        "rb.gy",
        "t.ly",
        "amzn.to",
        "a.co",
        "bl.ink",
        "s.id",
        "lnkd.in",
        "t.me",
        "wa.me",
        "qrco.de",
        "linktr.ee",
        "shorte.st",
        "adf.ly",
        "soo.gd",
        "v.gd",
        "clck.ru",
    ]
)

# Top-level domains a bare "name.tld" must end in to count as a link. Short and common in
# prose ("today.It", "setup.py", "notes.md") are left out on purpose; file extensions that
# are also TLDs (.zip, .mov) too.
_TLDS = (
    "com|net|org|io|co|shop|store|biz|info|us|uk|ca|de|me|ly|gl|gd|app|xyz|online|site|top|"
    "ru|cn|tk|ml|ga|cf|gq|club|live|link|click|website|space|tech|ai|tv|cc|ws|eu|au|fr|es|"
    "nl|jp|mx|br|edu|gov|page|dev|blog|deals|sale|promo|buzz|icu|vip|fun|world|online|"
    "market|express|agency|digital|in|gle|to|ee|at|gg"
)
_END = r"""[^\s<>"'`]*"""
URL = re.compile(
    rf"(?i)\b(?:h(?:tt|xx|\*\*|tx|xt)ps?|ftp)\s*\[?:\]?\s*//{_END}"
    rf"|\bwww\d?\.{_END}"
    rf"|(?<![\w@.\-/])(?:[^\W_][\w\-]*\.)+(?:{_TLDS})(?![\w\-])(?:[/:?#]{_END})?"
)
# "shop dot com", "shop[.]com", "shop (dot) net", "shop . com": written so a filter misses it.
DISGUISED = re.compile(
    r"(?i)\b[a-z0-9][\w\-]*(?:\s*(?:\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\{\s*(?:\.|dot)\s*\})\s*"
    r"|\s+dot\s+|\s+\.\s+)(?:com|net|org|shop|store|co|io|us|biz|info|online|site)\b"
)
IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])(?::\d+)?(?:/\S*)?")
_TRAILING = ".,;:!?)]}'\">"


def _normalise_carrier(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def allowed_domains(context: Context) -> tuple[str, ...]:
    domains = list(MARKETPLACE_DOMAINS.get(context.marketplace, ()))
    if context.order:
        for carrier in context.order.carriers:
            domains.extend(CARRIER_DOMAINS.get(_normalise_carrier(carrier), ()))
    domains.extend(d.lower().strip().lstrip(".") for d in context.allow_domains)
    return tuple(domains)


def _host_of(url: str) -> tuple[str, bool, bool]:
    """(host, had a scheme, userinfo trick): `walmart.com@evil.io` goes to evil.io."""
    rest = re.sub(r"(?i)^[a-z*]+\s*\[?:\]?\s*//", "", url)
    schemed = rest != url
    authority = re.split(r"[/?#\\]", rest, maxsplit=1)[0]
    userinfo = "@" in authority
    host = authority.rsplit("@", 1)[-1]
    host = re.sub(r":\d*$", "", host).strip(".").lower()
    return host, schemed, userinfo


def _matches(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


SUGGEST = "Name the carrier and tracking number, or point to the order page on the marketplace."


def check_links(text: str, context: Context, taken: list[tuple[int, int]]) -> list[Finding]:
    """Links in `text`; `taken` holds spans already judged (email addresses) to skip."""
    found: list[Finding] = []
    allowed = allowed_domains(context)
    marketplace = context.marketplace

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for match in URL.finditer(text):
        raw = match.group(0).rstrip(_TRAILING)
        start, end = match.start(), match.start() + len(raw)
        if not free(start, end) or not raw:
            continue
        taken.append((start, end))
        host, schemed, userinfo = _host_of(raw)
        lowered = raw.lower()
        span = (start, end, raw)
        if lowered.startswith(("hxxp", "h**p", "htxp", "hxtp")) or re.match(r"(?i)h\w*\s*\[", raw):
            found.append(
                finding(
                    "link",
                    span,
                    "A disguised link (hxxp://) still sends the buyer off the marketplace.",
                    SUGGEST,
                )
            )
        elif userinfo:
            found.append(
                finding(
                    "link",
                    span,
                    f"A look-alike link: it opens {host}, not the site named before the '@'.",
                    SUGGEST,
                )
            )
        elif _is_ip(host):
            found.append(finding("link", span, "A link to a bare IP address.", SUGGEST))
        elif host in SHORTENERS:
            found.append(finding("link", span, "A shortened link hides where it goes.", SUGGEST))
        elif "xn--" in host or not host.isascii():
            found.append(
                finding("link", span, "A punycode or look-alike international host.", SUGGEST)
            )
        elif not _matches(host, allowed):
            why = f"{host} is outside {marketplace.title()} and the order's carrier."
            if any(_matches(host, d) for d in CARRIER_DOMAINS.values()):
                why = f"{host} is not the carrier of this order."
            elif re.search(r"(?i)(walmart|amazon|ups|usps|fedex|dhl)\.com\.", host):
                why = f"A look-alike host: {host} only starts like a trusted site."
            found.append(finding("link", span, why, SUGGEST))
        elif marketplace == "amazon" and schemed and lowered.startswith("http:"):
            found.append(
                finding(
                    "amazon_format",
                    span,
                    "Amazon asks for secure (https) links only.",
                    "Use https://.",
                    Severity.WARN,
                )
            )
    for match in DISGUISED.finditer(text):
        if free(match.start(), match.end()):
            taken.append((match.start(), match.end()))
            found.append(
                finding(
                    "link",
                    match,
                    "A spelled-out web address is still a link off the marketplace.",
                    SUGGEST,
                )
            )
    for match in IPV4.finditer(text):
        if free(match.start(), match.end()) and _is_ip(match.group(0).split(":")[0].split("/")[0]):
            taken.append((match.start(), match.end()))
            found.append(finding("link", match, "A link to a bare IP address.", SUGGEST))
    return found
