"""Automatic replies leave only through `send_automatic_reply`: a clean one is queued like
an agent's reply; one the compliance guard finds anything in (block or warn) is never sent,
and goes to a human as an internal note with a notification."""

from __future__ import annotations

from pathlib import Path

import pytest

from sellerdesk.team.models import Notification, Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Note, Outbox, Ticket, TicketEvent
from tests.factories import make_member
from tests.tickets.test_guard import BLOCKED, FINE, ticket  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

# Walmart: any review request warns. With no human to judge the warning it is held too.
WARNS = "Thanks for your order! If you have a moment, please leave a review."


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def test_a_clean_automatic_reply_is_queued_without_an_author(ticket: Ticket) -> None:  # noqa: F811
    message = actions.send_automatic_reply(ticket, text=FINE, source="shipped-notice")
    assert message is not None
    assert message.author is None
    assert message.outbox.state == "queued"
    event = TicketEvent.objects.get(ticket=ticket, kind="automatic_reply")
    assert event.data == {"message": message.pk, "source": "shipped-notice"}


def test_a_violating_automatic_reply_is_held_for_a_human_and_never_queued(
    ticket: Ticket,  # noqa: F811
) -> None:
    admin = make_member("ada", Role.ADMIN)
    agent = make_member("alice", Role.AGENT, [ticket.account])
    make_member("stranger", Role.AGENT)  # another account's agent: not told

    assert actions.send_automatic_reply(ticket, text=BLOCKED, source="promo-rule") is None

    assert not Outbox.objects.exists()
    assert not ticket.messages.filter(direction="out").exists()
    note = Note.objects.get(ticket=ticket)
    assert note.author is None
    assert note.text.startswith("Automatic reply from promo-rule held")
    assert note.text.endswith(BLOCKED)
    held = TicketEvent.objects.get(ticket=ticket, kind="automatic_reply_held")
    assert held.data["verdict"] == "block"
    assert held.data["note"] == note.pk
    told = Notification.objects.filter(kind="automatic_reply_held").order_by("user__username")
    assert [n.user for n in told] == [admin, agent]
    assert {n.ticket_id for n in told} == {ticket.pk}


def test_a_warning_alone_holds_an_automatic_reply(ticket: Ticket) -> None:  # noqa: F811
    assert actions.send_automatic_reply(ticket, text=WARNS, source="thanks") is None
    assert not Outbox.objects.exists()
    assert TicketEvent.objects.get(kind="automatic_reply_held").data["verdict"] == "warn"


def test_a_held_automatic_reply_tells_only_the_assignee_when_there_is_one(
    ticket: Ticket,  # noqa: F811
) -> None:
    make_member("ada", Role.ADMIN)
    bob = make_member("bob", Role.AGENT, [ticket.account])
    Ticket.objects.filter(pk=ticket.pk).update(assignee=bob)
    ticket.refresh_from_db()

    actions.send_automatic_reply(ticket, text=BLOCKED, source="promo-rule")

    assert [n.user for n in Notification.objects.filter(kind="automatic_reply_held")] == [bob]
