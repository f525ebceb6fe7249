"""The periodic deadline sweep."""

from __future__ import annotations

from huey import crontab

from sellerdesk.lib.clock import system_clock
from sellerdesk.runtime.jobs import periodic_job
from sellerdesk.sla.sweeps import send_alert_emails, sweep


@periodic_job("sla_sweep", crontab(minute="*"))
def sla_sweep() -> str:
    now = system_clock.now()
    counts = sweep(now)
    emailed = send_alert_emails(now)
    return (
        f"{counts['changed']} tickets changed state, {counts['notified']} alerts, {emailed} emailed"
    )
