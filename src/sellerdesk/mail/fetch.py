"""Fetching a mailbox: IMAP by UID with UIDVALIDITY, or a Maildir by key.

A message counts as taken only once its transaction has committed: the folder's last UID
(or the Maildir key) is recorded in the same transaction as the ticket change, so a crash
between the two can only make us read a message again, and Message-ID deduplication makes
that harmless. Messages are taken in batches (`ingest_batch.py`): one transaction per batch
records the batch's last UID, and a batch that fails is taken again one message at a time.
One mailbox is worked by one worker at a time (its lease).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.mail.ingest import IngestResult
from sellerdesk.mail.ingest_batch import RawMail, batches, ingest_batch
from sellerdesk.mail.models import FolderState, Mailbox, MaildirSeen
from sellerdesk.mail.transport.imap import ImapError, ImapMailbox, ImapSettings
from sellerdesk.mail.transport.maildir import read_new
from sellerdesk.runtime import leases

log = logging.getLogger(__name__)

MAILBOX_LEASE_TTL = timedelta(minutes=5)


class MailboxBusy(Exception):
    """Another worker is fetching this mailbox."""


@dataclass
class FetchSummary:
    """What a fetch (or an import) did, as `ingest-eml` and `fetchmail` print it."""

    ingested: int = 0
    new_tickets: int = 0
    threaded: int = 0
    linked_to_order: int = 0
    outgoing: int = 0
    quarantined: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, result: IngestResult) -> None:
        if result.outcome == "duplicate":
            self.duplicates += 1
        elif result.outcome == "quarantined":
            self.quarantined += 1
        else:
            self.ingested += 1
            self.new_tickets += result.new_ticket
            self.threaded += result.threaded
            self.linked_to_order += result.linked_order
            self.outgoing += result.outgoing

    def as_dict(self) -> dict[str, object]:
        return {
            "ingested": self.ingested,
            "new_tickets": self.new_tickets,
            "threaded": self.threaded,
            "linked_to_order": self.linked_to_order,
            "outgoing": self.outgoing,
            "quarantined": self.quarantined,
            "duplicates": self.duplicates,
            **({"errors": self.errors} if self.errors else {}),
        }


def imap_settings(mailbox: Mailbox) -> ImapSettings:
    return ImapSettings(
        host=mailbox.host,
        port=mailbox.port or (993 if mailbox.security == Mailbox.Security.TLS else 143),
        security=mailbox.security,
        username=mailbox.username,
        password=mailbox.password(),
        ca_file=mailbox.ca_file or None,
    )


def _fetch_imap(
    mailbox: Mailbox, summary: FetchSummary, clock: Clock, renew: Callable[[], None]
) -> None:
    folders = list(
        dict.fromkeys([*mailbox.folders, *([mailbox.sent_folder] if mailbox.sent_folder else [])])
    )
    with ImapMailbox(imap_settings(mailbox)) as imap:
        for folder in folders or ["INBOX"]:
            state, _ = FolderState.objects.get_or_create(mailbox=mailbox, folder=folder)
            uidvalidity = imap.select(folder)
            if uidvalidity != state.uidvalidity:
                if state.uidvalidity:
                    log.warning(
                        "%s/%s: UIDVALIDITY changed; reading the folder again", mailbox.name, folder
                    )
                state.uidvalidity, state.last_uid = uidvalidity, 0
                state.save(update_fields=["uidvalidity", "last_uid"])
            uids = imap.uids_after(folder, state.last_uid)
            fetched = (
                RawMail(
                    mail.raw,
                    key=mail.uid,
                    delivered_at=mail.internal_date,
                    source=f"{mailbox.name}:{folder}:{mail.uidvalidity}:{mail.uid}",
                )
                for mail in imap.fetch(folder, uids)
            )

            def taken(mails: Sequence[RawMail[int]], state: FolderState = state) -> None:
                # UIDs come in ascending order: the last one taken is how far we are.
                FolderState.objects.filter(pk=state.pk).update(last_uid=mails[-1].key)

            for batch in batches(fetched):
                for result in ingest_batch(
                    batch, account=mailbox.account, mailbox=mailbox, clock=clock, taken=taken
                ):
                    summary.add(result)
                renew()


def _fetch_maildir(
    mailbox: Mailbox, summary: FetchSummary, clock: Clock, renew: Callable[[], None]
) -> None:
    seen = set(MaildirSeen.objects.filter(mailbox=mailbox).values_list("key", flat=True))
    found = (
        RawMail(
            mail.raw,
            key=mail.key,
            delivered_at=mail.delivered_at,
            source=f"{mailbox.name}:{mail.key}",
        )
        for mail in read_new(Path(mailbox.path), seen=seen.__contains__)
    )

    def taken(mails: Sequence[RawMail[str]]) -> None:
        MaildirSeen.objects.bulk_create(
            [MaildirSeen(mailbox=mailbox, key=mail.key) for mail in mails], ignore_conflicts=True
        )

    for batch in batches(found):
        for result in ingest_batch(
            batch, account=mailbox.account, mailbox=mailbox, clock=clock, taken=taken
        ):
            summary.add(result)
        renew()


def fetch_mailbox(mailbox: Mailbox, *, clock: Clock = system_clock) -> FetchSummary:
    """Fetch one mailbox under its lease. A connection or login failure is recorded on the
    mailbox and returned in the summary; it never affects other mailboxes."""
    holder = f"{leases.process_identity()}:mail"
    name = f"mailbox:{mailbox.pk}"
    if not leases.acquire(name, holder, MAILBOX_LEASE_TTL, clock=clock):
        raise MailboxBusy(
            f"{mailbox.name} is being fetched by {leases.holder_of(name, clock=clock)}"
        )

    def renew() -> None:
        leases.acquire(name, holder, MAILBOX_LEASE_TTL, clock=clock)

    summary = FetchSummary()
    try:
        if mailbox.kind == Mailbox.Kind.IMAP:
            _fetch_imap(mailbox, summary, clock, renew)
        else:
            _fetch_maildir(mailbox, summary, clock, renew)
        mailbox.last_error = ""
    except (ImapError, OSError) as error:
        summary.errors.append(f"{mailbox.name}: {error}")
        mailbox.last_error = str(error)[:2000]
        log.warning("fetching %s failed: %s", mailbox.name, error)
    finally:
        leases.release(name, holder)
    mailbox.last_fetch_at = clock.now()
    mailbox.save(update_fields=["last_fetch_at", "last_error"])
    return summary
