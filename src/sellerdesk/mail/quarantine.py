"""Retrying quarantined mail once whatever broke it has been fixed."""

from __future__ import annotations

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.mail.ingest import IngestResult, ingest
from sellerdesk.mail.models import QuarantinedMail


def retry(item: QuarantinedMail, *, clock: Clock = system_clock) -> IngestResult:
    """Ingest the kept message again. Success (or a duplicate: it came in another way)
    resolves the quarantine entry; a second failure leaves it open with the new reason,
    without a second copy."""
    with item.raw.open("rb") as handle:
        raw = handle.read()
    result = ingest(
        raw,
        account=item.account,
        mailbox=item.mailbox,
        delivered_at=item.delivered_at,
        source=item.source,
        clock=clock,
        quarantine_into=item,
    )
    if result.outcome != "quarantined":
        item.resolved_at = clock.now()
        item.resolution = result.outcome
        item.save(update_fields=["resolved_at", "resolution"])
    return result
