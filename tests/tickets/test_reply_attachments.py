"""Replies with attachments: stored with the reply, carried by the outgoing MIME message
(names kept as typed, markup included, safely quoted), refused whole past the size limit."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.mail.send import build_mime
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import ActionError, IncomingFile
from sellerdesk.tickets.models import Attachment, Message, Outbox
from tests.factories import make_member
from tests.tickets.ticket_builders import START, acme, open_buyer_ticket

pytestmark = pytest.mark.django_db

MARKUP_NAME = '<img src=x onerror="alert(1)">label.pdf'


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def account() -> SellerAccount:
    return acme()


@pytest.fixture
def agent(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


def test_a_reply_carries_its_attachments_in_the_outgoing_mime_message(
    account: SellerAccount, agent: User
) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    files = (
        IncomingFile(MARKUP_NAME, "application/pdf", b"%PDF-1.4 label"),
        IncomingFile("naïve photo.jpg", "not a type", b"\xff\xd8\xff jpeg"),
    )

    reply = actions.do_reply(
        ticket, author=agent, text="Here is your return label.", attachments=files, clock=clock
    )

    stored = list(Attachment.objects.filter(message=reply).order_by("pk"))
    assert [(a.filename, a.content_type, a.size) for a in stored] == [
        (MARKUP_NAME, "application/pdf", 14),
        ("naïve photo.jpg", "not a type", 8),
    ]
    mime = message_from_bytes(
        build_mime(Message.objects.get(pk=reply.pk), Outbox.objects.get(message=reply)),
        policy=policy.default,
    )
    parts = list(mime.iter_attachments())  # type: ignore[attr-defined]
    assert [(p.get_filename(), p.get_content_type(), p.get_content()) for p in parts] == [
        (MARKUP_NAME, "application/pdf", b"%PDF-1.4 label"),
        # A type the browser made up goes out as opaque bytes.
        ("naïve photo.jpg", "application/octet-stream", b"\xff\xd8\xff jpeg"),
    ]
    assert mime.get_body(("plain",)).get_content().strip() == "Here is your return label."  # type: ignore[union-attr]


def test_attachments_past_the_limit_refuse_the_whole_reply(
    account: SellerAccount, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sellerdesk.tickets.actions.core.MAX_REPLY_ATTACHMENT_BYTES", 10)
    ticket = open_buyer_ticket(account, FrozenClock(START))
    files = (
        IncomingFile("a.txt", "text/plain", b"123456"),
        IncomingFile("b.txt", "text/plain", b"12345"),
    )

    with pytest.raises(ActionError, match="larger than"):
        actions.do_reply(ticket, author=agent, text="See attached", attachments=files)

    assert (Outbox.objects.count(), Attachment.objects.count()) == (0, 0)
    assert Message.objects.filter(direction="out").count() == 0
