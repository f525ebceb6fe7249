"""The MIME tree walk behind `parse_message`: bodies, attachments, delivery status (pure).

Every accessor on a part is guarded: the stdlib's structured headers raise on some broken
values, and one broken part must not cost the rest of the message.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import HeaderParser
from io import BytesIO
from typing import TypeVar

from sellerdesk.mail.parse_decode import collapse, decode_bytes, decode_header_value

logger = logging.getLogger(__name__)

MAX_DEPTH = 50  # MIME nesting levels read; deeper parts are skipped and noted
MAX_PARTS = 500  # a message with thousands of parts is an attack, not mail
HEADER_VALUE_CAP = 2_000
FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")

T = TypeVar("T")


# --- Message-IDs ------------------------------------------------------------------------------

_BRACKETED = re.compile(r"<\s*([^<>\s]+?)\s*>")
BARE_ID = re.compile(r"[^\s<>,;\"()]+@[^\s<>,;\"()]+")


def message_ids(header_value: str) -> tuple[str, ...]:
    """Message-IDs in a Message-ID/In-Reply-To/References value, without <>, in order,
    deduplicated. Tolerates missing brackets, commas, comments and folding."""
    if not header_value:
        return ()
    value = header_value[:20_000]
    found = [m for m in _BRACKETED.findall(value) if len(m) <= 998 and m.strip("<>")]
    if not found:
        found = [m for m in BARE_ID.findall(value) if len(m) <= 998]
    seen: dict[str, None] = {}
    for item in found:
        seen.setdefault(item.strip(), None)
    return tuple(seen)


# --- MIME walk ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Part:
    filename: str | None
    content_type: str
    data: bytes
    content_id: str | None
    inline_disposition: bool


class Walker:
    def __init__(self, defects: list[str]) -> None:
        self.defects = defects
        self.plain: list[str] = []
        self.html: list[str] = []
        self.parts: list[_Part] = []
        self.status: dict[str, str] = {}
        self.count = 0
        self.too_deep = False

    def walk(self, part: Message, depth: int, path: str, in_report: bool) -> None:
        self.count += 1
        if self.count > MAX_PARTS:
            if self.count == MAX_PARTS + 1:
                self.defects.append(f"more than {MAX_PARTS} MIME parts; the rest skipped")
            return
        if depth > MAX_DEPTH:
            if not self.too_deep:
                self.defects.append(f"MIME nesting deeper than {MAX_DEPTH} levels; skipped")
                self.too_deep = True
            return
        try:
            self._part(part, depth, path, in_report)
        finally:
            # Read after the part is decoded: base64 defects are found while decoding.
            for defect in getattr(part, "defects", []) or []:
                self.defects.append(f"MIME part {path}: {_defect_text(defect)}")

    def _part(self, part: Message, depth: int, path: str, in_report: bool) -> None:
        ctype = _content_type(part)
        payload = part.get_payload()
        if ctype == "message/delivery-status":
            self._delivery_status(part, payload)
            return
        if ctype in {"message/rfc822", "message/global"}:
            self._attached_message(part, payload, in_report)
            return
        if ctype == "text/rfc822-headers" and in_report:
            self._returned_headers(_payload_bytes(part))
        if isinstance(payload, list):
            for index, child in enumerate(payload, start=1):
                if isinstance(child, Message):
                    self.walk(child, depth + 1, f"{path}.{index}", ctype == "multipart/report")
            return
        if ctype.startswith("multipart/"):
            self.defects.append(f"MIME part {path}: {ctype} without usable parts; read as text")
            ctype = "text/plain"
        self._leaf(part, ctype, path)

    def _leaf(self, part: Message, ctype: str, path: str) -> None:
        disposition = _safe(lambda: part.get_content_disposition(), None)
        filename = _filename(part)
        data = _payload_bytes(part)
        if ctype in {"text/plain", "text/html"} and disposition != "attachment" and not filename:
            charset = _charset(part, data if ctype == "text/html" else b"")
            text = decode_bytes(data, charset, self.defects, f"MIME part {path} ({ctype})")
            if "\x00" in text:
                text = text.replace("\x00", "")
            (self.plain if ctype == "text/plain" else self.html).append(text)
            return
        content_id = _raw_header(part, "content-id")
        cid = content_id.strip().strip("<>").strip() if content_id else None
        self.parts.append(_Part(filename, ctype, data, cid or None, disposition == "inline"))

    def _attached_message(self, part: Message, payload: object, in_report: bool) -> None:
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            data = _message_bytes(inner)
            subject = collapse(
                decode_header_value(_raw_header(inner, "subject") or "", [], "subject")
            )
            if in_report:
                ids = message_ids(_raw_header(inner, "message-id") or "")
                if ids:
                    self.status.setdefault("original-message-id", ids[0])
        else:
            data = _payload_bytes(part)
            subject = ""
            if in_report:
                self._returned_headers(data)
        name = _filename(part) or (f"{subject[:80]}.eml" if subject else None)
        self.parts.append(_Part(name, "message/rfc822", data, None, False))

    def _returned_headers(self, data: bytes) -> None:
        try:
            headers = HeaderParser(policy=policy.compat32).parsestr(
                data.decode("utf-8", errors="replace")
            )
            value = headers.get("message-id")
        except Exception:
            return
        ids = message_ids(str(value or ""))
        if ids:
            self.status.setdefault("original-message-id", ids[0])

    def _delivery_status(self, part: Message, payload: object) -> None:
        blocks: list[list[tuple[str, str]]] = []
        if isinstance(payload, list):
            for block in payload:
                if isinstance(block, Message):
                    blocks.append([(str(k), str(v)) for k, v in block.raw_items()])
        else:
            text = _payload_bytes(part).decode("utf-8", errors="replace")
            for chunk in re.split(r"\r?\n\s*\r?\n", text):
                fields = re.findall(r"(?m)^([A-Za-z-]+)[ \t]*:[ \t]*(.*)$", chunk)
                if fields:
                    blocks.append(fields)
        # The first block is per-message; per-recipient blocks follow. Prefer a failed one.
        recipients = blocks[1:] or blocks
        chosen = next(
            (
                b
                for b in recipients
                if any(k.lower() == "action" and "fail" in v.lower() for k, v in b)
            ),
            recipients[0] if recipients else [],
        )
        for key, value in [*(blocks[0] if blocks else []), *chosen]:
            name = key.strip().lower()
            if name in _DSN_FIELDS:
                self.status[name] = _dsn_value(name, FOLD.sub("", value))


_DSN_FIELDS = frozenset(
    {"action", "status", "final-recipient", "original-recipient", "diagnostic-code",
     "remote-mta", "reporting-mta", "arrival-date"}
)  # fmt: skip


def _dsn_value(name: str, value: str) -> str:
    value = collapse(value)[:HEADER_VALUE_CAP]
    if name in {"final-recipient", "original-recipient"} and ";" in value:
        return value.split(";", 1)[1].strip().strip("<>").lower()
    if name == "action":
        return value.lower()
    return value


def _raw_header(msg: Message, name: str) -> str | None:
    for key, value in msg.raw_items():
        if str(key).lower() == name:
            return FOLD.sub("", str(value))
    return None


def _safe(call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except Exception:  # structured header parsing raises on some broken values
        return default


def _content_type(part: Message) -> str:
    value = _safe(lambda: part.get_content_type(), "text/plain")
    value = str(value).lower()
    return (
        value
        if re.fullmatch(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+", value)
        else "application/octet-stream"
    )


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_:.-]+)""", re.I)


def _charset(part: Message, html: bytes) -> str | None:
    charset = _safe(lambda: part.get_content_charset(), None)
    if not charset and html:
        match = _META_CHARSET.search(html[:4096])
        if match:
            return match.group(1).decode("ascii")
    return str(charset) if charset else None


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="surrogateescape")
    return b""


def _message_bytes(msg: Message) -> bytes:
    # compat32's generator writes raw header values back as they came: no re-folding that
    # could change (or fail on) a broken header.
    try:
        buffer = BytesIO()
        BytesGenerator(buffer, mangle_from_=False, policy=policy.compat32).flatten(msg)
        return buffer.getvalue()
    except Exception:  # fall through to the modern generator
        logger.debug("compat32 generator failed on an attached message", exc_info=True)
    try:
        return msg.as_bytes()
    except Exception:
        return str(msg.get_payload()).encode("utf-8", errors="replace")


_FILENAME_PARAM = re.compile(r"""(?:file)?name\*?\s*=\s*"?([^";]+)""", re.I)


def _filename(part: Message) -> str | None:
    name = _safe(lambda: part.get_filename(), None)
    if not name:
        for header in ("content-disposition", "content-type"):
            match = _FILENAME_PARAM.search(_raw_header(part, header) or "")
            if match:
                name = match.group(1)
                break
    if not name:
        return None
    text = decode_header_value(str(name), [], "filename")
    return text or None


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def safe_filename(name: str | None, content_type: str, index: int) -> str:
    """A display name without directories, control characters or leading dots."""
    if name:
        base = re.split(r"[\\/]", name)[-1]
        base = collapse(_UNSAFE_NAME.sub("_", base)).lstrip(".").strip()
        if len(base) > 200:
            stem, dot, ext = base.rpartition(".")
            base = (stem[:190] + dot + ext[:9]) if dot and len(ext) < 10 else base[:200]
        if base.strip("._ "):
            return base
    if content_type == "application/ms-tnef":
        return "winmail.dat"
    extension = ".eml" if content_type == "message/rfc822" else None
    if extension is None and content_type.startswith("text/"):
        extension = mimetypes.guess_extension(content_type, strict=False) or ".txt"
    extension = extension or mimetypes.guess_extension(content_type, strict=False) or ".bin"
    return f"attachment-{index}{extension}"


def _defect_text(defect: object) -> str:
    name = type(defect).__name__
    readable = re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Defect")).lower()
    return readable or name
