"""Buyer mail for browser tests, delivered through the real ingest path (parser, sanitizer,
threading), so the pages show what they would show for mail from outside."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from django.utils import timezone

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail.ingest import ingest
from sellerdesk.tickets.models import Ticket
from tests.factories import make_account

SUPPORT = "support@acme-outdoor.example"
SENDER = "replies@acme-outdoor.example"


def seller_account(name: str = "Acme Outdoor") -> SellerAccount:
    return make_account(name, support_address=SUPPORT, sender_address=SENDER)


def buyer_mail(
    message_id: str,
    *,
    subject: str,
    text: str,
    sender_name: str = "Jane Buyer",
    sender: str = "8f14e45fceea167a5a36dedd4bea2543@relay.walmart.com",
    html: str = "",
    attachments: tuple[tuple[str, bytes], ...] = (),
) -> bytes:
    mail = EmailMessage()
    mail["From"] = Address(display_name=sender_name, addr_spec=sender)
    mail["To"] = SUPPORT
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = f"<{message_id}>"
    mail.set_content(text)
    if html:
        mail.add_alternative(html, subtype="html")
    for filename, data in attachments:
        mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    # Unfolded headers: the standard library's folding of a long quoted display name drops
    # its quotes and would garble the very sender name under test.
    return mail.as_bytes(policy=SMTP.clone(max_line_length=None))


def deliver(raw: bytes, account: SellerAccount) -> Ticket:
    result = ingest(raw, account=account)
    assert result.ticket_id is not None, result
    return Ticket.objects.get(pk=result.ticket_id)
