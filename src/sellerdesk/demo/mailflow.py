"""The demo's mail: a Maildir per demo account that the demo's "Walmart relay" delivers
buyer messages and notices into, and a local SMTP server that receives our replies and keeps
them in a Maildir the "Mail sent" page lists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.demo.mailgen import demo_mail
from sellerdesk.lib.clock import system_clock
from sellerdesk.mail.fetch import FetchSummary, fetch_mailbox
from sellerdesk.mail.models import Mailbox
from sellerdesk.mail.transport.maildir import deliver, read_new
from sellerdesk.mail.transport.smtpd import LocalSmtpServer, RecordingHandler


def sent_mail_dir() -> Path:
    return Path(settings.VAR_DIR) / "smtp-received"


class MaildirRecordingHandler(RecordingHandler):
    """Keeps what the demo SMTP server receives on disk, so any process can list it."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        folder = sent_mail_dir()
        folder.parent.mkdir(parents=True, exist_ok=True)
        deliver(folder, bytes(envelope.original_content or b""))
        return answer


@contextmanager
def demo_smtp_server() -> Iterator[LocalSmtpServer]:
    server = LocalSmtpServer("127.0.0.1", handler=MaildirRecordingHandler())
    with server:
        yield server


def wire_accounts(accounts: list[SellerAccount], smtp_port: int) -> list[Mailbox]:
    """Point each demo account's replies at the local SMTP server and give it a Maildir."""
    mailboxes = []
    for account in accounts:
        account.smtp_host, account.smtp_port = "127.0.0.1", smtp_port
        account.smtp_security = SellerAccount.SmtpSecurity.NONE
        account.save(update_fields=["smtp_host", "smtp_port", "smtp_security"])
        slug = account.name.lower().replace(" ", "-")
        path = Path(settings.VAR_DIR) / "mail" / slug
        mailbox, _ = Mailbox.objects.update_or_create(
            name=f"{slug}-inbox",
            defaults={"kind": Mailbox.Kind.MAILDIR, "account": account, "path": str(path)},
        )
        mailboxes.append(mailbox)
    return mailboxes


def deliver_demo_mail(accounts: list[SellerAccount], mailboxes: list[Mailbox]) -> int:
    """Fill each empty demo Maildir once (stable Message-IDs make a second delivery a no-op)."""
    delivered = 0
    now = system_clock.now()
    for account, mailbox in zip(accounts, mailboxes, strict=True):
        path = Path(mailbox.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and any(True for _ in read_new(path)):
            continue
        for raw, reached_at in demo_mail(account, now):
            deliver(path, raw, delivered_at=reached_at)
            delivered += 1
    return delivered


def fetch_all(mailboxes: list[Mailbox]) -> list[FetchSummary]:
    return [fetch_mailbox(mailbox) for mailbox in mailboxes]
