"""The task queue: Huey on Redis (scale-out) or on a SQLite file (embedded).

Exactly one scheduler enqueues periodic work however many workers run: each consumer's
scheduler asks for the "scheduler" lease before reading the periodic schedule, and only the
holder gets any tasks back. If the holder dies, its lease lapses and another worker takes over.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from sellerdesk.runtime import leases

log = logging.getLogger(__name__)

SCHEDULER_LEASE = "scheduler"
# The scheduler reads the schedule once a minute; a lease of a little over two minutes
# survives one slow tick but hands over quickly when the holder is gone.
SCHEDULER_LEASE_TTL = timedelta(seconds=130)


class LeasedScheduleMixin:
    """Makes `read_periodic` return nothing unless this process holds the scheduler lease."""

    def read_periodic(self, timestamp: datetime | None) -> list[Any]:
        try:
            mine = leases.acquire(SCHEDULER_LEASE, leases.process_identity(), SCHEDULER_LEASE_TTL)
        except Exception:
            # A database hiccup must not kill the scheduler thread; skipping one tick is safe.
            log.exception("could not renew the scheduler lease; skipping this tick")
            mine = False
        finally:
            close_old_connections()
        if not mine:
            return []
        due: list[Any] = super().read_periodic(timestamp)  # type: ignore[misc]
        for task in due:
            log.info("scheduler enqueues periodic task %s", task.name)
        return due


class LeasedRedisHuey(LeasedScheduleMixin, RedisHuey):
    pass


class LeasedSqliteHuey(LeasedScheduleMixin, SqliteHuey):
    pass


class LeaseReleasingConsumer(Consumer):
    """Hands the scheduler lease over at once on a clean stop, instead of leaving the other
    workers (or this process's successor) without a scheduler until the lease lapses."""

    def stop(self, graceful: bool = False) -> None:
        super().stop(graceful=graceful)
        try:
            leases.release(SCHEDULER_LEASE, leases.process_identity())
        finally:
            close_old_connections()


class EmbeddedConsumer(LeaseReleasingConsumer):
    """A consumer run inside the web server: uvicorn owns the process's signals, so this one
    must not install handlers of its own (they would replace uvicorn's and stop Ctrl-C)."""

    def _set_signal_handlers(self) -> None:
        return None


def build_huey() -> Huey:
    if settings.REDIS_URL:
        queue: Huey = LeasedRedisHuey(settings.HUEY_NAME, url=settings.REDIS_URL)
    else:
        settings.HUEY_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        queue = LeasedSqliteHuey(settings.HUEY_NAME, filename=str(settings.HUEY_SQLITE_PATH))

    # Worker threads reuse Django's per-thread connections; drop broken or aged ones around
    # each task as Django does around each request.
    # An inline (immediate-mode) task runs on its caller's connection, perhaps inside the
    # caller's transaction: that connection is the caller's to manage, not ours to close.
    @queue.pre_execute()
    def _fresh_connection(task: Any) -> None:
        if not queue.immediate:
            close_old_connections()

    @queue.post_execute()
    def _release_connection(task: Any, task_value: Any, exc: BaseException | None) -> None:
        if not queue.immediate:
            close_old_connections()

    return queue


huey = build_huey()


def create_consumer(*, embedded: bool, workers: int | None = None) -> LeaseReleasingConsumer:
    consumer_class = EmbeddedConsumer if embedded else LeaseReleasingConsumer
    return consumer_class(
        huey,
        workers=workers or settings.HUEY_WORKERS,
        worker_type="thread",
        periodic=True,
        # Health checks restart dead worker threads in the standalone worker; in the embedded
        # mode nobody runs the consumer's main loop, so they would never run anyway.
        check_worker_health=not embedded,
    )
