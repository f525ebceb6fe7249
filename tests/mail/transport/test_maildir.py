"""Maildir delivery and reading."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sellerdesk.mail.transport.maildir import MaildirMail, deliver, read_new

RAW = b"Subject: hello\r\nMessage-ID: <a@example.com>\r\n\r\nd\xc3\xa9j\xc3\xa0 vu\r\n.dot\r\n"


def place(root: Path, subdir: str, name: str, raw: bytes) -> Path:
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    path = root / subdir / name
    path.write_bytes(raw)
    return path


def test_deliver_creates_the_maildir_and_reads_back_the_exact_bytes(maildir_root: Path) -> None:
    key = deliver(maildir_root, RAW)

    assert sorted(p.name for p in maildir_root.iterdir()) == ["cur", "new", "tmp"]
    assert list(os.listdir(maildir_root / "tmp")) == []
    (mail,) = read_new(maildir_root)
    assert mail == MaildirMail(key, maildir_root / "new" / key, mail.delivered_at, RAW)
    assert mail.delivered_at is not None and mail.delivered_at.tzinfo == UTC
    assert abs((datetime.now(UTC) - mail.delivered_at).total_seconds()) < 60


def test_messages_come_in_delivery_order(maildir_root: Path) -> None:
    keys = [deliver(maildir_root, f"Subject: {n}\r\n\r\n{n}\r\n".encode()) for n in range(5)]

    assert [mail.key for mail in read_new(maildir_root)] == keys
    assert [mail.raw for mail in read_new(maildir_root)] == [
        f"Subject: {n}\r\n\r\n{n}\r\n".encode() for n in range(5)
    ]


def test_order_is_by_the_time_in_the_name_then_key_across_new_and_cur(maildir_root: Path) -> None:
    # Names as Dovecot and other agents write them; cur/ ones carry the ":2,flags" info.
    place(maildir_root, "new", "1700000300.M5P10.host", b"third")
    place(maildir_root, "cur", "1700000100.M900000P10.host:2,S", b"second")
    place(maildir_root, "cur", "1700000100.M000007P10.host:2,", b"first")
    place(maildir_root, "new", "1700000300.M5P9.host", b"also third, earlier key")
    place(maildir_root, "new", ".hidden-by-convention", b"never")

    mails = list(read_new(maildir_root))

    assert [(m.key, m.raw) for m in mails] == [
        ("1700000100.M000007P10.host", b"first"),
        ("1700000100.M900000P10.host", b"second"),
        ("1700000300.M5P10.host", b"third"),
        ("1700000300.M5P9.host", b"also third, earlier key"),
    ]
    assert mails[0].delivered_at == datetime(2023, 11, 14, 22, 15, 0, 7, tzinfo=UTC)
    assert mails[1].delivered_at == datetime(2023, 11, 14, 22, 15, 0, 900000, tzinfo=UTC)
    assert mails[1].path == maildir_root / "cur" / "1700000100.M900000P10.host:2,S"


def test_a_name_without_a_delivery_time_falls_back_to_the_file_time(maildir_root: Path) -> None:
    path = place(maildir_root, "new", "imported-message", b"odd")
    os.utime(path, (1_600_000_000, 1_600_000_000))

    (mail,) = read_new(maildir_root)

    assert mail.key == "imported-message"
    assert mail.delivered_at == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)


def test_seen_keys_are_skipped_and_keys_survive_a_move_to_cur(maildir_root: Path) -> None:
    first = deliver(maildir_root, b"Subject: 1\r\n\r\n1\r\n")
    second = deliver(maildir_root, b"Subject: 2\r\n\r\n2\r\n")
    # A mail client reads the first message: it moves to cur/ with flags.
    os.rename(maildir_root / "new" / first, maildir_root / "cur" / f"{first}:2,S")

    taken = {first}
    assert [mail.key for mail in read_new(maildir_root, seen=taken.__contains__)] == [second]
    assert [mail.key for mail in read_new(maildir_root)] == [first, second]


def test_reading_leaves_the_maildir_unchanged(maildir_root: Path) -> None:
    deliver(maildir_root, RAW)
    before = sorted(str(p.relative_to(maildir_root)) for p in maildir_root.rglob("*"))

    list(read_new(maildir_root))

    assert sorted(str(p.relative_to(maildir_root)) for p in maildir_root.rglob("*")) == before


def test_an_empty_maildir_reads_as_nothing(maildir_root: Path) -> None:
    maildir_root.mkdir()
    assert list(read_new(maildir_root)) == []


def test_a_missing_maildir_is_an_error_not_an_empty_mailbox(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(read_new(tmp_path / "no-such-maildir"))
