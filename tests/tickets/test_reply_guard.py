"""The reply guard, on the server (it holds without websockets): a reply or status change
made from a view older than the conversation is held back, never sent silently; the agent
sees what is new and sends anyway or discards. The race of two agents at the same moment is
in test_reply_guard_race.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Draft, Message, Outbox, Ticket, TicketEvent
from tests.factories import make_member, make_outsider
from tests.realtime.support import buyer_writes, fresh, open_ticket, shop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


@pytest.fixture
def account() -> SellerAccount:
    return shop()


@pytest.fixture
def alice(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


@pytest.fixture
def bob(account: SellerAccount) -> User:
    return make_member("bob", Role.AGENT, [account])


@pytest.fixture
def ticket(account: SellerAccount) -> Ticket:
    return open_ticket(account)


def outgoing(ticket: Ticket) -> list[str]:
    return list(
        Message.objects.filter(ticket=ticket, direction="out")
        .order_by("pk")
        .values_list("text", flat=True)
    )


def state(ticket: Ticket) -> tuple[object, ...]:
    t = fresh(ticket)
    return (
        t.version,
        t.status,
        t.root_cause,
        outgoing(t),
        Outbox.objects.filter(message__ticket=t).count(),
        list(TicketEvent.objects.filter(ticket=t).order_by("pk").values_list("kind", flat=True)),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- actions ------------------------------------------------------------------------------


def test_a_reply_from_the_current_view_is_sent_and_moves_the_version_once(
    ticket: Ticket, alice: User
) -> None:
    actions.save_draft(ticket, author=alice, kind="reply", text="It ships", seen_version=1)

    outcome = actions.send_reply(ticket, author=alice, text="It ships today.", seen_version=1)

    assert outcome.message is not None and outcome.held is None
    assert fresh(ticket).version == 2
    assert outgoing(ticket) == ["It ships today."]
    assert not Draft.objects.exists()  # the draft went with the send


def test_a_reply_from_a_view_older_than_a_buyer_message_is_held_and_nothing_is_sent(
    ticket: Ticket, alice: User
) -> None:
    buyer_writes(fresh(ticket), "Never mind, cancel it please.")
    before = state(ticket)

    outcome = actions.send_reply(ticket, author=alice, text="It ships today.", seen_version=1)

    assert outcome.message is None
    assert outcome.stale is not None
    assert (outcome.stale.seen_version, outcome.stale.current_version) == (1, 2)
    held = Draft.objects.get()
    assert (held.author_id, held.kind, held.text, held.base_version) == (
        alice.pk,
        "reply",
        "It ships today.",
        1,
    )
    assert held.held_reason == (
        "The conversation changed since you opened the ticket "
        "(1 change: new messages, replies, notes or repairs)."
    )
    version, status, cause, sent, outbox, kinds = state(ticket)
    assert (version, status, cause, sent, outbox) == before[:5]  # nothing went out
    assert kinds == [*before[5], "reply_held"]
    event = TicketEvent.objects.get(kind="reply_held")
    assert (event.actor_id, event.data) == (alice.pk, {"seen_version": 1, "version": 2})


def test_a_teammates_note_or_reply_since_the_view_holds_the_reply_too(
    ticket: Ticket, alice: User, bob: User
) -> None:
    actions.add_note(fresh(ticket), "Don't refund: fraud.", author=bob)
    assert actions.send_reply(ticket, author=alice, text="Refunded!", seen_version=1).held
    actions.send_reply(fresh(ticket), author=bob, text="We are looking into it.", seen_version=2)
    # Alice's page (version 2, after the note) is now behind bob's reply as well.
    assert actions.send_reply(ticket, author=alice, text="Refunded!", seen_version=2).held
    assert outgoing(ticket) == ["We are looking into it."]


def test_status_assignment_and_tags_do_not_make_a_view_stale(
    ticket: Ticket, alice: User, bob: User
) -> None:
    actions.set_status(fresh(ticket), "open", actor=bob)
    actions.assign(fresh(ticket), bob, actor=bob)
    actions.add_tags(fresh(ticket), ["vip"], actor=bob)

    outcome = actions.send_reply(ticket, author=alice, text="On its way.", seen_version=1)

    assert outcome.message is not None


def test_sending_a_held_reply_anyway_with_the_version_now_seen_sends_it_once(
    ticket: Ticket, alice: User
) -> None:
    buyer_writes(fresh(ticket), "Hello?")
    actions.send_reply(ticket, author=alice, text="It ships today.", seen_version=1)

    outcome = actions.send_reply(
        fresh(ticket), author=alice, text="It ships today.", seen_version=2
    )

    assert outcome.message is not None
    assert outgoing(ticket) == ["It ships today."]
    assert not Draft.objects.exists()
    assert fresh(ticket).version == 3


def test_a_status_change_from_a_stale_view_is_refused_and_changes_nothing(
    ticket: Ticket, alice: User
) -> None:
    buyer_writes(fresh(ticket), "It arrived broken!")
    before = state(ticket)

    with pytest.raises(actions.StaleView) as refused:
        actions.set_status(fresh(ticket), "pending", actor=alice, expected_version=1)
    with pytest.raises(actions.StaleView):
        actions.confirm_version(fresh(ticket), 1)

    assert str(refused.value) == (
        "The conversation changed since you opened the ticket "
        "(1 change: new messages, replies, notes or repairs)."
    )
    assert state(ticket) == before


def test_a_status_change_from_the_current_view_keeps_the_version(
    ticket: Ticket, alice: User
) -> None:
    actions.set_status(fresh(ticket), "pending", actor=alice, expected_version=1)
    assert (fresh(ticket).status, fresh(ticket).version) == ("pending", 1)


# --- pages --------------------------------------------------------------------------------


def test_the_forms_carry_the_version_they_were_rendered_with(ticket: Ticket, alice: User) -> None:
    html = signed_in(alice).get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    reply_form = html.split('id="reply-form"', 1)[1].split("</form>", 1)[0]
    status_form = html.split('id="status-form"', 1)[1].split("</form>", 1)[0]
    for form in (reply_form, status_form):
        assert '<input type="hidden" name="version" value="1">' in form
        assert 'name="seen" value="' in form
    assert 'data-typing="reply"' in reply_form
    assert 'data-typing="note"' in html
    assert f'data-ticket="{ticket.pk}" data-version="1"' in html
    assert 'src="/static/realtime/ticket.js"' in html
    assert "<script>" not in html  # no inline script: the page's CSP forbids them


def test_a_stale_reply_is_held_and_the_page_shows_what_is_new_and_the_choice(
    ticket: Ticket, alice: User, bob: User
) -> None:
    client = signed_in(alice)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    seen = page.split('name="seen" value="', 1)[1].split('"', 1)[0]
    actions.send_reply(fresh(ticket), author=bob, text="Bob answered <b>first</b>.", seen_version=1)
    before = state(ticket)

    response = client.post(
        reverse("ticket_reply", args=[ticket.pk]),
        {"text": "Alice's <script>answer</script>", "version": "1", "seen": seen},
    )

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("ticket_detail", args=[ticket.pk])
    assert parse_qs(location.query) == {"held": ["reply"], "seen": [seen]}
    assert state(ticket)[:5] == before[:5]  # bob's reply only; nothing of alice's went out
    html = client.get(response["Location"]).content.decode()
    held = html.split('id="held"', 1)[1].split("</section>", 1)[0]
    assert "Your reply was not sent" in held
    assert "New since you opened the ticket" in held
    assert "bob replied" in held and "Bob answered &lt;b&gt;first&lt;/b&gt;." in held
    assert "Alice&#x27;s &lt;script&gt;answer&lt;/script&gt;" in held  # kept, escaped
    assert '<input type="hidden" name="version" value="2">' in held  # "send anyway"
    assert "Send anyway" in held and "Discard my reply" in held
    # The composer holds the same text, to edit before sending.
    composer = html.split('id="reply-form"', 1)[1].split("</form>", 1)[0]
    assert "Alice&#x27;s &lt;script&gt;answer&lt;/script&gt;</textarea>" in composer
    assert "Not sent: The conversation changed since you opened the ticket" in html


def test_send_anyway_sends_the_held_reply_and_discard_drops_it(
    account: SellerAccount, alice: User, bob: User
) -> None:
    client = signed_in(alice)
    sent_ticket, dropped_ticket = open_ticket(account), open_ticket(account)
    for t in (sent_ticket, dropped_ticket):
        buyer_writes(fresh(t), "Hello?")
        client.post(reverse("ticket_reply", args=[t.pk]), {"text": "Mine", "version": "1"})
    assert Draft.objects.exclude(held_reason="").count() == 2

    client.post(reverse("ticket_reply", args=[sent_ticket.pk]), {"text": "Mine", "version": "2"})
    client.post(reverse("ticket_draft_discard", args=[dropped_ticket.pk]), {"kind": "reply"})

    assert outgoing(sent_ticket) == ["Mine"]
    assert outgoing(dropped_ticket) == []
    assert not Draft.objects.exists()
    assert (
        TicketEvent.objects.filter(ticket=dropped_ticket, kind="held_reply_discarded").count() == 1
    )
    html = client.get(reverse("ticket_detail", args=[dropped_ticket.pk])).content.decode()
    assert 'id="held"' not in html


def test_a_stale_status_change_is_held_with_apply_anyway(ticket: Ticket, alice: User) -> None:
    client = signed_in(alice)
    buyer_writes(fresh(ticket), "It arrived broken!")
    before = state(ticket)

    response = client.post(
        reverse("ticket_update", args=[ticket.pk]),
        {
            "status": "pending",
            "intent": "damaged_item",
            "order_number": "",
            "version": "1",
            "seen": "x",
        },
    )

    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {
        "held": ["status"],
        "seen": ["x"],
        "status": ["pending"],
        "intent": ["damaged_item"],
    }
    assert state(ticket) == before
    assert fresh(ticket).intent == "where_is_my_order"  # nothing of the form applied
    html = client.get(response["Location"]).content.decode()
    held = html.split('id="held"', 1)[1].split("</section>", 1)[0]
    assert "Your change was not saved" in held
    assert "status <strong>pending</strong>" in held
    assert '<input type="hidden" name="status" value="pending">' in held
    assert '<input type="hidden" name="version" value="2">' in held

    client.post(
        reverse("ticket_update", args=[ticket.pk]),
        {"status": "pending", "intent": "damaged_item", "version": "2"},
    )

    assert (fresh(ticket).status, fresh(ticket).intent) == ("pending", "damaged_item")


def test_what_is_new_lists_messages_and_notes_after_the_view(
    ticket: Ticket, alice: User, bob: User
) -> None:
    client = signed_in(alice)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    seen = page.split('name="seen" value="', 1)[1].split('"', 1)[0]
    actions.add_note(fresh(ticket), "Check the <i>serial</i> first", author=bob)
    buyer_writes(fresh(ticket), "Any news?")

    response = client.post(
        reverse("ticket_reply", args=[ticket.pk]), {"text": "Soon", "version": "1", "seen": seen}
    )
    held = client.get(response["Location"]).content.decode().split('id="held"', 1)[1]
    new_items = held.split('class="new-items"', 1)[1].split("</ol>", 1)[0]

    assert new_items.count("<li>") == 2
    assert new_items.index("Check the &lt;i&gt;serial&lt;/i&gt; first") < new_items.index(
        "Any news?"
    )
    assert "Where is my order?" not in new_items  # seen before: not new


@pytest.mark.parametrize("who", ["warehouse", "outsider"])
def test_who_may_not_reply_changes_nothing(
    ticket: Ticket, account: SellerAccount, who: str
) -> None:
    user = make_member("walt", Role.WAREHOUSE, [account]) if who == "warehouse" else make_outsider()
    before = state(ticket)

    response = signed_in(user).post(
        reverse("ticket_reply", args=[ticket.pk]), {"text": "Hi", "version": "1"}
    )

    assert response.status_code == (403 if who == "warehouse" else 404)
    assert state(ticket) == before
    assert not Draft.objects.exists()
