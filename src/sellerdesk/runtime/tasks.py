"""The runtime's own tasks: a ping and a heartbeat to prove a consumer is alive, and
housekeeping."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab

from sellerdesk.lib.clock import system_clock
from sellerdesk.runtime import leases
from sellerdesk.runtime.jobs import periodic_job
from sellerdesk.runtime.models import JobRun, Lease
from sellerdesk.runtime.queue import SCHEDULER_LEASE, huey

JOB_HISTORY = timedelta(days=14)


@huey.task(name="runtime.ping")
def ping() -> str:
    """Answers with the identity of the process that ran it."""
    return leases.process_identity()


@periodic_job("heartbeat", crontab(minute="*"))
def heartbeat() -> str:
    """A run a minute: its JobRun rows are how /healthz knows the scheduler and a worker live."""
    return f"scheduled by {leases.holder_of(SCHEDULER_LEASE) or 'nobody'}"


@periodic_job("housekeeping", crontab(minute="17"))
def housekeeping() -> str:
    """Forget old job runs and long-expired leases, so both tables stay small."""
    now = system_clock.now()
    runs, _ = JobRun.objects.filter(started_at__lt=now - JOB_HISTORY).delete()
    stale, _ = Lease.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    return f"pruned {runs} job runs, {stale} expired leases"
