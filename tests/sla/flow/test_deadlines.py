"""The SLA clock wired to tickets: every action keeps Inquiry rows and Ticket.due_at current,
and the sweep announces each new at-risk or breached state once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core import mail

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.sla import sweeps
from sellerdesk.team.models import Notification, Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import IncomingMessage
from sellerdesk.tickets.models import Inquiry, Outbox, Ticket
from tests.factories import make_account, make_member

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 6, 18, 0, tzinfo=UTC)  # a Friday evening
RELAY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9@relay.walmart.com"


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def incoming(
    at: datetime, *, kind: str = "buyer_walmart", message_id: str = "m1@relay"
) -> IncomingMessage:
    return IncomingMessage(
        kind=kind,
        sender=RELAY,
        sender_name="Jane",
        recipients=["care@acme.example"],
        subject="Where is my order?",
        text="Where is it?",
        new_text="Where is it?",
        html="",
        truncated=False,
        message_id=message_id,
        in_reply_to="",
        references=[],
        received_at=at,
        raw=b"raw",
    )


def open_buyer_ticket(account: SellerAccount, clock: FrozenClock, **options: object) -> Ticket:
    ticket, _ = actions.open_ticket(
        account=account,
        incoming=incoming(clock.now(), message_id=f"first@{account.name}"),
        kind=str(options.get("kind", "buyer_walmart")),
        intent="where_is_my_order",
        relay_address=RELAY,
        customer=None,
        order=None,
        order_number="",
        needs_reply=True,
        one_hour_deadline=bool(options.get("one_hour", False)),
        clock=clock,
    )
    return ticket


@pytest.fixture
def account() -> SellerAccount:
    return make_account(
        "Acme", support_address="care@acme.example", sender_address="care@acme.example"
    )


def test_a_walmart_message_is_due_48_calendar_hours_later_weekend_included(
    account: SellerAccount,
) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    ticket.refresh_from_db()
    assert ticket.due_at == START + timedelta(hours=48)  # Sunday 18:00: the weekend counts
    assert ticket.sla_state == "ok"
    inquiry = Inquiry.objects.get()
    assert (inquiry.policy, inquiry.received_at, inquiry.due_at, inquiry.answered_at) == (
        "walmart_48h",
        START,
        START + timedelta(hours=48),
        None,
    )


def test_a_queued_reply_answers_nothing_until_smtp_accepts_it(account: SellerAccount) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    clock.advance(timedelta(hours=3))
    reply = actions.do_reply(ticket, author=None, text="On its way", clock=clock)
    ticket.refresh_from_db()
    assert ticket.due_at == START + timedelta(hours=48)
    accepted = clock.now() + timedelta(minutes=1)
    actions.mark_sent(reply.outbox, accepted_at=accepted, response="250 ok")
    ticket.refresh_from_db()
    assert ticket.due_at is None
    assert ticket.sla_state == "none"
    inquiry = Inquiry.objects.get()
    assert (inquiry.answered_at, inquiry.in_time, inquiry.answered_by_message_id) == (
        accepted,
        True,
        reply.pk,
    )


def test_a_failed_reply_leaves_the_deadline_standing(account: SellerAccount) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    reply = actions.do_reply(ticket, author=None, text="On its way", clock=clock)
    actions.mark_failed(reply.outbox, error="550 no such user", now=clock.now())
    ticket.refresh_from_db()
    assert ticket.due_at == START + timedelta(hours=48)
    assert ticket.status == "open"
    assert Inquiry.objects.get().answered_at is None


def test_a_bbb_complaint_is_due_in_one_hour(account: SellerAccount) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock, kind="complaint_bbb_ag", one_hour=True)
    ticket.refresh_from_db()
    assert ticket.due_at == START + timedelta(hours=1)
    assert Inquiry.objects.get().policy == "complaint_1h"


def test_solving_without_a_reply_closes_the_inquiry_as_not_in_time(account: SellerAccount) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    clock.advance(timedelta(hours=1))
    actions.close(ticket, "other", status="solved", actor=None, clock=clock)
    ticket.refresh_from_db()
    assert ticket.due_at is None
    inquiry = Inquiry.objects.get()
    assert (inquiry.closed_reason, inquiry.in_time) == ("solved_without_reply", False)
    # The buyer writes again: a new inquiry, the ticket reopened.
    clock.advance(timedelta(hours=1))
    actions.add_inbound(
        ticket, incoming(clock.now(), message_id="m2@relay"), counts_as_buyer=True, clock=clock
    )
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.due_at == clock.now() + timedelta(hours=48)
    assert Inquiry.objects.count() == 2


def test_no_response_needed_is_honoured_on_amazon_only(account: SellerAccount) -> None:
    clock = FrozenClock(START)
    walmart = open_buyer_ticket(account, clock)
    actions.mark_no_response_needed(walmart, actor=None, clock=clock)
    walmart.refresh_from_db()
    assert walmart.due_at == START + timedelta(hours=24 * 2)
    amazon_account = make_account("Acme EU", marketplace="amazon")
    amazon = open_buyer_ticket(amazon_account, clock, kind="buyer_amazon")
    amazon.refresh_from_db()
    assert amazon.due_at == START + timedelta(hours=24)
    actions.mark_no_response_needed(amazon, actor=None, clock=clock)
    amazon.refresh_from_db()
    assert amazon.due_at is None
    assert Inquiry.objects.get(ticket=amazon).excluded is True


def test_the_sweep_announces_at_risk_and_breached_once_each(account: SellerAccount) -> None:
    agent = make_member("alice", Role.AGENT, [account])
    make_member("bob", Role.AGENT, [make_account("Other")])
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    assert sweeps.sweep(START + timedelta(hours=45)) == {"changed": 0, "notified": 0}
    at_risk = START + timedelta(hours=46, minutes=30)
    assert sweeps.sweep(at_risk) == {"changed": 1, "notified": 1}
    assert sweeps.sweep(at_risk + timedelta(minutes=5)) == {"changed": 0, "notified": 0}
    note = Notification.objects.get()
    assert (note.user_id, note.kind, note.link) == (
        agent.pk,
        "deadline_at_risk",
        f"/tickets/{ticket.pk}/",
    )
    breached = START + timedelta(hours=48, seconds=1)
    assert sweeps.sweep(breached) == {"changed": 1, "notified": 1}
    assert sweeps.sweep(breached + timedelta(hours=1)) == {"changed": 0, "notified": 0}
    ticket.refresh_from_db()
    assert (ticket.sla_state, ticket.sla_notified_state) == ("breached", "breached")
    assert list(Notification.objects.order_by("pk").values_list("kind", flat=True)) == [
        "deadline_at_risk",
        "deadline_breached",
    ]


def test_alert_emails_to_the_lead_wait_out_quiet_hours(account: SellerAccount) -> None:
    account.lead_email = "lead@acme.example"
    account.time_zone = "UTC"
    account.quiet_hours_start, account.quiet_hours_end = time(22, 0), time(7, 0)
    account.save()
    clock = FrozenClock(datetime(2026, 11, 4, 23, 0, tzinfo=UTC))
    open_buyer_ticket(account, clock)
    night = datetime(2026, 11, 6, 22, 30, tzinfo=UTC)  # 30 minutes left, during quiet hours
    sweeps.sweep(night)
    lead_note = Notification.objects.get(email_to="lead@acme.example")
    assert lead_note.email_after == datetime(2026, 11, 7, 7, 0, tzinfo=UTC)
    assert sweeps.send_alert_emails(night) == 0
    assert mail.outbox == []
    assert sweeps.send_alert_emails(datetime(2026, 11, 7, 7, 0, tzinfo=UTC)) == 1
    assert mail.outbox[0].to == ["lead@acme.example"]
    assert "at risk" in mail.outbox[0].body


def test_a_ticket_with_nothing_owed_has_no_deadline(account: SellerAccount) -> None:
    clock = FrozenClock(START)
    ticket, _ = actions.open_ticket(
        account=account,
        incoming=incoming(START, kind="marketplace_system"),
        kind="marketplace_system",
        intent="other",
        relay_address="",
        customer=None,
        order=None,
        order_number="",
        needs_reply=False,
        one_hour_deadline=False,
        clock=clock,
    )
    ticket.refresh_from_db()
    assert (ticket.due_at, ticket.sla_state) == (None, "none")
    assert not Inquiry.objects.exists()
    assert not Outbox.objects.exists()
