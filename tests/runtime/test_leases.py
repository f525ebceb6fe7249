from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sellerdesk.lib.clock import FrozenClock
from sellerdesk.runtime import leases
from sellerdesk.runtime.models import Lease

pytestmark = pytest.mark.django_db

TTL = timedelta(seconds=60)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 2, 12, 0, tzinfo=UTC))


def test_one_holder_at_a_time(clock: FrozenClock) -> None:
    assert leases.acquire("account:1", "worker-a", TTL, clock=clock)
    assert not leases.acquire("account:1", "worker-b", TTL, clock=clock)
    assert leases.holder_of("account:1", clock=clock) == "worker-a"
    # Different work is independent.
    assert leases.acquire("account:2", "worker-b", TTL, clock=clock)


def test_the_holder_renews_and_the_expiry_moves(clock: FrozenClock) -> None:
    leases.acquire("mailbox:7", "worker-a", TTL, clock=clock)
    clock.advance(timedelta(seconds=50))
    assert leases.acquire("mailbox:7", "worker-a", TTL, clock=clock)
    assert Lease.objects.get(name="mailbox:7").expires_at == clock.now() + TTL
    clock.advance(timedelta(seconds=50))
    assert not leases.acquire("mailbox:7", "worker-b", TTL, clock=clock)


def test_an_expired_lease_passes_to_another_worker(clock: FrozenClock) -> None:
    leases.acquire("account:1", "worker-a", TTL, clock=clock)
    clock.advance(TTL)
    assert leases.holder_of("account:1", clock=clock) is None
    assert leases.acquire("account:1", "worker-b", TTL, clock=clock)
    assert leases.holder_of("account:1", clock=clock) == "worker-b"
    assert Lease.objects.count() == 1


def test_release_only_by_the_holder(clock: FrozenClock) -> None:
    leases.acquire("account:1", "worker-a", TTL, clock=clock)
    leases.release("account:1", "worker-b")
    assert leases.holder_of("account:1", clock=clock) == "worker-a"
    leases.release("account:1", "worker-a")
    assert leases.acquire("account:1", "worker-b", TTL, clock=clock)


def test_held_context_releases_at_the_end(clock: FrozenClock) -> None:
    with leases.held("account:9", TTL, holder="w1", clock=clock) as mine:
        assert mine
        with leases.held("account:9", TTL, holder="w2", clock=clock) as theirs:
            assert not theirs
    assert leases.holder_of("account:9", clock=clock) is None


def test_a_lost_creation_race_reports_not_acquired(clock: FrozenClock) -> None:
    # The row appears between our UPDATE (no row yet) and our INSERT: the unique key decides.
    Lease.objects.create(
        name="account:3", holder="worker-a", expires_at=clock.now() + TTL, acquired_at=clock.now()
    )
    assert not leases.acquire("account:3", "worker-b", TTL, clock=clock)
