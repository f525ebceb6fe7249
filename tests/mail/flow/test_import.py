"""`sellerdesk ingest-eml` over files and a Maildir, and a Maildir mailbox fetch: the JSON
summary counts exactly what happened."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail.fetch import fetch_mailbox
from sellerdesk.mail.models import Mailbox, QuarantinedMail
from sellerdesk.mail.transport.maildir import deliver
from sellerdesk.tickets.models import Message, Ticket
from tests.mail.flow.conftest import FIXTURES, buyer_mail, fixture, make_order

pytestmark = pytest.mark.django_db


def ingest_eml(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("ingest_eml", *args, stdout=out)
    return dict(json.loads(out.getvalue()))


def test_ingest_eml_counts_files_and_a_maildir_exactly(
    account: SellerAccount, tmp_path: Path
) -> None:
    make_order(account, "1234567890123")
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    follow_up = tmp_path / "follow_up.eml"
    follow_up.write_bytes(
        buyer_mail("f1@relay.walmart.com", in_reply_to="wm.0001.a1b2@relay.walmart.com")
    )
    maildir = tmp_path / "Maildir"
    deliver(maildir, fixture("walmart_relay_damaged_item"))
    deliver(maildir, fixture("walmart_relay_where_is_my_order"))  # already imported above

    summary = ingest_eml(
        str(FIXTURES / "walmart_relay_where_is_my_order.eml"),
        str(FIXTURES / "walmart_escalation_notice.eml"),
        str(FIXTURES / "spam_marketing.eml"),
        str(empty),
        str(FIXTURES / "walmart_relay_where_is_my_order.eml"),
        str(follow_up),
        str(maildir),
    )

    assert summary == {
        "ingested": 5,
        "new_tickets": 4,  # relay inquiry, escalation, spam, damaged item
        "threaded": 1,  # the follow-up
        "linked_to_order": 3,  # inquiry, escalation, follow-up (same order)
        "outgoing": 0,
        "quarantined": 1,  # the empty file
        "duplicates": 2,  # the inquiry again, as a file and in the Maildir
    }
    assert Ticket.objects.count() == 4
    assert Message.objects.count() == 5
    assert QuarantinedMail.objects.get().source == str(empty)

    assert ingest_eml(str(maildir))["duplicates"] == 2  # ingest-eml keeps no Maildir state


def test_ingest_eml_account_option_files_mail_addressed_elsewhere(
    account: SellerAccount,
) -> None:
    raw_path = str(FIXTURES / "unknown_format_plain.eml")

    summary = ingest_eml("--account", "ACME Outdoor", raw_path)

    assert (summary["ingested"], summary["new_tickets"], summary["quarantined"]) == (1, 1, 0)
    ticket = Ticket.objects.get()
    assert (ticket.account, ticket.kind, ticket.intent, ticket.status) == (
        account,
        "buyer_direct",
        "other",
        "new",
    )


def test_maildir_mailbox_fetch_counts_and_takes_each_message_once(
    account: SellerAccount, tmp_path: Path
) -> None:
    maildir = tmp_path / "Maildir"
    for name in ("walmart_relay_where_is_my_order", "complaint_bbb", "auto_reply_out_of_office"):
        deliver(maildir, fixture(name))
    deliver(maildir, b"\x00\x00")
    mailbox = Mailbox.objects.create(
        name="demo", kind=Mailbox.Kind.MAILDIR, account=account, path=str(maildir)
    )

    summary = fetch_mailbox(mailbox)

    assert summary.as_dict() == {
        "ingested": 3,
        "new_tickets": 3,
        "threaded": 0,
        "linked_to_order": 0,
        "outgoing": 0,
        "quarantined": 1,
        "duplicates": 0,
    }
    assert fetch_mailbox(mailbox).as_dict()["ingested"] == 0
    deliver(
        maildir, buyer_mail("n1@relay.walmart.com", in_reply_to="wm.0001.a1b2@relay.walmart.com")
    )
    assert fetch_mailbox(mailbox).as_dict()["threaded"] == 1
