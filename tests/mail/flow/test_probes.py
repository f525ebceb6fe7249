"""Edge cases found while reading the mail flow: each pins behaviour the issue asks for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail import ingest as ingest_module
from sellerdesk.mail.fetch import fetch_mailbox
from sellerdesk.mail.ingest import ingest
from sellerdesk.mail.models import Mailbox, QuarantinedMail
from sellerdesk.mail.parse import ParsedMessage
from sellerdesk.mail.send import send_due
from sellerdesk.mail.transport.maildir import deliver
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Message, Outbox, Ticket, TicketEvent
from tests.factories import make_account, make_member
from tests.mail.flow.conftest import buyer_mail, fixture
from tests.services import free_port
from tests.support.smtpd import FaultySmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(account: SellerAccount) -> Ticket:
    return Ticket.objects.get(pk=ingest(fixture("walmart_relay_where_is_my_order")).ticket_id)


@pytest.fixture
def smtp() -> Iterator[FaultySmtpServer]:
    with FaultySmtpServer() as server:
        yield server


def test_unreachable_smtp_server_is_a_retry_not_a_failure(
    account: SellerAccount, ticket: Ticket
) -> None:
    account.smtp_host, account.smtp_port, account.smtp_security = "127.0.0.1", free_port(), "none"
    account.save()
    ours = actions.do_reply(ticket, author=None, text="Soon.")

    assert send_due() == {"retry": 1}

    outbox = Outbox.objects.get(message=ours)
    assert (outbox.state, outbox.attempts) == ("queued", 1)
    assert "cannot connect" in outbox.last_error


def test_account_without_smtp_fails_the_reply_visibly(ticket: Ticket) -> None:
    ours = actions.do_reply(ticket, author=None, text="Soon.")

    assert send_due() == {"failed": 1}

    outbox = Outbox.objects.get(message=ours)
    assert (outbox.state, outbox.last_error) == (
        "failed",
        "ACME Outdoor has no SMTP server configured",
    )


def test_our_sent_reply_seen_again_in_the_sent_folder_is_not_recorded_twice(
    account: SellerAccount, ticket: Ticket, smtp: FaultySmtpServer
) -> None:
    account.smtp_host, account.smtp_port, account.smtp_security = "127.0.0.1", smtp.port, "none"
    account.save()
    actions.do_reply(ticket, author=None, text="Soon.")
    send_due()
    (sent,) = smtp.messages
    before = (Message.objects.count(), TicketEvent.objects.count())

    result = ingest(sent.content, account=account)

    assert result.outcome == "duplicate"
    assert (Message.objects.count(), TicketEvent.objects.count()) == before


def test_a_parser_crash_is_quarantined_and_the_mailbox_moves_on(
    account: SellerAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    maildir = tmp_path / "Maildir"
    deliver(maildir, buyer_mail("crash@relay.walmart.com"))
    deliver(maildir, buyer_mail("fine@relay.walmart.com", subject="Other"))
    mailbox = Mailbox.objects.create(
        name="local", kind=Mailbox.Kind.MAILDIR, account=account, path=str(maildir)
    )
    real_parse = ingest_module.parse_message

    def parse_or_crash(raw: bytes) -> ParsedMessage:
        if b"crash@" in raw:
            raise ValueError("parser bug")
        return real_parse(raw)

    monkeypatch.setattr(ingest_module, "parse_message", parse_or_crash)

    summary = fetch_mailbox(mailbox)

    assert (summary.ingested, summary.quarantined) == (1, 1)
    assert QuarantinedMail.objects.get().reason.startswith("unreadable: ")
    assert list(Message.objects.values_list("message_id", flat=True)) == ["fine@relay.walmart.com"]


def test_reply_after_an_auto_reply_still_answers_the_buyers_message(ticket: Ticket) -> None:
    first = actions.do_reply(ticket, author=None, text="It ships today.")
    auto = fixture("auto_reply_out_of_office").replace(
        b"sd.500.aa@sellerdesk", first.message_id.encode()
    )
    assert ingest(auto).ticket_id == ticket.pk

    second = actions.do_reply(ticket, author=None, text="Any news on your side?")

    assert second.in_reply_to == "wm.0001.a1b2@relay.walmart.com"
    assert second.references == ["wm.0001.a1b2@relay.walmart.com"]


def test_refused_update_changes_nothing(ticket: Ticket, account: SellerAccount) -> None:
    agent: User = make_member("alice", Role.AGENT, [account])
    client = Client()
    client.force_login(agent)
    before = (ticket.status, ticket.intent, TicketEvent.objects.count())

    client.post(reverse("ticket_update", args=[ticket.pk]), {"status": "solved", "intent": "bogus"})

    ticket.refresh_from_db()
    assert (ticket.status, ticket.intent, TicketEvent.objects.count()) == before


def test_received_header_time_is_used_even_when_date_is_far_off(account: SellerAccount) -> None:
    raw = b"Received: from mx by mx1; Tue, 4 Mar 2025 08:00:00 +0000\r\n" + buyer_mail(
        "d1@relay.walmart.com", date="Thu, 01 Jan 2015 00:00:00 +0000"
    )

    result = ingest(raw)

    message = Message.objects.get(ticket_id=result.ticket_id)
    assert message.received_at == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)


def test_a_bounce_to_another_account_never_touches_this_accounts_reply(
    account: SellerAccount, ticket: Ticket
) -> None:
    ours = actions.do_reply(ticket, author=None, text="Soon.")
    make_account("Trailhead", support_address="help@trailhead.example")
    bounce = (
        fixture("bounce_dsn_postfix")
        .replace(b"sd.123.abc@sellerdesk", ours.message_id.encode())
        .replace(b"To: support@acme-outdoor.example", b"To: help@trailhead.example")
    )
    before = ticket.messages.count()

    ingest(bounce)

    assert Outbox.objects.get(message=ours).state == "queued"
    assert ticket.messages.count() == before
