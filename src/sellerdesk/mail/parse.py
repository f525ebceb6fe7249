"""Parse raw mail into a ParsedMessage (pure: no Django, nothing above `sellerdesk.lib`).

One bad message must never stall a mailbox, so `parse_message` reads whatever can be read
and lists what was wrong in `defects`; it raises `UnparseableMessage` only when there is
nothing to read at all. Headers are never read through the stdlib's structured header
objects (which raise on some broken inputs): every value is decoded from its raw form here.
The structure is parsed with `policy.default`; if that fails, again with `compat32`; if that
fails too, the bytes are read as one plain-text message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from types import MappingProxyType

from sellerdesk.mail.parse_decode import collapse, decode_bytes, decode_header_value
from sellerdesk.mail.parse_html import html_to_text, referenced_cids, sanitize_html
from sellerdesk.mail.parse_mime import (
    BARE_ID,
    FOLD,
    HEADER_VALUE_CAP,
    Walker,
    message_ids,
    safe_filename,
)
from sellerdesk.mail.parse_reply import extract_new_text

__all__ = [
    "ParsedAttachment",
    "ParsedMessage",
    "UnparseableMessage",
    "message_ids",
    "parse_message",
    "sanitize_html",
]


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    filename: str  # safe display name (no path parts), never empty
    content_type: str  # lowercased
    data: bytes
    content_id: str | None  # without <>
    inline: bool  # an inline image referenced by the HTML (cid:)


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    date: datetime | None
    received_at: datetime | None
    headers: Mapping[str, str]
    text: str
    html: str | None
    new_text: str
    truncated: bool
    attachments: tuple[ParsedAttachment, ...]
    defects: tuple[str, ...]
    delivery_status: Mapping[str, str]


class UnparseableMessage(Exception):
    """Nothing at all could be read from the bytes (empty, or not an email message)."""


# --- parsing policy ----------------------------------------------------------------------

# Longer values are parsed each time: the cache is for the short, repetitive MIME headers.
_CACHED_HEADER_CHARS = 500
_LINESEP = re.compile(r"\n|\r")


@lru_cache(maxsize=2048)
def _parsed_header(factory: object, name: str, value: str) -> object:
    return factory(name, value)  # type: ignore[operator]


class _CachingPolicy(EmailPolicy):
    """`policy.default` that parses each distinct short header value once.

    `policy.default` builds a header object on every `Message.get`, and the parser and the
    MIME walk ask for Content-Type, Content-Disposition and Content-Transfer-Encoding of
    each part many times (about a fifth of the parse time). Header objects are immutable
    and depend only on (name, value), and these values repeat across messages, so one
    object can serve every fetch.
    """

    def header_fetch_parse(self, name: str, value: str) -> object:  # type: ignore[override]
        if hasattr(value, "name") or len(value) > _CACHED_HEADER_CHARS:
            return super().header_fetch_parse(name, value)
        # As the stdlib does: only CR and LF removed (splitlines would split on more).
        return _parsed_header(self.header_factory, name, "".join(_LINESEP.split(value)))


_DEFAULT_POLICY = _CachingPolicy()


# --- header block repair --------------------------------------------------------------------

_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")


def _repair_header_block(raw: bytes, defects: list[str]) -> bytes:
    """Drop junk lines from the header block so the headers after them are not lost.

    The stdlib treats the first line that is not a header as the start of the body, losing
    every header after it. A line without a colon followed by more headers is dropped; one
    followed by no more headers is the body, missing its blank separator line.
    """
    lines = raw.splitlines(keepends=True)
    end = len(lines)
    for index, line in enumerate(lines):
        if not line.rstrip(b"\r\n"):
            end = index
            break
    block = lines[:end]
    last_header = max((i for i, line in enumerate(block) if _HEADER_LINE.match(line)), default=-1)
    if last_header < 0:
        raise UnparseableMessage("no header lines: this is not an email message")
    kept: list[bytes] = []
    changed = False
    body_start: int | None = None
    for index, line in enumerate(block):
        if index == 0 and line.startswith(b"From "):
            changed = True  # mbox separator line
            continue
        if _HEADER_LINE.match(line) or (line[:1] in (b" ", b"\t") and kept):
            kept.append(line)
            continue
        if index < last_header:
            defects.append(f"header line without a colon dropped: {_preview(line)}")
            changed = True
            continue
        defects.append("no blank line between headers and body")
        body_start = index
        changed = True
        break
    if not changed:
        return raw
    newline = b"\r\n" if block and block[0].endswith(b"\r\n") else b"\n"
    if body_start is not None:
        return b"".join(kept) + newline + b"".join(lines[body_start:])
    return b"".join(kept) + b"".join(lines[end:])


def _preview(line: bytes) -> str:
    return repr(line.rstrip(b"\r\n")[:40].decode("utf-8", errors="replace"))


# --- headers --------------------------------------------------------------------------------

_ONCE_HEADERS = ("from", "subject", "date", "message-id", "to", "in-reply-to", "sender")


class _Headers:
    """First decoded value of each header, and every raw value for the few that need it."""

    def __init__(self, msg: Message, defects: list[str]) -> None:
        self.defects = defects
        self.raw: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            key = str(name).strip().lower()
            raw_value = value if isinstance(value, str) else str(value)
            self.raw.setdefault(key, []).append(FOLD.sub("", raw_value))
        self.first: dict[str, str] = {}
        for key, values in self.raw.items():
            decoded = decode_header_value(values[0], defects, key)
            self.first[key] = collapse(decoded)[:HEADER_VALUE_CAP]
        for key in _ONCE_HEADERS:
            if len(self.raw.get(key, [])) > 1:
                defects.append(f"duplicated {key} header; the first one is used")
        for key in ("from", "date", "message-id"):
            if key not in self.raw:
                defects.append(f"missing {key} header")

    def get(self, name: str) -> str:
        return self.first.get(name, "")

    def addresses(self, name: str) -> list[tuple[str, str]]:
        values = [decode_header_value(value, [], name) for value in self.raw.get(name, [])[:1]]
        if not values:
            return []
        try:
            pairs = getaddresses(values)
        except Exception:  # email.utils on adversarial input
            self.defects.append(f"{name} header: unreadable address list")
            return []
        out: list[tuple[str, str]] = []
        for display, address in pairs:
            addr = address.strip().strip("<>").lower()
            if not _ADDR.match(addr):
                if address.strip():
                    self.defects.append(f"{name} header: unreadable address {address[:60]!r}")
                continue
            out.append((collapse(display), addr))
        if not out and values[0].strip():
            self.defects.append(f"{name} header: no readable address")
        return out


_ADDR = re.compile(r"^[^\s<>()\[\],;:\"@]+(?:@[^\s<>()\[\],;:\"@]+)?$")


def _parse_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except Exception:  # ValueError, TypeError, IndexError depending on the junk
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # "-0000": zone unknown; the clock reading is UTC by RFC 5322
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


# --- assembly -------------------------------------------------------------------------------


def _truncate(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    return text[:limit], True


def _build(msg: Message, defects: list[str], max_chars: int) -> ParsedMessage:
    headers = _Headers(msg, defects)
    walker = Walker(defects)
    walker.walk(msg, 0, "1", False)

    plain = "\n\n".join(t for t in walker.plain if t.strip())
    raw_html = "\n".join(walker.html) if walker.html else None
    truncated = False
    html_out: str | None = None
    if raw_html is not None:
        cut_html, cut = _truncate(raw_html, max_chars)
        truncated |= cut
        html_out = sanitize_html(cut_html)
    text_source = (
        plain if plain.strip() else (html_to_text(raw_html[: max_chars * 2]) if raw_html else "")
    )
    text, cut = _truncate(text_source, max_chars)
    truncated |= cut
    if truncated:
        defects.append("body too large; display text truncated")
    new_text = (
        extract_new_text(text if plain.strip() else "", raw_html) if (text or raw_html) else ""
    )

    cids = referenced_cids(raw_html) if raw_html else set()
    attachments = tuple(
        ParsedAttachment(
            filename=safe_filename(part.filename, part.content_type, index),
            content_type=part.content_type,
            data=part.data,
            content_id=part.content_id,
            inline=bool(part.content_id and part.content_id.lower() in cids),
        )
        for index, part in enumerate(walker.parts, start=1)
    )

    from_pairs = headers.addresses("from")
    from_name, from_address = from_pairs[0] if from_pairs else ("", "")
    message_id_list = message_ids(headers.raw.get("message-id", [""])[0])
    if "message-id" in headers.raw and not message_id_list:
        defects.append("unreadable message-id header")
    received = headers.raw.get("received", [])
    received_at = _parse_date(received[0].rsplit(";", 1)[-1]) if received else None
    date = _parse_date(headers.get("date"))
    if headers.get("date") and date is None:
        defects.append("unreadable date header")

    return ParsedMessage(
        message_id=message_id_list[0] if message_id_list else None,
        in_reply_to=message_ids(" ".join(headers.raw.get("in-reply-to", [])[:1])),
        references=message_ids(" ".join(headers.raw.get("references", [])[:1])),
        subject=collapse(headers.get("subject")),
        from_name=from_name,
        from_address=from_address,
        to=_addresses(headers, "to"),
        cc=_addresses(headers, "cc"),
        reply_to=_addresses(headers, "reply-to"),
        date=date,
        received_at=received_at,
        headers=MappingProxyType(dict(headers.first)),
        text=text,
        html=html_out,
        new_text=new_text,
        truncated=truncated,
        attachments=attachments,
        defects=tuple(dict.fromkeys(defects)),
        delivery_status=MappingProxyType(dict(walker.status)),
    )


def _addresses(headers: _Headers, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(addr for _, addr in headers.addresses(name)))


def _last_resort(raw: bytes, defects: list[str], max_chars: int) -> ParsedMessage:
    """Both parsers failed: the bytes as one plain-text message, headers by pattern."""
    text = decode_bytes(raw, None, defects, "message")
    head, body = _split_head(text)
    found = {
        m.group(1).lower(): collapse(m.group(2))[:HEADER_VALUE_CAP]
        for m in reversed(list(re.finditer(r"(?m)^([A-Za-z0-9-]+):[ \t]*(.*)$", head)))
    }
    shown, truncated = _truncate(body, max_chars)
    ids = message_ids(found.get("message-id", ""))
    sender = BARE_ID.search(found.get("from", ""))
    return ParsedMessage(
        message_id=ids[0] if ids else None,
        in_reply_to=message_ids(found.get("in-reply-to", "")),
        references=message_ids(found.get("references", "")),
        subject=found.get("subject", ""),
        from_name="",
        from_address=sender.group(0).lower() if sender else "",
        to=(),
        cc=(),
        reply_to=(),
        date=_parse_date(found.get("date", "")),
        received_at=None,
        headers=MappingProxyType(found),
        text=shown,
        html=None,
        new_text=shown.strip()[:20_000],
        truncated=truncated,
        attachments=(),
        defects=tuple(dict.fromkeys(defects)),
        delivery_status=MappingProxyType({}),
    )


def _split_head(text: str) -> tuple[str, str]:
    match = re.search(r"\r?\n\r?\n", text)
    if not match:
        return text, ""
    return text[: match.start()], text[match.end() :]


def parse_message(raw: bytes, *, max_display_chars: int = 200_000) -> ParsedMessage:
    """Read a raw RFC 5322 message; see the module docstring for how failures degrade."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise UnparseableMessage(f"expected bytes, got {type(raw).__name__}")
    data = bytes(raw)
    if not data.strip():
        raise UnparseableMessage("empty message")
    defects: list[str] = []
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
        defects.append("NUL bytes removed")
        if not data.strip():
            raise UnparseableMessage("empty message (only NUL bytes)")
    data = _repair_header_block(data, defects)
    for parse_policy in (_DEFAULT_POLICY, policy.compat32):
        attempt = list(defects)
        try:
            msg = BytesParser(policy=parse_policy).parsebytes(data)
            return _build(msg, attempt, max_display_chars)
        except Exception as exc:  # any parser or header bug: try the next, more lenient way
            defects.append(f"{_policy_name(parse_policy)} parsing failed: {type(exc).__name__}")
    return _last_resort(data, defects, max_display_chars)


def _policy_name(parse_policy: object) -> str:
    return "compat32" if parse_policy is policy.compat32 else "policy.default"
