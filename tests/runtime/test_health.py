from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from sellerdesk.lib.clock import system_clock
from sellerdesk.runtime.models import JobRun

pytestmark = pytest.mark.django_db


def test_healthy_before_the_first_heartbeat_and_with_a_fresh_one() -> None:
    body = Client().get("/healthz").json()
    assert body["ok"] is True
    assert body["queue"]["last_heartbeat_seconds_ago"] is None
    now = system_clock.now()
    JobRun.objects.create(job="heartbeat", tick=now, started_at=now - timedelta(seconds=30))
    body = Client().get("/healthz").json()
    assert body["ok"] is True
    assert 29 <= body["queue"]["last_heartbeat_seconds_ago"] < 120


def test_a_stale_heartbeat_makes_the_process_unhealthy() -> None:
    now = system_clock.now()
    JobRun.objects.create(job="heartbeat", tick=now, started_at=now - timedelta(minutes=10))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"]["ok"] is False
    assert response.json()["database"]["ok"] is True
