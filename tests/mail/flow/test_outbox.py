"""Replies through the Outbox to a real aiosmtpd on loopback: sent once, to the relay only,
with correct threading headers; retried, failed, uncertain and bounced as the issue says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

import pytest

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer, CustomerAddress
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.mail.ingest import ingest
from sellerdesk.mail.send import send_due
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Message, Outbox, Ticket
from tests.mail.flow.conftest import SENDER, WALMART_RELAY, fixture, make_order
from tests.support.smtpd import FaultySmtpServer

pytestmark = pytest.mark.django_db

PERSONAL = "jane.buyer@gmail.example"


@pytest.fixture
def smtp() -> Iterator[FaultySmtpServer]:
    with FaultySmtpServer() as server:
        yield server


@pytest.fixture
def ticket(account: SellerAccount, smtp: FaultySmtpServer) -> Ticket:
    account.smtp_host, account.smtp_port, account.smtp_security = "127.0.0.1", smtp.port, "none"
    account.save()
    # The buyer's personal address is known (order and customer): it must never be used.
    customer = Customer.objects.create(name="Jane Buyer")
    CustomerAddress.objects.create(customer=customer, address=PERSONAL)
    make_order(account, "1234567890123", customer=customer, buyer_email=PERSONAL)
    result = ingest(fixture("walmart_relay_where_is_my_order"))
    return Ticket.objects.get(pk=result.ticket_id)


def reply(ticket: Ticket, clock: FrozenClock | None = None) -> Message:
    return actions.do_reply(
        ticket, author=None, text="It ships today.", clock=clock or FrozenClock(datetime.now(UTC))
    )


def state(message: Message) -> tuple[str, int]:
    outbox = Outbox.objects.get(message=message)
    return outbox.state, outbox.attempts


def test_reply_goes_once_to_the_relay_from_our_sender_with_threading_headers(
    ticket: Ticket, smtp: FaultySmtpServer
) -> None:
    ours = reply(ticket)
    before = datetime.now(UTC)

    assert send_due() == {"sent": 1}

    after = datetime.now(UTC)
    (received,) = smtp.messages
    assert received.mail_from == SENDER
    assert received.rcpt_tos == (WALMART_RELAY,)
    mime = cast(EmailMessage, message_from_bytes(received.content, policy=policy.default))
    assert mime["From"] == f"ACME Outdoor <{SENDER}>"
    assert mime["To"] == WALMART_RELAY
    assert PERSONAL.encode() not in received.content
    assert mime["Subject"] == "Re: Customer inquiry for order #1234567890123"
    assert mime["Message-ID"] == f"<{ours.message_id}>"
    assert ours.message_id.startswith(f"sd.{ticket.reply_token}.")
    assert ours.message_id.endswith("@acme-outdoor.example")
    assert mime["In-Reply-To"] == "<wm.0001.a1b2@relay.walmart.com>"
    assert mime["References"] == "<wm.0001.a1b2@relay.walmart.com>"
    assert mime.get_content().strip() == "It ships today."
    outbox = Outbox.objects.get(message=ours)
    assert (outbox.state, outbox.attempts, outbox.last_error) == ("sent", 1, "")
    assert outbox.sent_at is not None and before <= outbox.sent_at <= after
    assert outbox.smtp_response == "250 2.0.0 Ok: queued as LOCAL000001"
    ours.refresh_from_db()
    assert ours.received_at == outbox.sent_at  # the acceptance time, not the typing time
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING

    assert send_due() == {}
    assert len(smtp.messages) == 1


def test_temporary_failure_is_retried_with_backoff_then_given_up(
    ticket: Ticket, smtp: FaultySmtpServer
) -> None:
    smtp.fault = "data_451"
    clock = FrozenClock(datetime.now(UTC))
    ours = reply(ticket, clock)

    assert send_due(clock=clock) == {"retry": 1}

    outbox = Outbox.objects.get(message=ours)
    assert (outbox.state, outbox.attempts) == ("queued", 1)
    assert outbox.next_attempt_at == clock.now() + timedelta(minutes=1)
    assert "451" in outbox.last_error
    assert send_due(clock=clock) == {}  # not due yet
    for attempt in range(2, actions.MAX_SEND_ATTEMPTS):
        clock.advance(timedelta(hours=1))
        assert send_due(clock=clock) == {"retry": 1}
        outbox.refresh_from_db()
        assert (outbox.state, outbox.attempts) == ("queued", attempt)
        delay = min(timedelta(minutes=2 ** (attempt - 1)), timedelta(hours=1))
        assert outbox.next_attempt_at == clock.now() + delay
    clock.advance(timedelta(hours=1))
    send_due(clock=clock)  # the last allowed attempt

    assert state(ours) == ("failed", actions.MAX_SEND_ATTEMPTS)
    outbox.refresh_from_db()
    assert outbox.last_error.startswith(f"gave up after {actions.MAX_SEND_ATTEMPTS} attempts: ")
    assert len(smtp.messages) == actions.MAX_SEND_ATTEMPTS
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_permanent_refusal_fails_the_reply_and_reopens_the_ticket(
    ticket: Ticket, smtp: FaultySmtpServer
) -> None:
    smtp.fault = "rcpt_550"
    ours = reply(ticket)

    assert send_due() == {"failed": 1}

    outbox = Outbox.objects.get(message=ours)
    assert (outbox.state, outbox.attempts, outbox.sent_at) == ("failed", 1, None)
    assert "550" in outbox.last_error
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.events.filter(kind="reply_failed").count() == 1
    assert smtp.messages == []


def test_connection_lost_after_data_is_uncertain_and_never_resent(
    ticket: Ticket, smtp: FaultySmtpServer
) -> None:
    smtp.fault = "drop_after_data"
    clock = FrozenClock(datetime.now(UTC))
    ours = reply(ticket, clock)

    assert send_due(clock=clock) == {"uncertain": 1}
    smtp.fault = "none"
    clock.advance(timedelta(days=1))
    assert send_due(clock=clock) == {}

    assert state(ours) == ("uncertain", 1)
    assert len(smtp.messages) == 1  # the server did get it once


def test_delivery_left_sending_by_a_dead_worker_becomes_uncertain(
    ticket: Ticket, smtp: FaultySmtpServer
) -> None:
    clock = FrozenClock(datetime.now(UTC))
    ours = reply(ticket, clock)
    (claimed,) = actions.claim_due(clock.now())  # the worker dies right after this
    assert claimed.message_id == ours.pk

    clock.advance(timedelta(minutes=9))
    assert send_due(clock=clock) == {}
    assert state(ours) == ("sending", 1)
    clock.advance(timedelta(minutes=2))
    assert send_due(clock=clock) == {"uncertain": 1}

    assert state(ours) == ("uncertain", 1)
    assert smtp.messages == []


def test_bounce_of_our_reply_fails_it_and_leaves_the_inquiry_open(
    ticket: Ticket, smtp: FaultySmtpServer
) -> None:
    ours = reply(ticket)
    assert send_due() == {"sent": 1}
    bounce = fixture("bounce_dsn_postfix").replace(
        b"sd.123.abc@sellerdesk", ours.message_id.encode()
    )
    tickets_before = Ticket.objects.count()

    result = ingest(bounce)

    assert (result.outcome, result.ticket_id, result.new_ticket) == ("ingested", ticket.pk, False)
    assert Ticket.objects.count() == tickets_before
    outbox = Outbox.objects.get(message=ours)
    assert outbox.state == "failed"
    assert outbox.last_error == "bounced: 5.1.1"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert Outbox.objects.count() == 1  # nothing answers a bounce


def test_two_claims_never_take_the_same_delivery(
    ticket: Ticket, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FrozenClock(datetime.now(UTC))
    queued = {reply(ticket, clock).pk for _ in range(3)}
    manager = Outbox.objects
    real_select_related = manager.select_related
    inner: list[list[Outbox]] = []

    def second_worker_claims_meanwhile(*fields: str) -> Any:
        # The first worker has read its candidates and claimed one; now a second worker
        # claims everything it can before the first goes on with its stale list.
        if not inner:
            inner.append([])
            inner[0] = actions.claim_due(clock.now())
        return real_select_related(*fields)

    monkeypatch.setattr(manager, "select_related", second_worker_claims_meanwhile)

    outer = actions.claim_due(clock.now())

    first_ids = {o.message_id for o in outer}
    second_ids = {o.message_id for o in inner[0]}
    assert len(first_ids) == 1 and len(second_ids) == 2
    assert first_ids.isdisjoint(second_ids)
    assert first_ids | second_ids == queued
    assert set(Outbox.objects.values_list("state", "attempts")) == {("sending", 1)}


def test_the_attempt_that_gives_up_is_counted_as_failed(
    ticket: Ticket, smtp: FaultySmtpServer
) -> None:
    smtp.fault = "data_451"
    clock = FrozenClock(datetime.now(UTC))
    ours = reply(ticket, clock)
    Outbox.objects.filter(message=ours).update(attempts=actions.MAX_SEND_ATTEMPTS - 1)

    outcome = send_due(clock=clock)

    assert state(ours) == ("failed", actions.MAX_SEND_ATTEMPTS)
    assert outcome == {"failed": 1}
