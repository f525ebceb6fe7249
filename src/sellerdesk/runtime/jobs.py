"""Periodic jobs: registered once, run at most once per scheduled minute, and recorded.

Each job is a Huey periodic task wrapped so that its run is claimed by inserting a `JobRun`
row for the scheduled minute (a unique key): a second enqueue of the same tick, from a
scheduler hand-over for instance, finds the row and does nothing.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from huey import crontab

from sellerdesk.lib.clock import system_clock
from sellerdesk.runtime import leases
from sellerdesk.runtime.models import JobRun
from sellerdesk.runtime.queue import huey

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    function: Callable[[], str]
    task: object  # the Huey task; calling it enqueues one run


REGISTRY: dict[str, PeriodicJob] = {}


def claim_tick(name: str, tick: datetime) -> JobRun | None:
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=name, tick=tick, started_at=system_clock.now(), worker=leases.process_identity()
            )
    except IntegrityError:
        return None


def run_job(name: str, function: Callable[[], str], tick: datetime) -> str:
    run = claim_tick(name, tick)
    if run is None:
        log.info("periodic job %s for %s already ran; skipping", name, tick)
        return "skipped"
    try:
        detail = function()
    except Exception as error:
        run.outcome = JobRun.Outcome.FAILED
        run.detail = "".join(traceback.format_exception_only(error)).strip()[:2000]
        log.exception("periodic job %s failed", name)
        raise
    else:
        run.outcome = JobRun.Outcome.OK
        run.detail = detail[:2000]
        return detail
    finally:
        run.finished_at = system_clock.now()
        run.save(update_fields=["outcome", "detail", "finished_at"])


def periodic_job(name: str, schedule: crontab) -> Callable[[Callable[[], str]], PeriodicJob]:
    """Register `function` (returning a one-line summary) to run on `schedule`.

    A scheduled run belongs to its minute. A run enqueued by hand (the demo check, an
    operator) passes its own exact `tick` (ISO 8601), so it never collides with the schedule
    and the caller can find its JobRun. Huey keeps no results for periodic tasks: the JobRun
    row is the result."""

    def register(function: Callable[[], str]) -> PeriodicJob:
        def execute(tick: str | None = None) -> str:
            when = (
                datetime.fromisoformat(tick)
                if tick
                else system_clock.now().replace(second=0, microsecond=0)
            )
            return run_job(name, function, when)

        execute.__name__ = f"job_{name}"
        task = huey.periodic_task(schedule, name=f"job.{name}")(execute)
        job = PeriodicJob(name=name, function=function, task=task)
        REGISTRY[name] = job
        return job

    return register


def enqueue_manual_run(job: PeriodicJob) -> datetime:
    """Queue one run of `job` now, outside its schedule; returns the tick to look it up by."""
    tick = system_clock.now()
    job.task(tick=tick.isoformat())  # type: ignore[operator]
    return tick
