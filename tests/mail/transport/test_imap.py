"""ImapMailbox against a real Dovecot on loopback (tests/support/dovecot.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sellerdesk.mail.transport.imap import FetchedMail, ImapError, ImapMailbox, ImapSettings
from tests.services import free_port
from tests.support.dovecot import Dovecot

# CRLF line endings, 8-bit UTF-8 in the body, a line starting with a dot, trailing spaces:
# everything a careless transport would "fix".
RAW = (
    b"From: Buyer <relay-abc@relay.walmart.com>\r\n"
    b"To: seller@example.com\r\n"
    b"Subject: Where is my order 1234567890123?\r\n"
    b"Message-ID: <m1@relay.walmart.com>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Hello, d\xc3\xa9j\xc3\xa0 vu.  \r\n"
    b".a line starting with a dot\r\n"
)


def message(n: int) -> bytes:
    return f"Subject: message {n}\r\nMessage-ID: <{n}@example.com>\r\n\r\nbody {n}\r\n".encode()


def settings(
    dovecot: Dovecot, user: str, password: str, security: str, *, trusted: bool = True
) -> ImapSettings:
    port = dovecot.imaps_port if security == "tls" else dovecot.imap_port
    return ImapSettings(
        host=dovecot.host,
        port=port,
        security=security,
        username=user,
        password=password,
        ca_file=dovecot.ca_file if trusted else None,
        timeout=10,
    )


@pytest.mark.parametrize("security", ["none", "starttls", "tls"])
def test_reads_the_exact_message_over_each_security_mode(
    dovecot: Dovecot, imap_user: str, imap_password: str, security: str
) -> None:
    uid = dovecot.plant(imap_user, "INBOX", RAW)

    with ImapMailbox(settings(dovecot, imap_user, imap_password, security)) as box:
        validity = box.select("INBOX")
        fetched = list(box.fetch("INBOX", box.uids_after("INBOX", 0)))

    assert len(fetched) == 1
    assert fetched[0].folder == "INBOX"
    assert fetched[0].uid == uid
    assert fetched[0].uidvalidity == validity
    assert fetched[0].raw == RAW


def test_select_returns_the_servers_uidvalidity(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    dovecot.plant(imap_user, "INBOX", message(1))
    with dovecot.client(imap_user) as client:
        expected = client.folder_status("INBOX", [b"UIDVALIDITY"])[b"UIDVALIDITY"]

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        assert box.select("INBOX") == expected
        assert [mail.uidvalidity for mail in box.fetch("INBOX", [1])] == [expected]


def test_wrong_password_is_a_permanent_error(dovecot: Dovecot, imap_user: str) -> None:
    with (
        pytest.raises(ImapError) as caught,
        ImapMailbox(settings(dovecot, imap_user, "wrong", "tls")),
    ):
        pass
    assert caught.value.permanent is True
    assert "login failed" in str(caught.value)


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_untrusted_certificate_is_a_permanent_error(
    dovecot: Dovecot, imap_user: str, imap_password: str, security: str
) -> None:
    untrusted = settings(dovecot, imap_user, imap_password, security, trusted=False)
    with pytest.raises(ImapError) as caught, ImapMailbox(untrusted):
        pass
    assert caught.value.permanent is True
    assert "TLS failure" in str(caught.value)


def test_refused_connection_is_a_transient_error() -> None:
    closed = ImapSettings("127.0.0.1", free_port(), "none", "user", "password", timeout=5)
    with pytest.raises(ImapError) as caught, ImapMailbox(closed):
        pass
    assert caught.value.permanent is False


def test_missing_folder_is_a_permanent_error(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    with (
        ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box,
        pytest.raises(ImapError) as caught,
    ):
        box.select("No such folder")
    assert caught.value.permanent is True


def test_uids_after_returns_only_newer_uids_despite_the_star_range_quirk(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    uids = [dovecot.plant(imap_user, "INBOX", message(n)) for n in range(3)]
    assert uids == [1, 2, 3]
    # The quirk itself, so this test keeps proving something: "4:*" matches UID 3.
    with dovecot.client(imap_user) as client:
        client.select_folder("INBOX", readonly=True)
        assert client.search([b"UID", b"4:*"]) == [3]

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        assert box.uids_after("INBOX", 0) == [1, 2, 3]
        assert box.uids_after("INBOX", 1) == [2, 3]
        assert box.uids_after("INBOX", 3) == []
        assert box.uids_after("INBOX", 99) == []
        # A message arriving while connected is seen by the next call.
        dovecot.plant(imap_user, "INBOX", message(4))
        assert box.uids_after("INBOX", 3) == [4]


def test_uids_after_on_an_empty_folder_is_empty(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        assert box.uids_after("INBOX", 0) == []


def test_fetch_returns_internal_date_as_aware_utc(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    # A server-side time in another zone: INTERNALDATE keeps its offset, we convert to UTC.
    arrived = datetime(2024, 3, 5, 14, 30, 15, tzinfo=timezone(timedelta(hours=5)))
    dovecot.plant(imap_user, "INBOX", RAW, internal_date=arrived)

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        (fetched,) = box.fetch("INBOX", box.uids_after("INBOX", 0))

    assert fetched.internal_date == datetime(2024, 3, 5, 9, 30, 15, tzinfo=UTC)
    assert fetched.internal_date.utcoffset() == timedelta(0)
    assert fetched.raw == RAW


def test_fetch_leaves_messages_unseen(dovecot: Dovecot, imap_user: str, imap_password: str) -> None:
    uid = dovecot.plant(imap_user, "INBOX", RAW)

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        assert [mail.raw for mail in box.fetch("INBOX", [uid])] == [RAW]

    with dovecot.client(imap_user) as client:
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags([uid])[uid]
    assert b"\\Seen" not in flags


def test_fetch_yields_in_uid_order_across_batches_and_skips_expunged_messages(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    uids = [dovecot.plant(imap_user, "INBOX", message(n)) for n in range(5)]
    with dovecot.client(imap_user) as client:
        client.select_folder("INBOX")
        client.delete_messages([uids[2]])
        client.expunge()

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        fetched = list(box.fetch("INBOX", list(reversed(uids)), batch=2))

    assert [mail.uid for mail in fetched] == [1, 2, 4, 5]
    assert [mail.raw for mail in fetched] == [message(0), message(1), message(3), message(4)]


def test_folders_lists_selectable_folders_including_sent(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    dovecot.plant(imap_user, "Archive/2024", message(1))

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        folders = box.folders()

    # "Archive" exists only as the parent of "Archive/2024" (\Noselect): not a folder to read.
    assert sorted(folders) == ["Archive/2024", "INBOX", "Sent"]


def test_each_folder_is_read_on_its_own(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    dovecot.plant(imap_user, "INBOX", message(1))
    dovecot.plant(imap_user, "Sent", message(2))
    dovecot.plant(imap_user, "Sent", message(3))

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        inbox = list(box.fetch("INBOX", box.uids_after("INBOX", 0)))
        sent = list(box.fetch("Sent", box.uids_after("Sent", 0)))

    assert [(m.folder, m.uid, m.raw) for m in inbox] == [("INBOX", 1, message(1))]
    assert [(m.folder, m.uid, m.raw) for m in sent] == [
        ("Sent", 1, message(2)),
        ("Sent", 2, message(3)),
    ]
    assert inbox[0].uidvalidity != 0 and sent[0].uidvalidity != 0


def test_append_stores_exact_bytes_with_date_and_flags(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    sent_at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "tls")) as box:
        box.append("Sent", RAW, sent_at, flags=["\\Seen"])
        (copy,) = box.fetch("Sent", box.uids_after("Sent", 0))

    assert copy == FetchedMail("Sent", 1, copy.uidvalidity, sent_at, RAW)
    with dovecot.client(imap_user) as client:
        client.select_folder("Sent", readonly=True)
        assert b"\\Seen" in client.get_flags([1])[1]


def test_append_refuses_a_naive_date(dovecot: Dovecot, imap_user: str, imap_password: str) -> None:
    with (
        ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box,
        pytest.raises(ValueError, match="timezone-aware"),
    ):
        box.append("Sent", RAW, datetime(2025, 1, 2, 3, 4, 5))


def test_settings_refuse_an_unknown_security_mode() -> None:
    with pytest.raises(ValueError, match="security"):
        ImapSettings("127.0.0.1", 143, "ssl", "user", "password")


def test_an_unreadable_message_is_yielded_empty_and_does_not_stop_the_others(
    dovecot: Dovecot, imap_user: str, imap_password: str
) -> None:
    uids = [dovecot.plant(imap_user, "INBOX", message(n)) for n in range(3)]
    # Make the middle message's file unreadable for Dovecot; it answers the FETCH with BYE.
    maildir = dovecot.root / "home" / imap_user / "Maildir"
    (middle,) = [
        path
        for sub in ("new", "cur")
        for path in (maildir / sub).iterdir()
        if b"body 1" in path.read_bytes()  # Dovecot stores LF line endings, hence no ==
    ]
    middle.chmod(0)

    with ImapMailbox(settings(dovecot, imap_user, imap_password, "none")) as box:
        fetched = list(box.fetch("INBOX", uids))
        # The mailbox is still usable afterwards.
        assert box.uids_after("INBOX", 2) == [3]

    assert [(mail.uid, mail.raw) for mail in fetched] == [
        (1, message(0)),
        (2, b""),
        (3, message(2)),
    ]
    assert fetched[1].internal_date is None
