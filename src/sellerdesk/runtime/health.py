"""`/healthz`: can this process reach the database, the cache and the queue, and is a
scheduler alive? JSON, 200 when every check passes, 503 otherwise (for load balancers)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sellerdesk.lib.clock import system_clock
from sellerdesk.runtime.models import JobRun
from sellerdesk.runtime.queue import huey

# The heartbeat job runs every minute; three missed minutes means no scheduler or worker.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict[str, Any]:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": ok}


def check_queue() -> dict[str, Any]:
    pending = huey.pending_count()
    last = JobRun.objects.filter(job="heartbeat").order_by("-started_at").first()
    age = None if last is None else (system_clock.now() - last.started_at).total_seconds()
    # A process that just started has had no chance to beat yet: report, don't fail, until
    # the first heartbeat exists; after that a stale one is a failure.
    scheduler_ok = age is None or age < HEARTBEAT_STALE_AFTER.total_seconds()
    return {"ok": scheduler_ok, "pending": pending, "last_heartbeat_seconds_ago": age}


CHECKS = {"database": check_database, "cache": check_cache, "queue": check_queue}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:
            # The class name only: a driver message can carry a DSN with a password in it.
            results[name] = {"ok": False, "error": type(error).__name__}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse({"ok": healthy, **results}, status=200 if healthy else 503)
