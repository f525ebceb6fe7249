"""fetch_mailbox against a real Dovecot on loopback: INTERNALDATE is the time a message
reached us, each UID is taken once, UIDVALIDITY changes reread without duplicates, a broken
mailbox is reported without holding up others, and the Sent folder records our replies.
Messages are taken in batches: each batch's commit records its last UID, a batch cut short
is read again whole, and a message that breaks filing is quarantined alone."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail import fetch as fetch_module
from sellerdesk.mail import ingest_batch as ingest_batch_module
from sellerdesk.mail.fetch import fetch_mailbox
from sellerdesk.mail.models import FolderState, Mailbox, QuarantinedMail
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Message, Outbox, Ticket
from tests.mail.flow.conftest import SENDER, WALMART_RELAY, buyer_mail, fixture
from tests.support.dovecot import PASSWORD, Dovecot

pytestmark = pytest.mark.django_db

ARRIVED = datetime(2025, 3, 3, 15, 0, 7, tzinfo=UTC)


@pytest.fixture
def imap_user(dovecot: Dovecot, request: pytest.FixtureRequest) -> str:
    digest = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]
    return dovecot.add_user(f"f{digest}")


def imap_mailbox(
    account: SellerAccount,
    dovecot: Dovecot,
    user: str,
    *,
    name: str = "inbox",
    security: str = "none",
    password: str = PASSWORD,
    sent_folder: str = "",
) -> Mailbox:
    mailbox = Mailbox(
        name=name,
        kind=Mailbox.Kind.IMAP,
        account=account,
        host=dovecot.host,
        port=dovecot.imap_port,
        security=security,
        username=user,
        ca_file=dovecot.ca_file,
        folders=["INBOX"],
        sent_folder=sent_folder,
    )
    mailbox.set_password(password)
    mailbox.save()
    return mailbox


@pytest.mark.parametrize("security", ["none", "starttls"])
def test_fetch_takes_each_message_once_with_its_internaldate(
    account: SellerAccount, dovecot: Dovecot, imap_user: str, security: str
) -> None:
    first = dovecot.plant(imap_user, "INBOX", fixture("walmart_relay_where_is_my_order"), ARRIVED)
    second = dovecot.plant(imap_user, "INBOX", fixture("spam_marketing"), ARRIVED)
    mailbox = imap_mailbox(account, dovecot, imap_user, security=security)

    summary = fetch_mailbox(mailbox)

    assert summary.as_dict() == {
        "ingested": 2,
        "new_tickets": 2,
        "threaded": 0,
        "linked_to_order": 0,
        "outgoing": 0,
        "quarantined": 0,
        "duplicates": 0,
    }
    message = Message.objects.get(message_id="wm.0001.a1b2@relay.walmart.com")
    assert message.received_at == ARRIVED  # INTERNALDATE, not the Received: header
    state = FolderState.objects.get(mailbox=mailbox, folder="INBOX")
    assert state.last_uid == second > first
    assert state.uidvalidity > 0
    mailbox.refresh_from_db()
    assert mailbox.last_error == "" and mailbox.last_fetch_at is not None

    again = fetch_mailbox(mailbox)

    assert (again.ingested, again.duplicates, again.quarantined) == (0, 0, 0)
    assert Message.objects.count() == 2

    third = dovecot.plant(imap_user, "INBOX", buyer_mail("late@relay.walmart.com"), ARRIVED)
    assert fetch_mailbox(mailbox).ingested == 1
    assert FolderState.objects.get(pk=state.pk).last_uid == third


def test_uidvalidity_change_rereads_the_folder_without_duplicates(
    account: SellerAccount, dovecot: Dovecot, imap_user: str
) -> None:
    dovecot.plant(imap_user, "INBOX", fixture("walmart_relay_where_is_my_order"), ARRIVED)
    last = dovecot.plant(imap_user, "INBOX", fixture("walmart_case_notice"), ARRIVED)
    mailbox = imap_mailbox(account, dovecot, imap_user)
    fetch_mailbox(mailbox)
    state = FolderState.objects.get(mailbox=mailbox)
    real_validity = state.uidvalidity
    FolderState.objects.filter(pk=state.pk).update(uidvalidity=real_validity + 1, last_uid=last)
    counts = (Ticket.objects.count(), Message.objects.count())

    summary = fetch_mailbox(mailbox)

    assert (summary.ingested, summary.duplicates) == (0, 2)
    assert (Ticket.objects.count(), Message.objects.count()) == counts
    state.refresh_from_db()
    assert (state.uidvalidity, state.last_uid) == (real_validity, last)


def test_wrong_password_is_recorded_on_its_mailbox_and_others_still_fetch(
    account: SellerAccount, dovecot: Dovecot, imap_user: str
) -> None:
    dovecot.plant(imap_user, "INBOX", fixture("walmart_relay_where_is_my_order"), ARRIVED)
    broken = imap_mailbox(account, dovecot, imap_user, name="broken", password="wrong")
    good = imap_mailbox(account, dovecot, imap_user, name="good")

    with pytest.raises(CommandError, match=r"^fetching failed for broken$"):
        call_command("fetchmail")

    broken.refresh_from_db()
    good.refresh_from_db()
    assert broken.last_error != ""
    assert "auth" in broken.last_error.lower() or "login" in broken.last_error.lower()
    assert not FolderState.objects.filter(mailbox=broken).exists()
    assert good.last_error == ""
    assert Message.objects.get().message_id == "wm.0001.a1b2@relay.walmart.com"
    summary = fetch_mailbox(broken)
    assert len(summary.errors) == 1 and summary.errors[0].startswith("broken: ")


def test_reply_found_in_the_sent_folder_is_recorded_as_outgoing_without_an_outbox(
    account: SellerAccount, dovecot: Dovecot, imap_user: str
) -> None:
    dovecot.plant(imap_user, "INBOX", fixture("walmart_relay_where_is_my_order"), ARRIVED)
    sent_at = datetime(2025, 3, 3, 16, 0, tzinfo=UTC)
    reply = (
        f"From: ACME Outdoor <{SENDER}>\r\n"
        f"To: {WALMART_RELAY}\r\n"
        "Subject: Re: Customer inquiry for order #1234567890123\r\n"
        "Date: Mon, 03 Mar 2025 16:00:00 +0000\r\n"
        "Message-ID: <phone-reply-1@acme-outdoor.example>\r\n"
        "In-Reply-To: <wm.0001.a1b2@relay.walmart.com>\r\n"
        "\r\nIt shipped this morning.\r\n"
    ).encode()
    dovecot.plant(imap_user, "Sent", reply, sent_at, flags=[r"\Seen"])
    mailbox = imap_mailbox(account, dovecot, imap_user, sent_folder="Sent")

    summary = fetch_mailbox(mailbox)

    assert (summary.ingested, summary.new_tickets, summary.outgoing) == (2, 1, 1)
    ticket = Ticket.objects.get()
    outgoing = ticket.messages.get(direction=Message.Direction.OUTBOUND)
    assert outgoing.message_id == "phone-reply-1@acme-outdoor.example"
    assert outgoing.sender == SENDER
    assert outgoing.received_at == sent_at
    assert Outbox.objects.count() == 0
    assert ticket.events.filter(kind="replied_elsewhere").count() == 1
    assert set(FolderState.objects.values_list("folder", flat=True)) == {"INBOX", "Sent"}


class WorkerDied(BaseException):
    """The process stopping mid-batch (a kill, a crash): not an error a batch handles."""


def test_each_batch_commits_its_last_uid_and_a_batch_cut_short_is_read_again_whole(
    account: SellerAccount, dovecot: Dovecot, imap_user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_batch_module, "BATCH_SIZE", 2)
    uids = [
        dovecot.plant(
            imap_user,
            "INBOX",
            buyer_mail(f"b{n}@relay.walmart.com", sender=f"{n:032x}@x.example"),
            ARRIVED,
        )
        for n in range(5)
    ]
    mailbox = imap_mailbox(account, dovecot, imap_user)
    real_ingest_batch = fetch_module.ingest_batch
    batches_seen: list[list[int]] = []

    def dies_in_second_batch(batch: Any, *, taken: Any, **kwargs: Any) -> Any:
        batches_seen.append([mail.key for mail in batch])

        def taken_then_die(mails: Any) -> None:
            taken(mails)  # the UID is written inside the batch's transaction...
            if len(batches_seen) == 2:
                raise WorkerDied  # ...which never commits

        return real_ingest_batch(batch, taken=taken_then_die, **kwargs)

    monkeypatch.setattr(fetch_module, "ingest_batch", dies_in_second_batch)

    with pytest.raises(WorkerDied):
        fetch_mailbox(mailbox)

    assert batches_seen == [uids[0:2], uids[2:4]]
    assert FolderState.objects.get(mailbox=mailbox).last_uid == uids[1]
    assert list(Message.objects.order_by("pk").values_list("message_id", flat=True)) == [
        "b0@relay.walmart.com",
        "b1@relay.walmart.com",
    ]

    monkeypatch.setattr(fetch_module, "ingest_batch", real_ingest_batch)
    summary = fetch_mailbox(mailbox)

    assert (summary.ingested, summary.duplicates, summary.quarantined) == (3, 0, 0)
    assert FolderState.objects.get(mailbox=mailbox).last_uid == uids[4]
    assert Message.objects.count() == 5


def test_a_message_that_breaks_filing_is_quarantined_by_uid_and_the_folder_moves_past_it(
    account: SellerAccount, dovecot: Dovecot, imap_user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raws = [
        buyer_mail("ok1@relay.walmart.com", sender="a" * 32 + "@relay.walmart.com"),
        buyer_mail("bad@relay.walmart.com", sender="b" * 32 + "@relay.walmart.com"),
        buyer_mail("ok2@relay.walmart.com", sender="c" * 32 + "@relay.walmart.com"),
    ]
    uids = [dovecot.plant(imap_user, "INBOX", raw, ARRIVED) for raw in raws]
    mailbox = imap_mailbox(account, dovecot, imap_user)
    real_open_ticket, real_open_tickets = actions.open_ticket, actions.open_tickets

    def open_ticket(**kwargs: Any) -> Any:
        if kwargs["incoming"].message_id == "bad@relay.walmart.com":
            raise RuntimeError("filing bug")
        return real_open_ticket(**kwargs)

    def open_tickets(openings: Any, **kwargs: Any) -> Any:
        if any(o.incoming.message_id == "bad@relay.walmart.com" for o in openings):
            raise RuntimeError("filing bug")
        return real_open_tickets(openings, **kwargs)

    monkeypatch.setattr(actions, "open_ticket", open_ticket)
    monkeypatch.setattr(actions, "open_tickets", open_tickets)

    summary = fetch_mailbox(mailbox)

    assert (summary.ingested, summary.quarantined) == (2, 1)
    state = FolderState.objects.get(mailbox=mailbox)
    assert state.last_uid == uids[2]
    item = QuarantinedMail.objects.get()
    assert item.source == f"inbox:INBOX:{state.uidvalidity}:{uids[1]}"
    assert item.reason == "could not be filed: RuntimeError: filing bug"
    assert item.delivered_at == ARRIVED
    assert sorted(Message.objects.values_list("message_id", flat=True)) == [
        "ok1@relay.walmart.com",
        "ok2@relay.walmart.com",
    ]
    assert fetch_mailbox(mailbox).as_dict()["ingested"] == 0  # taken, not read again
