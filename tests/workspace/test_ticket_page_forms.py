"""The ticket page's forms, each for every role: allowed users change the ticket through the
actions; warehouse staff get 403 (they may see the ticket: a 404 would be a lie), except for
notes; people who may not see the ticket get a 404 and change nothing. Refusals keep what
was typed and say why; forms from a stale view change nothing and show the fresh state."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock, system_clock
from sellerdesk.team.models import Notification
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Attachment, Message, Ticket
from sellerdesk.workspace.ticket_context import snooze_until
from tests.tickets.ticket_builders import START, acme, buyer_writes, open_buyer_ticket
from tests.workspace.ticket_page_data import HOSTILE, make_team, signed_in, snapshot

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def account() -> SellerAccount:
    return acme()


@pytest.fixture
def team(account: SellerAccount) -> dict[str, User]:
    return make_team(account)


@pytest.fixture
def ticket(account: SellerAccount) -> Ticket:
    # Opened now (the views use the real clock), with a second message to move or split.
    clock = FrozenClock(system_clock.now() - timedelta(minutes=30))
    ticket = open_buyer_ticket(account, clock)
    buyer_writes(ticket, clock, "And a second question")
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def sibling(account: SellerAccount, ticket: Ticket) -> Ticket:
    """Another open ticket of the same buyer: ready to merge."""
    return open_buyer_ticket(
        account, FrozenClock(system_clock.now() - timedelta(minutes=20)), subject="Also this"
    )


def forms(ticket: Ticket, sibling: Ticket) -> dict[str, tuple[str, dict[str, str]]]:
    """Every ticket form but the note, with valid data."""
    second = ticket.messages.order_by("pk").last()
    assert second is not None
    return {
        "reply": (reverse("ticket_reply", args=[ticket.pk]), {"text": "On its way."}),
        "update": (
            reverse("ticket_update", args=[ticket.pk]),
            {"status": "closed", "root_cause": "late_delivery"},
        ),
        "assign": (reverse("ticket_assign", args=[ticket.pk]), {"assignee": ""}),
        "tag": (reverse("ticket_tag_add", args=[ticket.pk]), {"tags": "vip"}),
        "snooze": (reverse("ticket_snooze", args=[ticket.pk]), {"preset": "1h"}),
        "merge": (reverse("ticket_merge", args=[ticket.pk]), {"into": str(sibling.pk)}),
        "move": (
            reverse("ticket_message_move", args=[ticket.pk]),
            {"message": str(second.pk), "to": str(sibling.pk)},
        ),
        "split": (reverse("ticket_message_split", args=[ticket.pk]), {"message": str(second.pk)}),
        "undo": (
            reverse("ticket_undo", args=[ticket.pk, ticket.events.get(kind="created").pk]),
            {},
        ),
    }


FORM_NAMES = ["reply", "update", "assign", "tag", "snooze", "merge", "move", "split", "undo"]


@pytest.mark.parametrize("form", FORM_NAMES)
def test_warehouse_staff_get_403_from_every_working_form_and_nothing_changes(
    ticket: Ticket, sibling: Ticket, team: dict[str, User], form: str
) -> None:
    url, data = forms(ticket, sibling)[form]
    before = snapshot(ticket, sibling)

    response = signed_in(team["warehouse"]).post(url, data)

    assert response.status_code == 403
    assert snapshot(ticket, sibling) == before


@pytest.mark.parametrize("who", ["other_agent", "outsider"])
@pytest.mark.parametrize("form", [*FORM_NAMES, "note"])
def test_people_who_may_not_see_the_ticket_get_404_from_every_form_and_nothing_changes(
    ticket: Ticket, sibling: Ticket, team: dict[str, User], who: str, form: str
) -> None:
    url, data = (
        forms(ticket, sibling)[form]
        if form != "note"
        else (reverse("ticket_note", args=[ticket.pk]), {"note": "@alice hi"})
    )
    before = snapshot(ticket, sibling)

    response = signed_in(team[who]).post(url, data)

    assert response.status_code == 404
    assert snapshot(ticket, sibling) == before
    assert Notification.objects.count() == 0


# --- notes ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent", "warehouse", "admin"])
def test_a_note_with_a_mention_reaches_the_teammates_bell_and_says_who_was_not_told(
    ticket: Ticket, team: dict[str, User], who: str
) -> None:
    client = signed_in(team[who])

    response = client.post(
        reverse("ticket_note", args=[ticket.pk]),
        {"note": "@bob can you call the carrier? @oscar too"},
        follow=True,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Notified: @bob." in html
    assert "Not notified: @oscar (no teammate of that name may see this ticket)." in html
    bell = signed_in(team["teammate"]).get(reverse("notifications")).content.decode()
    assert f"{team[who].username} mentioned you on #{ticket.pk}" in bell
    note = ticket.notes.get()
    assert f'href="/tickets/{ticket.pk}/#note-{note.pk}"' in bell
    assert Notification.objects.filter(user=team["other_agent"]).count() == 0


def test_a_refused_note_comes_back_with_its_text(ticket: Ticket, team: dict[str, User]) -> None:
    before = snapshot(ticket)
    long = HOSTILE + "x" * actions.notes.MAX_NOTE_LENGTH

    response = signed_in(team["agent"]).post(
        reverse("ticket_note", args=[ticket.pk]), {"note": long}
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "A note has at most 10,000 characters." in html
    assert ">" + escape(HOSTILE) + "x" * 20 in html
    assert "<script>alert" not in html
    assert snapshot(ticket) == before


# --- reply with attachments -------------------------------------------------------------


def test_a_reply_goes_out_with_its_files_and_their_names_are_shown_as_text(
    ticket: Ticket, team: dict[str, User]
) -> None:
    client = signed_in(team["agent"])
    label = SimpleUploadedFile(
        "<img src=x onerror=alert(1)>label.pdf", b"%PDF label", content_type="application/pdf"
    )

    response = client.post(
        reverse("ticket_reply", args=[ticket.pk]), {"text": "Label attached.", "files": [label]}
    )

    assert response.status_code == 302
    reply = Message.objects.get(direction="out")
    assert [(a.filename, a.size) for a in reply.attachments.all()] == [
        ("<img src=x onerror=alert(1)>label.pdf", 10)
    ]
    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;label.pdf</a>" in html
    assert "<img src=x" not in html


def test_oversized_files_refuse_the_reply_and_keep_the_text(
    ticket: Ticket, team: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "MAX_REPLY_ATTACHMENT_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("scan.pdf", b"x" * (1024 * 1024 + 1), content_type="application/pdf")
    before = snapshot(ticket)

    response = signed_in(team["agent"]).post(
        reverse("ticket_reply", args=[ticket.pk]),
        {"text": "Here is <b>the</b> scan", "files": [big]},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "The attachments come to 1.0 MB; a reply carries at most 1 MB." in html
    assert "Your files were not kept: attach them again." in html
    assert ">Here is &lt;b&gt;the&lt;/b&gt; scan</textarea>" in html
    assert snapshot(ticket) == before
    assert Attachment.objects.filter(message__direction="out").count() == 0


# --- status, root cause, assignee, tags -------------------------------------------------


def test_closing_from_the_page_without_a_root_cause_is_refused_keeping_the_form(
    ticket: Ticket, team: dict[str, User]
) -> None:
    before = snapshot(ticket)

    response = signed_in(team["agent"]).post(
        reverse("ticket_update", args=[ticket.pk]),
        {"status": "solved", "root_cause": "", "intent": "other", "order_number": "12<b>34"},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "Pick a root cause" in html
    assert 'value="12&lt;b&gt;34"' in html
    assert '<option value="solved" selected>' in html
    assert snapshot(ticket) == before


def test_closing_from_the_page_with_a_root_cause(ticket: Ticket, team: dict[str, User]) -> None:
    response = signed_in(team["agent"]).post(
        reverse("ticket_update", args=[ticket.pk]),
        {"status": "closed", "root_cause": "wrong_item_sent", "version": str(ticket.version)},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.root_cause) == ("closed", "wrong_item_sent")


def test_assigning_and_tagging_from_the_page(ticket: Ticket, team: dict[str, User]) -> None:
    client = signed_in(team["agent"])

    client.post(reverse("ticket_assign", args=[ticket.pk]), {"assignee": str(team["teammate"].pk)})
    client.post(reverse("ticket_tag_add", args=[ticket.pk]), {"tags": "VIP, fragile"})
    client.post(reverse("ticket_tag_remove", args=[ticket.pk]), {"tag": "fragile"})
    refused = client.post(
        reverse("ticket_assign", args=[ticket.pk]), {"assignee": str(team["other_agent"].pk)}
    )
    bad_tag = client.post(reverse("ticket_tag_add", args=[ticket.pk]), {"tags": "<b>"})

    ticket.refresh_from_db()
    assert ticket.assignee == team["teammate"]
    assert list(ticket.tags.values_list("name", flat=True)) == ["vip"]
    assert refused.status_code == 422 and "No such teammate." in refused.content.decode()
    assert bad_tag.status_code == 422
    assert 'name="tags" list="known-tags" value="&lt;b&gt;"' in bad_tag.content.decode()


# --- snooze -----------------------------------------------------------------------------


def test_snooze_presets_are_read_in_the_accounts_time_zone() -> None:
    # 23:30 in Chicago on 9 March 2026 (the day after the spring-forward change).
    now = datetime(2026, 3, 10, 4, 30, tzinfo=ZoneInfo("UTC"))

    assert snooze_until("1h", "", CHICAGO, now) == now + timedelta(hours=1)
    assert snooze_until("tomorrow", "", CHICAGO, now) == datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)
    assert snooze_until("date", "2026-03-20T14:45", CHICAGO, now) == datetime(
        2026, 3, 20, 14, 45, tzinfo=CHICAGO
    )
    assert snooze_until("date", "2026-03-20", CHICAGO, now) == datetime(
        2026, 3, 20, 9, 0, tzinfo=CHICAGO
    )
    with pytest.raises(ValueError, match="not a date"):
        snooze_until("date", "next <b>week</b>", CHICAGO, now)


def test_snoozing_and_unsnoozing_from_the_page(ticket: Ticket, team: dict[str, User]) -> None:
    client = signed_in(team["agent"])
    earliest = snooze_until("tomorrow", "", CHICAGO, system_clock.now())

    response = client.post(
        reverse("ticket_snooze", args=[ticket.pk]),
        {"preset": "tomorrow", "version": str(ticket.version)},
        follow=True,
    )

    ticket.refresh_from_db()
    assert ticket.snoozed_until in {
        earliest,
        snooze_until("tomorrow", "", CHICAGO, system_clock.now()),
    }
    html = response.content.decode()
    assert 'id="snooze-state">Snoozed until' in html and "(America/Chicago)" in html

    client.post(reverse("ticket_unsnooze", args=[ticket.pk]))

    ticket.refresh_from_db()
    assert ticket.snoozed_until is None


def test_a_bad_snooze_date_is_refused_keeping_what_was_typed(
    ticket: Ticket, team: dict[str, User]
) -> None:
    before = snapshot(ticket)

    response = signed_in(team["agent"]).post(
        reverse("ticket_snooze", args=[ticket.pk]), {"preset": "date", "until": "2020-01-01T09:00"}
    )

    assert response.status_code == 422
    assert "Pick a time in the future" in response.content.decode()
    assert 'value="2020-01-01T09:00"' in response.content.decode()
    assert snapshot(ticket) == before


# The status form's guard (and the reply's) belong to the reply guard, tested with it.
@pytest.mark.parametrize("form", ["snooze", "merge", "move", "split"])
def test_a_form_from_a_stale_view_changes_nothing_and_shows_the_fresh_ticket(
    ticket: Ticket, sibling: Ticket, team: dict[str, User], form: str
) -> None:
    url, data = forms(ticket, sibling)[form]
    seen = ticket.version
    buyer_writes(ticket, FrozenClock(system_clock.now()), "Actually, never mind!")
    before = snapshot(ticket, sibling)

    response = signed_in(team["agent"]).post(url, {**data, "version": str(seen)}, follow=True)

    html = response.content.decode()
    assert f"#{ticket.pk} changed since you opened it" in html
    assert "Actually, never mind!" in html
    assert snapshot(ticket, sibling) == before


# --- repairs ------------------------------------------------------------------------------


def test_merging_from_the_page_and_undoing_it_from_the_history(
    ticket: Ticket, sibling: Ticket, team: dict[str, User]
) -> None:
    client = signed_in(team["agent"])
    before = snapshot(ticket, sibling)[:-1]
    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert f'<option value="{sibling.pk}"' in html  # offered: same buyer, still open

    merged = client.post(
        reverse("ticket_merge", args=[ticket.pk]),
        {"into": str(sibling.pk), "version": str(ticket.version)},
        follow=True,
    )

    ticket.refresh_from_db()
    assert ticket.merged_into_id == sibling.pk
    assert merged.redirect_chain[-1][0] == reverse("ticket_detail", args=[sibling.pk])
    page = merged.content.decode()
    assert f"#{ticket.pk} merged into this ticket (2 messages, 0 notes)" in page
    event = sibling.events.get(kind="merged")
    assert f'action="{reverse("ticket_undo", args=[sibling.pk, event.pk])}"' in page

    undone = client.post(reverse("ticket_undo", args=[sibling.pk, event.pk]), follow=True)

    assert "Undone." in undone.content.decode()
    after = snapshot(ticket, sibling)[:-1]
    assert [row[:5] + row[6:] for row in after] == [row[:5] + row[6:] for row in before]
    again = client.get(reverse("ticket_detail", args=[sibling.pk])).content.decode()
    assert f'action="{reverse("ticket_undo", args=[sibling.pk, event.pk])}"' not in again


def test_merging_into_a_ticket_the_agent_may_not_see_reads_as_no_such_ticket(
    ticket: Ticket, team: dict[str, User]
) -> None:
    hidden = open_buyer_ticket(
        acme("Hidden", support_address="h@hidden.example"), FrozenClock(START)
    )
    before = snapshot(ticket, hidden)

    response = signed_in(team["agent"]).post(
        reverse("ticket_merge", args=[ticket.pk]), {"into": f"#{hidden.pk}"}
    )

    assert response.status_code == 422
    assert f"There is no ticket #{hidden.pk}." in response.content.decode()
    assert snapshot(ticket, hidden) == before


def test_moving_and_splitting_a_message_from_the_page(
    ticket: Ticket, sibling: Ticket, team: dict[str, User]
) -> None:
    client = signed_in(team["agent"])
    second = ticket.messages.order_by("pk").last()
    assert second is not None

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert f'<option value="{second.pk}" >' in html  # offered in the one repair form
    not_here = client.post(
        reverse("ticket_message_move", args=[sibling.pk]),
        {"message": str(second.pk), "to": str(ticket.pk)},
    )
    assert not_here.status_code == 404  # a message is repaired from its own ticket only

    client.post(
        reverse("ticket_message_move", args=[ticket.pk]),
        {"message": str(second.pk), "to": str(sibling.pk)},
    )
    second.refresh_from_db()
    assert second.ticket_id == sibling.pk

    split = client.post(
        reverse("ticket_message_split", args=[sibling.pk]), {"message": str(second.pk)}
    )
    second.refresh_from_db()
    assert second.ticket_id not in {ticket.pk, sibling.pk}
    assert split["Location"] == reverse("ticket_detail", args=[second.ticket_id])


def test_a_refused_move_keeps_the_chosen_message_and_the_typed_number(
    ticket: Ticket, team: dict[str, User]
) -> None:
    second = ticket.messages.order_by("pk").last()
    assert second is not None
    before = snapshot(ticket)

    response = signed_in(team["agent"]).post(
        reverse("ticket_message_move", args=[ticket.pk]),
        {"message": str(second.pk), "to": "12<b>"},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "Give a ticket number, like 1234." in html
    assert f'<option value="{second.pk}" selected>' in html
    assert 'value="12&lt;b&gt;"' in html
    assert snapshot(ticket) == before


def test_an_unsafe_undo_is_refused_with_its_reason(
    ticket: Ticket, sibling: Ticket, team: dict[str, User], account: SellerAccount
) -> None:
    client = signed_in(team["agent"])
    second = ticket.messages.order_by("pk").last()
    assert second is not None
    third = open_buyer_ticket(account, FrozenClock(system_clock.now()))
    actions.move_message(second, sibling, actor=team["agent"])
    actions.move_message(second, third, actor=team["agent"])
    first_move = ticket.events.get(kind="message_moved")
    before = snapshot(ticket, sibling, third)

    response = client.post(reverse("ticket_undo", args=[ticket.pk, first_move.pk]))

    assert response.status_code == 422
    assert f"The message has moved on since to #{third.pk}" in response.content.decode()
    assert snapshot(ticket, sibling, third) == before
