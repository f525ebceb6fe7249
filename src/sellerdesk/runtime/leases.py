"""Leases: one worker at a time per account, mailbox or scheduler, with no in-memory lock.

A lease expires on its own, so a worker that dies frees its work after `ttl` without anyone
cleaning up; a live worker renews before then.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache

from django.db import IntegrityError, transaction
from django.db.models import Q

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.runtime.models import Lease


@cache
def process_identity() -> str:
    """host:pid:random — unique per process even when pids are reused across containers."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, holder: str, ttl: timedelta, *, clock: Clock = system_clock) -> bool:
    """Take or renew the lease; True if `holder` holds it afterwards."""
    now = clock.now()
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(expires_at__lte=now))
        .update(holder=holder, expires_at=now + ttl, acquired_at=now)
    )
    if taken:
        return True
    try:
        # A savepoint, so a lost race to create the row leaves the caller's transaction usable.
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=now + ttl, acquired_at=now)
    except IntegrityError:
        return False
    return True


def release(name: str, holder: str) -> None:
    """Give the lease up at once (only if we still hold it: it may have expired and moved)."""
    Lease.objects.filter(name=name, holder=holder).delete()


def holder_of(name: str, *, clock: Clock = system_clock) -> str | None:
    lease = Lease.objects.filter(name=name, expires_at__gt=clock.now()).first()
    return lease.holder if lease else None


@contextmanager
def held(
    name: str, ttl: timedelta, *, holder: str | None = None, clock: Clock = system_clock
) -> Iterator[bool]:
    """`with held("account:3", ttl) as mine:` — `mine` says whether to do the work."""
    me = holder or f"{process_identity()}:{uuid.uuid4().hex[:6]}"
    mine = acquire(name, me, ttl, clock=clock)
    try:
        yield mine
    finally:
        if mine:
            release(name, me)
