"""Merge, move and split, and undoing each from the history: what moves, what is refused
(and that a refusal changes nothing), and that mail to a merged ticket follows the merge."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.mail.ingest import ingest
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import ActionError, IncomingFile
from sellerdesk.tickets.models import Attachment, Inquiry, Message, Note, Ticket, TicketEvent
from tests.factories import make_member
from tests.mail.flow.conftest import buyer_mail
from tests.tickets.ticket_builders import (
    OTHER_RELAY,
    RELAY,
    START,
    acme,
    buyer_writes,
    later,
    open_buyer_ticket,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def account() -> SellerAccount:
    return acme()


@pytest.fixture
def agent(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


def state(*tickets: Ticket) -> list[tuple[object, ...]]:
    """Everything a repair may touch, to prove a refused one touched nothing."""
    rows = []
    for ticket in tickets:
        ticket.refresh_from_db()
        rows.append(
            (
                ticket.status,
                ticket.merged_into_id,
                ticket.version,
                ticket.last_message_at,
                ticket.due_at,
                sorted(ticket.messages.values_list("pk", flat=True)),
                sorted(ticket.notes.values_list("pk", flat=True)),
            )
        )
    rows.append((Ticket.objects.count(), TicketEvent.objects.count()))
    return rows


# --- merge ----------------------------------------------------------------------------


def test_merge_moves_messages_notes_and_inquiries_and_closes_the_source_pointing_to_the_survivor(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    survivor = open_buyer_ticket(account, clock)
    source = open_buyer_ticket(account, later(clock, 60), subject="Also: change my address")
    survivor_messages = list(survivor.messages.values_list("pk", flat=True))
    source_messages = list(source.messages.values_list("pk", flat=True))
    note = actions.add_note(source, "Buyer asked twice", author=agent, clock=clock).note
    versions = (survivor.version, source.version)

    primary = actions.merge(source, survivor, actor=agent, clock=later(clock))

    survivor.refresh_from_db()
    source.refresh_from_db()
    assert sorted(survivor.messages.values_list("pk", flat=True)) == sorted(
        survivor_messages + source_messages
    )
    assert list(survivor.notes.all()) == [Note.objects.get(pk=note.pk)]
    assert source.messages.count() == 0
    assert (source.status, source.merged_into_id, source.closed_at) == (
        Ticket.Status.CLOSED,
        survivor.pk,
        clock.now(),
    )
    # Inquiries recomputed from the joined history: the survivor's unanswered question holds
    # the deadline (the later one is part of the same inquiry); the source owes nothing.
    assert list(Inquiry.objects.filter(ticket=survivor).values_list("opened_by", "due_at")) == [
        (survivor_messages[0], START + timedelta(hours=48))
    ]
    assert Inquiry.objects.filter(ticket=source).count() == 0
    assert (survivor.due_at, source.due_at) == (START + timedelta(hours=48), None)
    assert survivor.last_message_at == START + timedelta(minutes=60)
    assert (survivor.version, source.version) == (versions[0] + 1, versions[1] + 1)
    assert (primary.ticket_id, primary.kind, primary.actor) == (survivor.pk, "merged", agent)
    assert primary.data["messages"] == source_messages
    assert primary.data["notes"] == [note.pk]
    mirror = source.events.get(kind="merged_into")
    assert mirror.data == {"survivor": survivor.pk, "primary": primary.pk}


def test_tickets_of_the_same_customer_merge_across_relay_addresses(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    jane = Customer.objects.create(name="Jane")
    first = open_buyer_ticket(account, clock, customer=jane)
    second = open_buyer_ticket(account, clock, customer=jane, relay=OTHER_RELAY)

    actions.merge(second, first, actor=agent, clock=clock)

    second.refresh_from_db()
    assert second.merged_into_id == first.pk


def test_merging_tickets_of_two_buyers_is_refused_and_changes_nothing(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    first = open_buyer_ticket(account, clock)
    second = open_buyer_ticket(account, clock, relay=OTHER_RELAY)
    before = state(first, second)

    with pytest.raises(ActionError, match="not from the same buyer"):
        actions.merge(second, first, actor=agent, clock=clock)

    assert state(first, second) == before


def test_merging_across_seller_accounts_is_refused_and_changes_nothing(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    first = open_buyer_ticket(account, clock)
    second = open_buyer_ticket(acme("Trailhead", support_address="help@trail.example"), clock)
    before = state(first, second)

    with pytest.raises(ActionError, match="different seller accounts"):
        actions.merge(second, first, actor=agent, clock=clock)

    assert state(first, second) == before


def test_merging_into_a_closed_ticket_or_into_itself_is_refused(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    first = open_buyer_ticket(account, clock)
    second = open_buyer_ticket(account, clock)
    actions.close(first, "late_delivery", actor=agent, clock=clock)
    before = state(first, second)

    with pytest.raises(ActionError, match="reopen it first"):
        actions.merge(second, first, actor=agent, clock=clock)
    with pytest.raises(ActionError, match="into itself"):
        actions.merge(second, second, actor=agent, clock=clock)

    assert state(first, second) == before


def test_undoing_a_merge_puts_messages_notes_and_status_back(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    survivor = open_buyer_ticket(account, clock)
    source = open_buyer_ticket(account, later(clock, 60))
    actions.add_note(source, "Check the address", author=agent, clock=clock)
    before = state(survivor, source)[:-1]
    primary = actions.merge(source, survivor, actor=agent, clock=later(clock))
    mirror = source.events.get(kind="merged_into")

    # Undo from the source's history row: the mirror leads to the primary.
    actions.undo(mirror, actor=agent, clock=later(clock))

    after = state(survivor, source)
    # Same messages, notes, status and deadline as before; both versions moved twice.
    for was, now in zip(before, after[:-1], strict=True):
        assert (now[0], now[1], now[3], now[4], now[5], now[6]) == (
            was[0],
            was[1],
            was[3],
            was[4],
            was[5],
            was[6],
        )
        assert now[2] == was[2] + 2
    undo_rows = TicketEvent.objects.filter(kind="merge_undone").order_by("ticket_id")
    assert [(e.ticket_id, e.data["undoes"], e.actor) for e in undo_rows] == [
        (survivor.pk, primary.pk, agent),
        (source.pk, primary.pk, agent),
    ]


def test_a_merge_is_undone_only_once(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    survivor = open_buyer_ticket(account, clock)
    source = open_buyer_ticket(account, clock)
    primary = actions.merge(source, survivor, actor=agent, clock=clock)
    actions.undo(primary, actor=agent, clock=clock)
    before = state(survivor, source)

    with pytest.raises(ActionError, match="undone already"):
        actions.undo(primary, actor=agent, clock=clock)

    assert state(survivor, source) == before


def test_undoing_a_merge_is_refused_once_a_merged_message_has_moved_on(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    survivor = open_buyer_ticket(account, clock)
    source = open_buyer_ticket(account, clock)
    elsewhere = open_buyer_ticket(account, clock)
    moved = source.messages.get()
    primary = actions.merge(source, survivor, actor=agent, clock=clock)
    actions.move_message(moved, elsewhere, actor=agent, clock=clock)
    before = state(survivor, source, elsewhere)

    with pytest.raises(ActionError, match=f"Message {moved.pk} of #{source.pk} has moved on"):
        actions.undo(primary, actor=agent, clock=clock)

    assert state(survivor, source, elsewhere) == before


def test_mail_threaded_to_a_merged_ticket_lands_on_the_survivor(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    survivor = open_buyer_ticket(account, clock)
    source = open_buyer_ticket(account, clock)
    actions.merge(source, survivor, actor=agent, clock=clock)
    # The buyer answers a reply of ours sent from the source before the merge: only our
    # reply token (in the Message-ID) ties the answer to the source ticket.
    answer = buyer_mail(
        "answer-1@relay.walmart.com",
        sender=RELAY,
        subject="Totally new words",
        in_reply_to=f"sd.{source.reply_token}.0123456789abcdef@acme.example",
        to=account.support_address,
    )

    result = ingest(answer, account=account)

    assert (result.outcome, result.ticket_id) == ("ingested", survivor.pk)
    assert Message.objects.get(message_id="answer-1@relay.walmart.com").ticket_id == survivor.pk


# --- move -----------------------------------------------------------------------------


def test_moving_a_message_takes_its_attachments_and_recomputes_both_deadlines(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    source = open_buyer_ticket(account, clock)
    target = open_buyer_ticket(account, later(clock, 30), relay=OTHER_RELAY)
    photo = IncomingFile("box.jpg", "image/jpeg", b"\xff\xd8jpeg")
    moved = buyer_writes(source, later(clock, 30), "Wrong ticket, sorry", attachments=(photo,))
    versions = (source.version, target.version)

    primary = actions.move_message(moved, target, actor=agent, clock=later(clock))

    source.refresh_from_db()
    target.refresh_from_db()
    assert Message.objects.get(pk=moved.pk).ticket_id == target.pk
    assert Attachment.objects.get().message_id == moved.pk
    assert source.last_message_at == START
    assert target.last_message_at == moved.received_at
    assert Inquiry.objects.filter(ticket=source).count() == 1
    assert (source.version, target.version) == (versions[0] + 1, versions[1] + 1)
    assert (primary.kind, primary.data) == ("message_moved", {"message": moved.pk, "to": target.pk})
    assert target.events.get(kind="message_moved_in").data == {
        "message": moved.pk,
        "source": source.pk,
        "primary": primary.pk,
    }


def test_undoing_a_move_brings_the_message_back_and_is_refused_after_it_moved_again(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    source = open_buyer_ticket(account, clock)
    target = open_buyer_ticket(account, clock)
    third = open_buyer_ticket(account, clock)
    moved = buyer_writes(source, later(clock))
    first_move = actions.move_message(moved, target, actor=agent, clock=clock)
    second_move = actions.move_message(moved, third, actor=agent, clock=clock)
    before = state(source, target, third)

    with pytest.raises(ActionError, match=f"moved on since to #{third.pk}"):
        actions.undo(first_move, actor=agent, clock=clock)
    assert state(source, target, third) == before

    actions.undo(second_move, actor=agent, clock=clock)
    actions.undo(first_move, actor=agent, clock=clock)
    assert Message.objects.get(pk=moved.pk).ticket_id == source.pk
    assert source.messages.count() == 2


def test_moving_the_only_message_or_to_another_account_is_refused(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    single = open_buyer_ticket(account, clock)
    target = open_buyer_ticket(account, clock)
    foreign = open_buyer_ticket(acme("Trailhead", support_address="help@trail.example"), clock)
    two = open_buyer_ticket(account, clock)
    extra = buyer_writes(two, later(clock))
    before = state(single, target, foreign, two)

    with pytest.raises(ActionError, match="only message"):
        actions.move_message(single.messages.get(), target, actor=agent, clock=clock)
    with pytest.raises(ActionError, match="another seller account"):
        actions.move_message(extra, foreign, actor=agent, clock=clock)

    assert state(single, target, foreign, two) == before


# --- split ----------------------------------------------------------------------------


def test_splitting_a_message_opens_a_new_ticket_of_the_same_buyer(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    jane = Customer.objects.create(name="Jane")
    source = open_buyer_ticket(account, clock, customer=jane)
    actions.assign(source, agent, actor=agent, clock=clock)
    other = buyer_writes(source, later(clock, 30), "Separate question about a lamp")

    new = actions.split_message(other, actor=agent, clock=later(clock))

    new.refresh_from_db()
    assert list(new.messages.all()) == [Message.objects.get(pk=other.pk)]
    assert (new.account, new.customer, new.relay_address, new.assignee, new.status) == (
        account,
        jane,
        RELAY,
        agent,
        Ticket.Status.OPEN,
    )
    assert new.due_at is not None  # the new ticket owes the buyer its own answer
    assert Inquiry.objects.filter(ticket=new).count() == 1
    assert source.events.get(kind="message_split").data == {
        "message": other.pk,
        "new_ticket": new.pk,
    }


def test_undoing_a_split_closes_the_new_ticket_as_a_pointer_back(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    source = open_buyer_ticket(account, clock)
    other = buyer_writes(source, later(clock))
    new = actions.split_message(other, actor=agent, clock=clock)
    split = source.events.get(kind="message_split")

    actions.undo(split, actor=agent, clock=later(clock))

    new.refresh_from_db()
    assert Message.objects.get(pk=other.pk).ticket_id == source.pk
    assert (new.status, new.merged_into_id, new.messages.count()) == (
        Ticket.Status.CLOSED,
        source.pk,
        0,
    )
    assert new.events.filter(kind="split_undone").count() == 1


def test_undoing_a_split_is_refused_once_the_new_ticket_has_its_own_conversation(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    source = open_buyer_ticket(account, clock)
    other = buyer_writes(source, later(clock))
    new = actions.split_message(other, actor=agent, clock=clock)
    buyer_writes(new, later(clock), "Thanks for the separate ticket")
    split = source.events.get(kind="message_split")
    before = state(source, new)

    with pytest.raises(ActionError, match="its own conversation"):
        actions.undo(split, actor=agent, clock=clock)

    assert state(source, new) == before


def test_only_repairs_can_be_undone(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    ticket = open_buyer_ticket(account, clock)

    with pytest.raises(ActionError, match="Only a merge, a move or a split"):
        actions.undo(ticket.events.get(kind="created"), actor=agent, clock=clock)
