"""parse_message on hostile and degenerate input: huge, empty, random and mutated bytes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sellerdesk.mail.parse import UnparseableMessage, message_ids, parse_message
from tests.mail.pure.corpus import fixture_bytes, fixture_names

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _parse_or_unparseable(raw: bytes) -> None:
    try:
        parsed = parse_message(raw)
    except UnparseableMessage as error:
        assert str(error)
        return
    assert isinstance(parsed.subject, str)
    assert isinstance(parsed.new_text, str)
    for attachment in parsed.attachments:
        assert attachment.filename and "/" not in attachment.filename
        assert "\\" not in attachment.filename


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n", b"\x00\x00\x00"])
def test_empty_input_is_unparseable(raw: bytes) -> None:
    with pytest.raises(UnparseableMessage, match="empty"):
        parse_message(raw)


def test_bytes_without_any_header_are_not_an_email() -> None:
    with pytest.raises(UnparseableMessage, match="no header lines"):
        parse_message(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary junk")


def test_huge_body_is_truncated_for_display_and_flagged() -> None:
    line = "Where is my order? " * 5 + "\n"
    body = line * (5_500_000 // len(line))
    raw = (
        "From: buyer@example.org\nSubject: huge\nMessage-ID: <huge@example.org>\n"
        "Content-Type: text/plain; charset=utf-8\n\n" + body
    ).encode()
    assert len(raw) > 5_000_000
    started = time.monotonic()
    parsed = parse_message(raw)
    assert time.monotonic() - started < 10
    assert parsed.truncated is True
    assert len(parsed.text) == 200_000
    assert parsed.new_text.startswith("Where is my order?")
    assert "body too large; display text truncated" in parsed.defects


def test_huge_html_is_truncated_before_sanitizing() -> None:
    raw = (
        b"From: buyer@example.org\nSubject: huge html\nContent-Type: text/html\n\n"
        + b"<p>row</p>" * 300_000
    )
    parsed = parse_message(raw, max_display_chars=50_000)
    assert parsed.truncated is True
    assert parsed.html is not None and len(parsed.html) <= 50_010
    assert len(parsed.text) <= 50_000


def test_received_at_uses_the_top_received_header_in_utc() -> None:
    raw = (
        b"Received: from b by c; Tue, 4 Mar 2025 10:00:00 -0500\n"
        b"Received: from a by b; Tue, 4 Mar 2025 09:00:00 -0500\n"
        b"Date: Mon, 3 Mar 2025 00:00:00 +0000\nFrom: x@example.org\n\nhi\n"
    )
    parsed = parse_message(raw)
    assert parsed.received_at == datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
    assert parsed.date == datetime(2025, 3, 3, tzinfo=UTC)


def test_missing_or_unreadable_received_header_gives_none() -> None:
    assert parse_message(b"From: x@example.org\n\nhi\n").received_at is None
    assert parse_message(b"Received: junk\nFrom: x@example.org\n\nhi\n").received_at is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a@b> <c@d>", ("a@b", "c@d")),
        ("<a@b>,<c@d>", ("a@b", "c@d")),
        ("  < a@b >\r\n\t<c@d>", ("a@b", "c@d")),
        ("<a@b> (comment) <a@b>", ("a@b",)),
        ("a@b", ("a@b",)),
        ("garbage", ()),
        ("", ()),
        ("<>", ()),
        ("<CAKx9nM=Qm2Wv8f+Lp1x@mail.gmail.com>", ("CAKx9nM=Qm2Wv8f+Lp1x@mail.gmail.com",)),
    ],
)
def test_message_ids(value: str, expected: tuple[str, ...]) -> None:
    assert message_ids(value) == expected


def test_encoded_word_with_a_lying_charset_still_decodes() -> None:
    raw = b"From: x@example.org\nSubject: =?us-ascii?Q?caf=C3=A9?= =?x-bogus?Q?ok?=\n\nhi\n"
    parsed = parse_message(raw)
    assert parsed.subject == "caf\u00e9ok"
    assert parsed.defects


def test_non_ascii_filename_rfc2231_and_path_traversal() -> None:
    raw = (
        b"From: x@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        b"Content-Type: text/plain\n\nhi\n--b\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename*=utf-8''..%2F..%2Fre%C3%A7u.pdf\n\n%PDF\n"
        b'--b\nContent-Type: image/png\nContent-Disposition: attachment; filename="C:\\\\x\\\\."\n\nx\n--b--\n'
    )
    names = [a.filename for a in parse_message(raw).attachments]
    assert names == ["re\u00e7u.pdf", "attachment-2.png"]


@given(st.binary(max_size=2_000))
@FUZZ
def test_arbitrary_bytes_never_raise_anything_but_unparseable(raw: bytes) -> None:
    _parse_or_unparseable(raw)


@given(
    st.lists(
        st.sampled_from(
            [
                "From: a@b\n",
                "Subject: x\n",
                "Content-Type: multipart/mixed; boundary=z\n",
                "--z\n",
                "--z--\n",
                "\n",
                "=?utf-8?b?",
                "?=",
                "<",
                ">",
                "cid:",
                "\r",
                ":",
                "Content-Transfer-Encoding: base64\n",
                "Content-Type: message/rfc822\n",
                "é",
                "\x00",
            ]
        ),
        max_size=60,
    )
)
@FUZZ
def test_mime_shaped_noise_never_raises(pieces: list[str]) -> None:
    _parse_or_unparseable("".join(pieces).encode("utf-8"))


_CORPUS = [fixture_bytes(name) for name in fixture_names()]


@given(
    st.sampled_from(range(len(_CORPUS))),
    st.lists(
        st.tuples(st.integers(0, 10**9), st.integers(0, 255), st.sampled_from("xdi")), max_size=12
    ),
)
@FUZZ
def test_mutated_fixtures_never_raise(index: int, edits: list[tuple[int, int, str]]) -> None:
    data = bytearray(_CORPUS[index])
    for position, value, op in edits:
        at = position % (len(data) + 1)
        if op == "x" and at < len(data):
            data[at] = value
        elif op == "d":
            del data[at : at + 1 + value % 40]
        else:
            data[at:at] = bytes([value]) * (1 + value % 5)
    _parse_or_unparseable(bytes(data))


def test_deep_nesting_beyond_the_stdlib_recursion_limit_does_not_raise() -> None:
    depth = 1500
    parts = [b"From: x@example.org\nContent-Type: multipart/mixed; boundary=b0\n\n"]
    for level in range(depth):
        parts.append(
            f"--b{level}\nContent-Type: multipart/mixed; boundary=b{level + 1}\n\n".encode()
        )
    parts.append(b"--b1500\nContent-Type: text/plain\n\ndeep\n")
    parsed = parse_message(b"".join(parts))
    assert parsed.defects
