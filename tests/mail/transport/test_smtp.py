"""smtp.send against a real aiosmtpd server on loopback, including its failure modes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sellerdesk.mail.transport.smtp import (
    SmtpPermanentError,
    SmtpResult,
    SmtpSettings,
    SmtpTemporaryError,
    SmtpUncertainError,
    send,
)
from sellerdesk.mail.transport.smtpd import LocalSmtpServer
from tests.services import free_port
from tests.support.smtpd import FaultySmtpServer
from tests.support.tls import TlsFiles

SENDER = "support@seller.example"
RELAY = "relay-4f2a@relay.walmart.com"
USER, PASSWORD = "seller", "smtp-test-password"
RAW = (
    b"From: Seller <support@seller.example>\r\n"
    b"To: relay-4f2a@relay.walmart.com\r\n"
    b"Subject: Re: Where is my order?\r\n"
    b"Message-ID: <reply-1@seller.example>\r\n"
    b"In-Reply-To: <m1@relay.walmart.com>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"It ships today, d\xc3\xa9j\xc3\xa0.\r\n"
    b".\r\n"
    b"..two dots\r\n"
)
ACCEPTED_AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return ACCEPTED_AT


@pytest.fixture
def plain_server() -> Iterator[FaultySmtpServer]:
    with FaultySmtpServer() as server:
        yield server


def plain(server: LocalSmtpServer, security: str = "none", timeout: float = 5) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", server.port, security, timeout=timeout)


def test_plain_delivery_arrives_byte_for_byte_with_its_envelope(
    plain_server: FaultySmtpServer,
) -> None:
    result = send(plain(plain_server), sender=SENDER, recipients=[RELAY], raw=RAW, now=fixed_clock)

    assert result == SmtpResult(ACCEPTED_AT, "250 2.0.0 Ok: queued as LOCAL000001")
    (received,) = plain_server.messages
    assert received.mail_from == SENDER
    assert received.rcpt_tos == (RELAY,)
    assert received.content == RAW


def test_bare_newlines_are_sent_as_crlf(plain_server: FaultySmtpServer) -> None:
    send(plain(plain_server), sender=SENDER, recipients=[RELAY], raw=b"Subject: x\n\n.a\nb")

    assert plain_server.messages[0].content == b"Subject: x\r\n\r\n.a\r\nb\r\n"


def test_starttls_with_auth(tls_files: TlsFiles) -> None:
    server = LocalSmtpServer(
        tls_context=tls_files.server_context(),
        require_starttls=True,
        credentials={USER: PASSWORD},
    )
    with server:
        settings = SmtpSettings(
            "127.0.0.1", server.port, "starttls", USER, PASSWORD, str(tls_files.ca_file), 5
        )
        result = send(settings, sender=SENDER, recipients=[RELAY, "second@relay.example"], raw=RAW)

    assert result.response.startswith("250 ")
    assert [(m.mail_from, m.rcpt_tos, m.content) for m in server.messages] == [
        (SENDER, (RELAY, "second@relay.example"), RAW)
    ]


def test_implicit_tls_with_auth(tls_files: TlsFiles) -> None:
    server = LocalSmtpServer(ssl_context=tls_files.server_context(), credentials={USER: PASSWORD})
    with server:
        settings = SmtpSettings(
            "127.0.0.1", server.port, "tls", USER, PASSWORD, str(tls_files.ca_file), 5
        )
        send(settings, sender=SENDER, recipients=[RELAY], raw=RAW)

    assert [(m.mail_from, m.rcpt_tos, m.content) for m in server.messages] == [
        (SENDER, (RELAY,), RAW)
    ]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_wrong_password_is_permanent(tls_files: TlsFiles, security: str) -> None:
    context = tls_files.server_context()
    server = LocalSmtpServer(
        tls_context=context if security == "starttls" else None,
        ssl_context=context if security == "tls" else None,
        credentials={USER: PASSWORD},
    )
    with server:
        settings = SmtpSettings(
            "127.0.0.1", server.port, security, USER, "wrong", str(tls_files.ca_file), 5
        )
        with pytest.raises(SmtpPermanentError) as caught:
            send(settings, sender=SENDER, recipients=[RELAY], raw=RAW)

    assert caught.value.code == 535
    assert server.messages == []


def test_untrusted_certificate_is_permanent(tls_files: TlsFiles) -> None:
    with LocalSmtpServer(ssl_context=tls_files.server_context()) as server:
        settings = SmtpSettings("127.0.0.1", server.port, "tls", timeout=5)  # no ca_file
        with pytest.raises(SmtpPermanentError, match="TLS failure"):
            send(settings, sender=SENDER, recipients=[RELAY], raw=RAW)
    assert server.messages == []


def test_untrusted_certificate_after_starttls_is_permanent(tls_files: TlsFiles) -> None:
    with LocalSmtpServer(tls_context=tls_files.server_context(), require_starttls=True) as server:
        settings = SmtpSettings("127.0.0.1", server.port, "starttls", timeout=5)  # no ca_file
        with pytest.raises(SmtpPermanentError, match="STARTTLS failed"):
            send(settings, sender=SENDER, recipients=[RELAY], raw=RAW)
    assert server.messages == []


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(
    plain_server: FaultySmtpServer,
) -> None:
    with pytest.raises(SmtpPermanentError, match="STARTTLS"):
        send(plain(plain_server, security="starttls"), sender=SENDER, recipients=[RELAY], raw=RAW)
    assert plain_server.messages == []


def test_451_after_data_is_temporary(plain_server: FaultySmtpServer) -> None:
    plain_server.fault = "data_451"

    with pytest.raises(SmtpTemporaryError) as caught:
        send(plain(plain_server), sender=SENDER, recipients=[RELAY], raw=RAW)

    assert caught.value.code == 451
    # The server saw the data and said it did not take it: retrying is safe.
    assert [m.content for m in plain_server.messages] == [RAW]


def test_554_after_data_is_permanent(plain_server: FaultySmtpServer) -> None:
    plain_server.fault = "data_554"
    with pytest.raises(SmtpPermanentError) as caught:
        send(plain(plain_server), sender=SENDER, recipients=[RELAY], raw=RAW)
    assert caught.value.code == 554


def test_refused_recipient_is_permanent_and_nothing_is_sent(
    plain_server: FaultySmtpServer,
) -> None:
    plain_server.fault = "rcpt_550"

    with pytest.raises(SmtpPermanentError) as caught:
        send(plain(plain_server), sender=SENDER, recipients=[RELAY], raw=RAW)

    assert caught.value.code == 550
    assert RELAY in str(caught.value)
    assert plain_server.messages == []


def test_recipient_refused_for_now_is_temporary(plain_server: FaultySmtpServer) -> None:
    plain_server.fault = "rcpt_450"
    with pytest.raises(SmtpTemporaryError) as caught:
        send(plain(plain_server), sender=SENDER, recipients=[RELAY], raw=RAW)
    assert caught.value.code == 450
    assert plain_server.messages == []


def test_connection_dropped_after_the_data_is_uncertain(plain_server: FaultySmtpServer) -> None:
    plain_server.fault = "drop_after_data"

    with pytest.raises(SmtpUncertainError, match="may have been delivered"):
        send(plain(plain_server), sender=SENDER, recipients=[RELAY], raw=RAW)

    # Uncertain is the truth here: the server did receive the whole message.
    assert [m.content for m in plain_server.messages] == [RAW]


def test_no_final_reply_before_the_timeout_is_uncertain(plain_server: FaultySmtpServer) -> None:
    plain_server.fault = "stall_after_data"

    with pytest.raises(SmtpUncertainError):
        send(plain(plain_server, timeout=0.5), sender=SENDER, recipients=[RELAY], raw=RAW)

    assert [m.content for m in plain_server.messages] == [RAW]


def test_refused_connection_is_temporary() -> None:
    settings = SmtpSettings("127.0.0.1", free_port(), "none", timeout=5)
    with pytest.raises(SmtpTemporaryError, match="cannot connect"):
        send(settings, sender=SENDER, recipients=[RELAY], raw=RAW)


def test_no_recipients_is_permanent(plain_server: FaultySmtpServer) -> None:
    with pytest.raises(SmtpPermanentError):
        send(plain(plain_server), sender=SENDER, recipients=[], raw=RAW)


def test_local_server_records_messages_for_the_demo() -> None:
    with LocalSmtpServer() as server:
        settings = SmtpSettings("127.0.0.1", server.port, "none", timeout=5)
        send(settings, sender=SENDER, recipients=[RELAY], raw=b"Subject: 1\r\n\r\n1\r\n")
        send(settings, sender=SENDER, recipients=[RELAY], raw=b"Subject: 2\r\n\r\n2\r\n")
        assert [(m.queue_id, m.content) for m in server.messages] == [
            ("LOCAL000001", b"Subject: 1\r\n\r\n1\r\n"),
            ("LOCAL000002", b"Subject: 2\r\n\r\n2\r\n"),
        ]
        server.handler.clear()
        assert server.messages == []
