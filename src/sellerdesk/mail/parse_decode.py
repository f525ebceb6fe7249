"""Low-level decoding for mail parsing: charsets, encoded words, header repair (pure).

Mail in the wild lies about its encoding: us-ascii parts full of UTF-8, utf-8 parts in
windows-1252, charsets no codec knows, raw 8-bit bytes in headers. Every function here
returns text and notes what it had to guess in `defects`; none of them raises.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header

# Charset labels as mail clients write them -> the codec that actually decodes them.
# latin-1 and us-ascii labels are decoded as windows-1252 (what browsers do: the C1 range
# is almost always cp1252 punctuation, curly quotes and the euro sign); gb2312 as its
# superset gb18030, so characters outside gb2312 that real senders use still decode.
_CHARSET_ALIASES: dict[str, str] = {
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "windows-1252": "cp1252",
    "x-cp1252": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cn-gb": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "shift-jis": "cp932",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "big5": "big5hkscs",
    "tis-620": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-11": "cp874",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "ansi_x3.4-1968": "us-ascii",
    "ascii": "us-ascii",
    "646": "us-ascii",
}
# Labels that carry no information: decode by guessing, without a defect for the label.
_NO_CHARSET = frozenset({"", "unknown-8bit", "x-unknown", "unknown", "default", "none", "8bit"})


def normalize_charset(label: str | None) -> str:
    if not label:
        return ""
    cleaned = label.strip().strip("\"'").strip().lower()
    return _CHARSET_ALIASES.get(cleaned, cleaned)


def _guess(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decode_bytes(data: bytes, label: str | None, defects: list[str], where: str) -> str:
    """Decode `data` declared as `label`, repairing the common lies; note each repair."""
    charset = normalize_charset(label)
    if charset in _NO_CHARSET:
        if not data.isascii():
            defects.append(f"{where}: no charset declared for 8-bit text; guessed")
        return _guess(data)
    if charset in {"us-ascii", "cp1252"}:
        if data.isascii():
            return data.decode("ascii")
        try:
            # UTF-8 is self-validating: 8-bit text that decodes as UTF-8 is UTF-8, whatever
            # the label says (the most common mislabel: "us-ascii" or "iso-8859-1" on UTF-8).
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if charset == "us-ascii":
                defects.append(
                    f"{where}: declared us-ascii but has 8-bit bytes; read as windows-1252"
                )
            return _guess(data)
        defects.append(f"{where}: declared {label} but is UTF-8")
        return text
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        defects.append(f"{where}: unknown charset {label!r}; guessed")
        return _guess(data)
    if codec in {"utf-7"}:
        # UTF-7 can smuggle markup past filters that look for "<"; decode it, but note it.
        defects.append(f"{where}: utf-7 text")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    if codec == "utf-8":
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
        defects.append(f"{where}: declared utf-8 but is not valid UTF-8; read as windows-1252")
        return text
    defects.append(f"{where}: invalid {label} bytes; undecodable characters replaced")
    return data.decode(codec, errors="replace")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WS = re.compile(r"\s+")


def header_bytes(value: str) -> bytes:
    """The original bytes of a header value as the bytes parser left it (surrogateescape)."""
    return value.encode("utf-8", errors="surrogateescape")


def decode_header_value(value: str, defects: list[str], name: str) -> str:
    """Decode a raw header value: RFC 2047 encoded words, raw 8-bit bytes, bad charsets."""
    if any("\udc80" <= char <= "\udcff" for char in value):
        raw = header_bytes(value)
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = _guess(raw)
            defects.append(f"{name} header: raw 8-bit bytes that are not UTF-8; guessed")
    if "=?" not in value:
        return _CONTROL.sub("", value)
    try:
        chunks = decode_header(value)
    except Exception:  # email.header raises HeaderParseError and worse on junk
        defects.append(f"{name} header: unreadable encoded words; kept as is")
        return _CONTROL.sub("", value)
    # decode_header keeps the spaces of plain chunks and merges adjacent encoded words,
    # so the chunks join as they are (RFC 2047 6.2: no space between encoded words).
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:
            out.append(_guess(chunk))
        else:
            out.append(decode_bytes(chunk, charset, defects, f"{name} header"))
    return _CONTROL.sub("", "".join(out))


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()
