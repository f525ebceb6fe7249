"""Internal notes: never sent, never an answer; an @mention notifies a teammate who may see
the ticket, and nobody else (the author is told who was not notified)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.team.models import Notification, Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import ActionError
from sellerdesk.tickets.models import Draft, Note, Outbox, TicketEvent
from tests.factories import make_member, make_outsider
from tests.tickets.ticket_builders import START, acme, open_buyer_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def account() -> SellerAccount:
    return acme()


@pytest.fixture
def team(account: SellerAccount) -> dict[str, User]:
    other = acme("Trailhead", support_address="help@trail.example")
    return {
        "alice": make_member("alice", Role.AGENT, [account]),
        "ada": make_member("ada", Role.ADMIN),
        "wes": make_member("wes", Role.WAREHOUSE, [account]),
        "oscar": make_member("oscar", Role.AGENT, [other]),
        "stranger": make_outsider("stranger"),
    }


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("@alice can you check?", ["alice"]),
        ("thanks @alice. and @bob-smith, @alice again", ["alice", "bob-smith"]),
        ("mail jane@example.com about it", []),
        ("@wes: did it ship?", ["wes"]),
        ("(@ada)", ["ada"]),
    ],
)
def test_mentions_are_read_from_the_text(text: str, names: list[str]) -> None:
    assert actions.mentioned_names(text) == names


def test_a_note_notifies_mentioned_teammates_who_may_see_the_ticket(
    account: SellerAccount, team: dict[str, User]
) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    version, due = ticket.version, ticket.due_at

    result = actions.add_note(
        ticket,
        "@wes did order ship? @ada FYI. @oscar @stranger @nobody @alice",
        author=team["alice"],
        clock=clock,
    )

    assert result.notified == ["wes", "ada"]
    # Other account, no team role, unknown: one reason for all, so nothing leaks; the
    # author mentioning herself is neither notified nor reported.
    assert result.not_notified == ["oscar", "stranger", "nobody"]
    note = Note.objects.get()
    assert sorted(u.username for u in note.mentions.all()) == ["ada", "wes"]
    rows = Notification.objects.order_by("user__username")
    assert [(n.user.username, n.kind, n.link, n.ticket_id) for n in rows] == [
        ("ada", "mention", f"/tickets/{ticket.pk}/#note-{note.pk}", ticket.pk),
        ("wes", "mention", f"/tickets/{ticket.pk}/#note-{note.pk}", ticket.pk),
    ]
    assert rows[0].text == f"alice mentioned you on #{ticket.pk} Where is my order?"
    ticket.refresh_from_db()
    # A note is part of the conversation (version moves) but never an answer (no outbox,
    # the deadline stands).
    assert (ticket.version, ticket.due_at, Outbox.objects.count()) == (version + 1, due, 0)
    event = ticket.events.get(kind="note_added")
    assert (event.actor, event.data) == (
        team["alice"],
        {"note": note.pk, "mentions": ["wes", "ada"]},
    )


def test_an_empty_note_is_refused_and_writes_nothing(
    account: SellerAccount, team: dict[str, User]
) -> None:
    ticket = open_buyer_ticket(account, FrozenClock(START))
    events = TicketEvent.objects.count()

    with pytest.raises(ActionError, match="empty"):
        actions.add_note(ticket, "   ", author=team["alice"])

    assert (Note.objects.count(), Notification.objects.count()) == (0, 0)
    assert TicketEvent.objects.count() == events


def test_writing_the_note_clears_its_saved_draft_but_not_the_reply_draft(
    account: SellerAccount, team: dict[str, User]
) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    alice = team["alice"]
    for kind in ("note", "reply"):
        Draft.objects.create(ticket=ticket, author=alice, kind=kind, text=kind, updated_at=START)
    Draft.objects.create(ticket=ticket, author=team["ada"], kind="note", text="x", updated_at=START)

    actions.add_note(ticket, "checked the parcel", author=alice, clock=clock)

    left = sorted((d.author.username, d.kind) for d in Draft.objects.all())
    assert left == [("ada", "note"), ("alice", "reply")]
