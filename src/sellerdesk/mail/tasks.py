"""Periodic mail work: fetch every mailbox (a task each, so one broken or slow mailbox never
holds up another), and send due replies."""

from __future__ import annotations

from huey import crontab

from sellerdesk.mail.fetch import MailboxBusy, fetch_mailbox
from sellerdesk.mail.models import Mailbox
from sellerdesk.mail.send import send_due
from sellerdesk.runtime.jobs import periodic_job
from sellerdesk.runtime.queue import huey


@huey.task(name="mail.fetch_mailbox")
def fetch_mailbox_task(mailbox_id: int) -> str:
    mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
    if mailbox is None:
        return "mailbox gone or disabled"
    try:
        summary = fetch_mailbox(mailbox)
    except MailboxBusy as busy:
        return str(busy)
    return f"{mailbox.name}: {summary.as_dict()}"


@periodic_job("mail_fetch", crontab(minute="*"))
def mail_fetch() -> str:
    ids = list(Mailbox.objects.filter(active=True).values_list("pk", flat=True))
    for mailbox_id in ids:
        fetch_mailbox_task(mailbox_id)
    return f"queued {len(ids)} mailbox fetches"


@periodic_job("mail_send", crontab(minute="*"))
def mail_send() -> str:
    counts = send_due()
    return ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "nothing due"


@huey.task(name="mail.send_now")
def send_now() -> str:
    """Queued right after a reply is committed, so it need not wait for the minute tick."""
    return mail_send.function()
