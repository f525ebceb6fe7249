"""Drafts on the server: saved as the agent types, restored on reload, gone once sent or
discarded; per agent, ticket and kind; for whoever may write that kind on that ticket."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Draft, Ticket, TicketEvent
from tests.factories import make_member, make_outsider
from tests.realtime.support import buyer_writes, fresh, open_ticket, shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def account() -> SellerAccount:
    return shop()


@pytest.fixture
def alice(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


@pytest.fixture
def ticket(account: SellerAccount) -> Ticket:
    return open_ticket(account)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def drafts() -> list[tuple[object, ...]]:
    return list(
        Draft.objects.order_by("pk").values_list("author__username", "kind", "text", "base_version")
    )


def save(client: Client, ticket: Ticket, kind: str, text: str, version: str = "1") -> object:
    return client.post(
        reverse("ticket_draft", args=[ticket.pk]), {"kind": kind, "text": text, "version": version}
    )


def test_typing_saves_one_draft_per_agent_and_kind_and_empty_text_removes_it(
    ticket: Ticket, alice: User, account: SellerAccount
) -> None:
    bob = make_member("bob", Role.AGENT, [account])
    client = signed_in(alice)

    first = save(client, ticket, "reply", "Hello")
    save(client, ticket, "reply", "Hello Jane, it ships")
    save(client, ticket, "note", "asked the warehouse")
    save(signed_in(bob), ticket, "reply", "Bob's take")

    assert first.json() == {"saved": True}  # type: ignore[attr-defined]
    assert drafts() == [
        ("alice", "reply", "Hello Jane, it ships", 1),
        ("alice", "note", "asked the warehouse", 1),
        ("bob", "reply", "Bob's take", 1),
    ]
    assert save(client, ticket, "reply", "   ").json() == {"saved": False}  # type: ignore[attr-defined]
    assert [d[:2] for d in drafts()] == [("alice", "note"), ("bob", "reply")]
    assert not TicketEvent.objects.filter(kind__contains="draft").exists()  # scratch, not history


def test_a_reload_restores_what_was_typed_in_both_composers(ticket: Ticket, alice: User) -> None:
    client = signed_in(alice)
    save(client, ticket, "reply", "Dear <Jane>, it ships")
    save(client, ticket, "note", "called UPS")

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert 'data-typing="reply"' in html
    reply_box = html.split('data-typing="reply"', 1)[1].split("</textarea>", 1)[0]
    note_box = html.split('data-typing="note"', 1)[1].split("</textarea>", 1)[0]
    assert reply_box.endswith(">Dear &lt;Jane&gt;, it ships")
    assert note_box.endswith(">called UPS")
    assert 'id="held"' not in html


def test_another_agents_draft_is_not_shown(
    ticket: Ticket, alice: User, account: SellerAccount
) -> None:
    bob = make_member("bob", Role.AGENT, [account])
    save(signed_in(bob), ticket, "reply", "Bob's private words")

    html = signed_in(alice).get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert "Bob&#x27;s private words" not in html


def test_a_draft_written_before_new_messages_says_so(ticket: Ticket, alice: User) -> None:
    client = signed_in(alice)
    save(client, ticket, "reply", "It ships Monday")
    buyer_writes(fresh(ticket), "Please cancel instead")

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert "Your saved reply below was written before the latest messages or notes" in html


def test_sending_the_reply_deletes_its_draft_and_keeps_the_note_draft(
    ticket: Ticket, alice: User
) -> None:
    client = signed_in(alice)
    save(client, ticket, "reply", "It ships")
    save(client, ticket, "note", "double-check stock")

    client.post(reverse("ticket_reply", args=[ticket.pk]), {"text": "It ships", "version": "1"})

    assert drafts() == [("alice", "note", "double-check stock", 1)]


def test_discarding_an_ordinary_draft_leaves_no_history(ticket: Ticket, alice: User) -> None:
    client = signed_in(alice)
    save(client, ticket, "note", "scratch")

    response = client.post(reverse("ticket_draft_discard", args=[ticket.pk]), {"kind": "note"})

    assert response.status_code == 302
    assert drafts() == []
    assert list(TicketEvent.objects.values_list("kind", flat=True)) == ["created"]


def test_a_bad_kind_or_an_oversized_draft_is_refused_and_saves_nothing(
    ticket: Ticket, alice: User
) -> None:
    client = signed_in(alice)
    assert save(client, ticket, "poem", "roses").status_code == 422  # type: ignore[attr-defined]
    oversized = save(client, ticket, "note", "x" * (actions.MAX_DRAFT_LENGTH + 1))
    assert oversized.status_code == 422  # type: ignore[attr-defined]
    assert drafts() == []


def test_warehouse_staff_keep_note_drafts_but_not_replies(
    ticket: Ticket, account: SellerAccount
) -> None:
    walt = signed_in(make_member("walt", Role.WAREHOUSE, [account]))

    assert save(walt, ticket, "note", "pallet 4").status_code == 200  # type: ignore[attr-defined]
    assert save(walt, ticket, "reply", "hi").status_code == 403  # type: ignore[attr-defined]
    discard = walt.post(reverse("ticket_draft_discard", args=[ticket.pk]), {"kind": "reply"})

    assert discard.status_code == 403
    assert drafts() == [("walt", "note", "pallet 4", 1)]


@pytest.mark.parametrize("who", ["outsider", "other_account_agent", "anonymous"])
def test_drafts_of_a_ticket_the_user_may_not_see_are_refused(ticket: Ticket, who: str) -> None:
    if who == "anonymous":
        client = Client()
    elif who == "outsider":
        client = signed_in(make_outsider())
    else:
        client = signed_in(make_member("olga", Role.AGENT, [shop("Other")]))

    saved = save(client, ticket, "note", "hello")
    discarded = client.post(reverse("ticket_draft_discard", args=[ticket.pk]), {"kind": "note"})

    expected = 302 if who == "anonymous" else 404  # to the sign-in page, or "no such ticket"
    assert (saved.status_code, discarded.status_code) == (expected, expected)  # type: ignore[attr-defined]
    assert drafts() == []
