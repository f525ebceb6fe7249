"""fetch_mailbox against a real Dovecot on loopback: INTERNALDATE is the time a message
reached us, each UID is taken once, UIDVALIDITY changes reread without duplicates, a broken
mailbox is reported without holding up others, and the Sent folder records our replies."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail.fetch import fetch_mailbox
from sellerdesk.mail.models import FolderState, Mailbox
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
