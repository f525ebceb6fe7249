"""The ticket page for each role and for people who may not see it; the conversation with
buyer messages, our replies and internal notes told apart and interleaved by time; the
history in words; a query count that does not grow with the conversation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Attachment, Note, Ticket
from tests.tickets.ticket_builders import START, acme, open_buyer_ticket
from tests.workspace.ticket_page_data import HOSTILE, conversation, make_team, signed_in

pytestmark = pytest.mark.django_db

# Queries for the ticket page, whatever the number of messages, notes and events: session,
# user, role (per access check), the ticket, messages (+ attachments), notes (+ mentions),
# history, teammates, root causes, tags, known tags, merge candidates, permissions (2),
# unread notifications, drafts, inquiries, and the order and buyer panels (none here: no
# order is linked).
PAGE_QUERIES = 21


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
def ticket(account: SellerAccount, team: dict[str, User]) -> Ticket:
    return conversation(account, team["agent"], rounds=2)


def page(user: User, ticket: Ticket) -> tuple[int, str]:
    response = signed_in(user).get(reverse("ticket_detail", args=[ticket.pk]))
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("who", ["admin", "agent"])
def test_admins_and_the_accounts_agents_work_the_ticket_from_its_page(
    ticket: Ticket, team: dict[str, User], who: str
) -> None:
    status, html = page(team[who], ticket)

    assert status == 200
    for form in ("ticket_reply", "ticket_note", "ticket_update", "ticket_assign", "ticket_snooze"):
        assert f'action="{reverse(form, args=[ticket.pk])}"' in html
    assert f'action="{reverse("ticket_merge", args=[ticket.pk])}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="files" multiple' in html


def test_warehouse_staff_read_the_ticket_and_write_notes_but_change_nothing_else(
    ticket: Ticket, team: dict[str, User]
) -> None:
    status, html = page(team["warehouse"], ticket)

    assert status == 200
    assert "Buyer message 1" in html and "Note 1 for @bob" in html
    assert f'action="{reverse("ticket_note", args=[ticket.pk])}"' in html
    for form in ("ticket_reply", "ticket_update", "ticket_assign", "ticket_snooze", "ticket_merge"):
        assert f'action="{reverse(form, args=[ticket.pk])}"' not in html
    assert ">Undo<" not in html


@pytest.mark.parametrize("who", ["other_agent", "outsider"])
def test_people_who_may_not_see_the_account_get_the_same_404_as_for_no_ticket(
    ticket: Ticket, team: dict[str, User], who: str
) -> None:
    hidden = signed_in(team[who]).get(reverse("ticket_detail", args=[ticket.pk]))
    missing = signed_in(team[who]).get(reverse("ticket_detail", args=[ticket.pk + 1000]))

    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.content == missing.content
    assert ticket.subject.encode() not in hidden.content


def test_signed_out_visitors_are_sent_to_sign_in(ticket: Ticket) -> None:
    from django.test import Client

    response = Client().get(reverse("ticket_detail", args=[ticket.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_messages_replies_and_notes_are_told_apart_and_interleaved_by_time(
    ticket: Ticket, team: dict[str, User]
) -> None:
    _, html = page(team["agent"], ticket)

    # In time order: each buyer message, then our reply, then the note about it.
    texts = [
        "Where is it?",
        "Buyer message 0",
        "Our reply 0",
        "Note 0",
        "Buyer message 1",
        "Our reply 1",
        "Note 1",
    ]
    positions = [html.index(text) for text in texts]
    assert positions == sorted(positions)
    notes = re.findall(r'<article class="note" id="note-(\d+)"', html)
    assert notes == [str(n.pk) for n in Note.objects.order_by("created_at")]
    assert html.count("Internal note</span>") == 2
    assert html.count('<article class="msg in"') == 3
    assert html.count('<article class="msg out"') == 2
    first = Attachment.objects.order_by("pk").first()
    assert first is not None
    assert f'href="{reverse("attachment_download", args=[ticket.pk, first.pk])}"' in html


def test_the_history_reads_as_sentences_with_actor_and_time(
    account: SellerAccount, team: dict[str, User]
) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    actions.assign(ticket, team["agent"], actor=team["admin"], clock=clock)
    actions.add_note(ticket, "@bob look", author=team["agent"], clock=clock)
    actions.close(ticket, "late_delivery", actor=team["agent"], clock=clock)

    _, html = page(team["agent"], ticket)

    history = html[html.index('id="history"') :]
    assert "Opened by a buyer walmart message" in history
    assert "Assigned to alice" in history
    assert "Internal note added, notifying @bob" in history
    assert "Status: New → Closed, root cause: Late delivery" in history
    assert "2026-03-10 15:00 UTC" in history
    assert "· ada" in history and "· alice" in history and "· system" in history


def test_pending_is_labelled_as_waiting_on_the_buyer(ticket: Ticket, team: dict[str, User]) -> None:
    assert ticket.status == Ticket.Status.PENDING  # our reply went last

    _, html = page(team["agent"], ticket)

    assert 'id="ticket-status">Pending (waiting on buyer)</span>' in html


def test_markup_in_subject_notes_names_and_files_is_shown_as_text(
    account: SellerAccount, team: dict[str, User]
) -> None:
    from sellerdesk.tickets.actions import IncomingFile
    from tests.tickets.ticket_builders import buyer_writes

    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock, subject=HOSTILE, text=HOSTILE)
    buyer_writes(
        ticket,
        clock,
        HOSTILE,
        attachments=(IncomingFile(HOSTILE + ".pdf", "application/pdf", b"x"),),
    )
    actions.add_note(ticket, HOSTILE, author=team["agent"], clock=clock)
    actions.add_tags(ticket, ["vip"], actor=team["agent"])

    _, html = page(team["agent"], ticket)

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_page_costs_the_same_queries_for_a_short_and_a_long_conversation(
    account: SellerAccount, team: dict[str, User]
) -> None:
    short = conversation(account, team["agent"], rounds=1)
    long = conversation(account, team["agent"], rounds=12)
    client = signed_in(team["agent"])
    client.get(reverse("ticket_detail", args=[short.pk]))  # the taxonomy is seeded here

    counts = []
    for ticket in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 200
        counts.append(len(queries.captured_queries))

    assert counts == [PAGE_QUERIES, PAGE_QUERIES]
