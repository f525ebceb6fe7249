"""Mail we cannot take is quarantined whole with its reason, can be retried after a fix, and
never stalls the mailbox it came from."""

from __future__ import annotations

from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail.fetch import fetch_mailbox
from sellerdesk.mail.ingest import ingest
from sellerdesk.mail.models import Mailbox, MaildirSeen, QuarantinedMail
from sellerdesk.mail.transport.maildir import deliver
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Message, Ticket
from tests.factories import make_account
from tests.mail.flow.conftest import buyer_mail, fixture

pytestmark = pytest.mark.django_db


def kept_raw(item: QuarantinedMail) -> bytes:
    with item.raw.open("rb") as handle:
        return handle.read()


def test_empty_message_is_quarantined_with_its_reason(account: SellerAccount) -> None:
    result = ingest(b"", account=account, source="upload:empty.eml")

    assert (result.outcome, result.reason) == ("quarantined", "unreadable: empty message")
    item = QuarantinedMail.objects.get()
    assert (item.account, item.source, item.reason, item.resolved_at) == (
        account,
        "upload:empty.eml",
        "unreadable: empty message",
        None,
    )
    assert kept_raw(item) == b""
    assert Ticket.objects.count() == 0


def test_mail_for_no_account_is_quarantined_then_retried_after_the_account_is_added(
    db: None,
) -> None:
    raw = fixture("walmart_relay_where_is_my_order")

    result = ingest(raw, source="inbox:1")

    assert result.outcome == "quarantined"
    item = QuarantinedMail.objects.get()
    assert item.reason == "no seller account receives mail for support@acme-outdoor.example"
    assert item.account is None
    assert kept_raw(item) == raw
    assert Ticket.objects.count() == 0

    out = StringIO()
    call_command("quarantine", "retry", str(item.pk), stdout=out)
    assert out.getvalue() == f"{item.pk}: quarantined - {item.reason}\n"
    item.refresh_from_db()
    assert item.resolved_at is None  # still no account: left open, no second copy
    assert QuarantinedMail.objects.count() == 1

    account = make_account("ACME Outdoor", support_address="support@acme-outdoor.example")
    out = StringIO()
    call_command("quarantine", "retry", str(item.pk), stdout=out)

    assert out.getvalue() == f"{item.pk}: ingested\n"
    item.refresh_from_db()
    assert item.resolution == "ingested" and item.resolved_at is not None
    ticket = Ticket.objects.get()
    assert ticket.account == account
    assert ticket.messages.get().message_id == "wm.0001.a1b2@relay.walmart.com"


def test_a_message_that_crashes_filing_is_quarantined_and_the_next_one_still_comes_in(
    account: SellerAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    maildir = tmp_path / "Maildir"
    bad_key = deliver(maildir, buyer_mail("bad@relay.walmart.com", subject="First"))
    good_key = deliver(
        maildir,
        buyer_mail(
            "good@relay.walmart.com",
            sender="cccccccccccccccccccccccccccccccc@relay.walmart.com",
            subject="Second",
        ),
    )
    mailbox = Mailbox.objects.create(
        name="local", kind=Mailbox.Kind.MAILDIR, account=account, path=str(maildir)
    )
    # A filing bug that hits the first message, however it is filed: with its batch
    # (`open_tickets`), then alone when the batch is taken again one by one (`open_ticket`).
    real_open_ticket, real_open_tickets = actions.open_ticket, actions.open_tickets
    calls = []

    def crash_on_bad(**kwargs: Any) -> Any:
        calls.append(kwargs["incoming"].message_id)
        if kwargs["incoming"].message_id == "bad@relay.walmart.com":
            raise RuntimeError("filing bug")
        return real_open_ticket(**kwargs)

    def crash_on_bad_batch(openings: Sequence[actions.Opening], **kwargs: Any) -> Any:
        calls.extend(o.incoming.message_id for o in openings)
        if any(o.incoming.message_id == "bad@relay.walmart.com" for o in openings):
            raise RuntimeError("filing bug")
        return real_open_tickets(openings, **kwargs)

    monkeypatch.setattr(actions, "open_ticket", crash_on_bad)
    monkeypatch.setattr(actions, "open_tickets", crash_on_bad_batch)

    summary = fetch_mailbox(mailbox)

    # Tried with its batch, then each alone: the good one is filed, the bad one kept.
    assert calls == [
        "bad@relay.walmart.com",
        "good@relay.walmart.com",
        "bad@relay.walmart.com",
        "good@relay.walmart.com",
    ]
    assert (summary.ingested, summary.new_tickets, summary.quarantined, summary.errors) == (
        1,
        1,
        1,
        [],
    )
    assert list(Message.objects.values_list("message_id", flat=True)) == ["good@relay.walmart.com"]
    item = QuarantinedMail.objects.get()
    assert item.reason == "could not be filed: RuntimeError: filing bug"
    assert (item.mailbox, item.source) == (mailbox, f"local:{bad_key}")
    assert set(MaildirSeen.objects.values_list("key", flat=True)) == {bad_key, good_key}
    assert fetch_mailbox(mailbox).as_dict()["ingested"] == 0  # both taken, neither read twice

    # After the fix, the retry brings it in.
    monkeypatch.setattr(actions, "open_ticket", real_open_ticket)
    monkeypatch.setattr(actions, "open_tickets", real_open_tickets)
    call_command("quarantine", "retry", str(item.pk), stdout=StringIO())
    item.refresh_from_db()
    assert item.resolution == "ingested"
    assert Message.objects.filter(message_id="bad@relay.walmart.com").count() == 1
