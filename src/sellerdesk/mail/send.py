"""Sending queued replies: Outbox -> the account's SMTP server, at most once.

The MIME message is built from the stored reply (From the approved sender, To the relay
address, with Message-ID, In-Reply-To and References), handed to the SMTP transport, and
the answer recorded through `tickets.actions`. A temporary failure is retried with backoff,
a permanent one is marked failed, and an uncertain one (the connection broke after the data
was sent) is shown to an agent and never resent on its own.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.mail.transport.smtp import (
    SmtpPermanentError,
    SmtpSettings,
    SmtpTemporaryError,
    SmtpUncertainError,
    send,
)
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Message, Outbox

log = logging.getLogger(__name__)

# A worker that claimed a delivery and has not recorded an answer after this long has died.
ABANDONED_AFTER = timedelta(minutes=10)


def smtp_settings(account: SellerAccount) -> SmtpSettings:
    credentials = account.credentials()
    security = account.smtp_security
    default_port = {"tls": 465, "starttls": 587}.get(security, 25)
    return SmtpSettings(
        host=account.smtp_host,
        port=account.smtp_port or default_port,
        security=security,
        username=account.smtp_user,
        password=credentials.get("smtp_password", ""),
    )


def build_mime(message: Message, outbox: Outbox) -> bytes:
    mime = EmailMessage()
    mime["From"] = formataddr((message.sender_name, outbox.sender))
    mime["To"] = ", ".join(outbox.recipients)
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at)
    mime["Message-ID"] = f"<{message.message_id}>"
    if message.in_reply_to:
        mime["In-Reply-To"] = f"<{message.in_reply_to}>"
    if message.references:
        mime["References"] = " ".join(f"<{ref}>" for ref in message.references)
    # RFC 3834: marks us as a human reply channel, so auto-responders may answer us but we
    # recognise their answers; we never auto-reply ourselves.
    mime["Auto-Submitted"] = "no"
    mime.set_content(message.text)
    for attachment in message.attachments.order_by("pk"):
        maintype, _, subtype = attachment.content_type.partition("/")
        if not (maintype and subtype) or maintype == "multipart":
            # A browser's guess we cannot trust as a MIME structure: send opaque bytes.
            maintype, subtype = "application", "octet-stream"
        with attachment.file.open("rb") as stored:
            data = stored.read()
        # The filename goes in as a parameter the email package quotes (RFC 2231 for
        # non-ASCII); control characters were taken out when the file was attached.
        mime.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return mime.as_bytes()


def deliver(outbox: Outbox, *, clock: Clock = system_clock) -> str:
    message = outbox.message
    account = message.ticket.account
    if not account.smtp_host:
        actions.mark_failed(
            outbox, error=f"{account.name} has no SMTP server configured", now=clock.now()
        )
        return "failed"
    raw = build_mime(message, outbox)
    try:
        result = send(
            smtp_settings(account),
            sender=outbox.sender,
            recipients=list(outbox.recipients),
            raw=raw,
        )
    except SmtpUncertainError as error:
        actions.mark_uncertain(outbox, error=str(error), now=clock.now())
        return "uncertain"
    except SmtpPermanentError as error:
        actions.mark_failed(outbox, error=str(error), now=clock.now())
        return "failed"
    except SmtpTemporaryError as error:
        retrying = actions.mark_temporary_failure(outbox, error=str(error), now=clock.now())
        return "retry" if retrying else "failed"
    actions.mark_sent(outbox, accepted_at=result.accepted_at, response=result.response)
    return "sent"


def send_due(*, clock: Clock = system_clock, limit: int = 50) -> dict[str, int]:
    """Deliver every reply that is due; then turn abandoned deliveries into uncertain ones."""
    counts: dict[str, int] = {}
    for outbox in actions.claim_due(clock.now(), limit=limit):
        outcome = deliver(outbox, clock=clock)
        counts[outcome] = counts.get(outcome, 0) + 1
    abandoned = actions.sweep_abandoned(clock.now(), older_than=ABANDONED_AFTER)
    if abandoned:
        counts["uncertain"] = counts.get("uncertain", 0) + abandoned
    return counts
