from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sellerdesk.lib.clock import system_clock
from sellerdesk.runtime import jobs
from sellerdesk.runtime.models import JobRun, Lease
from sellerdesk.runtime.tasks import housekeeping

pytestmark = pytest.mark.django_db

TICK = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def test_a_tick_runs_once_even_if_enqueued_twice() -> None:
    calls: list[str] = []

    def work() -> str:
        calls.append("ran")
        return "did it"

    assert jobs.run_job("example", work, TICK) == "did it"
    assert jobs.run_job("example", work, TICK) == "skipped"
    assert calls == ["ran"]
    run = JobRun.objects.get()
    assert (run.job, run.tick, run.outcome, run.detail) == ("example", TICK, "ok", "did it")
    assert run.finished_at is not None


def test_a_failed_run_is_recorded_with_its_error() -> None:
    def broken() -> str:
        raise RuntimeError("emulator unreachable")

    with pytest.raises(RuntimeError):
        jobs.run_job("example", broken, TICK)
    run = JobRun.objects.get()
    assert (run.outcome, run.detail) == ("failed", "RuntimeError: emulator unreachable")


def test_every_registered_job_runs_through_its_task() -> None:
    # huey is in immediate mode in tests: calling the task runs it here and now.
    assert {"heartbeat", "housekeeping"} <= set(jobs.REGISTRY)
    for job in jobs.REGISTRY.values():
        tick = jobs.enqueue_manual_run(job)
        assert JobRun.objects.get(job=job.name, tick=tick).outcome == "ok"


def test_housekeeping_prunes_old_runs_and_dead_leases() -> None:
    now = system_clock.now()
    JobRun.objects.create(job="old", tick=TICK, started_at=now - timedelta(days=15))
    JobRun.objects.create(job="recent", tick=TICK, started_at=now - timedelta(days=1))
    Lease.objects.create(
        name="gone",
        holder="x",
        expires_at=now - timedelta(days=2),
        acquired_at=now - timedelta(days=2),
    )
    Lease.objects.create(
        name="live", holder="y", expires_at=now + timedelta(seconds=30), acquired_at=now
    )
    assert housekeeping.function() == "pruned 1 job runs, 1 expired leases"
    assert list(JobRun.objects.values_list("job", flat=True)) == ["recent"]
    assert list(Lease.objects.values_list("name", flat=True)) == ["live"]
