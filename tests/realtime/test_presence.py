"""Presence in the cache, with an injected clock: who is on a ticket, typing, the soft
claim, and how entries lapse without anyone sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sellerdesk.lib.clock import FrozenClock
from sellerdesk.realtime import presence
from sellerdesk.realtime.presence import PRESENCE_TTL, TYPING_TTL


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def on(ticket: int, clock: FrozenClock) -> dict[str, str]:
    return {v.name: v.activity for v in presence.current(ticket, clock=clock).viewers}


def test_a_socket_that_stops_sending_heartbeats_lapses_within_the_ttl(clock: FrozenClock) -> None:
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    clock.advance(PRESENCE_TTL - timedelta(seconds=1))
    assert on(7, clock) == {"alice": "viewing"}
    clock.advance(timedelta(seconds=1))
    assert on(7, clock) == {}


def test_heartbeats_keep_a_viewer_present_and_a_reconnect_brings_them_back(
    clock: FrozenClock,
) -> None:
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    for _ in range(6):  # a minute of heartbeats every 10 s
        clock.advance(presence.HEARTBEAT)
        presence.heartbeat(7, "tab-a", 1, "alice", clock=clock)
    assert on(7, clock) == {"alice": "viewing"}
    assert presence.current(7, clock=clock).viewers[0].expires_in == 30.0
    clock.advance(PRESENCE_TTL)  # the network dropped
    assert on(7, clock) == {}
    presence.join(7, "tab-a2", 1, "alice", clock=clock)  # the browser reconnected
    assert on(7, clock) == {"alice": "viewing"}


def test_closing_the_tab_removes_the_viewer_at_once(clock: FrozenClock) -> None:
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    presence.join(7, "tab-b", 2, "bob", clock=clock)
    update = presence.leave(7, "tab-a", clock=clock)
    assert [v.name for v in update.before.viewers] == ["alice", "bob"]
    assert on(7, clock) == {"bob": "viewing"}
    assert update.inbox_changed is True


def test_two_tabs_of_one_agent_are_one_viewer_until_both_close(clock: FrozenClock) -> None:
    presence.join(7, "tab-1", 1, "alice", clock=clock)
    presence.join(7, "tab-2", 1, "alice", clock=clock)
    assert len(presence.current(7, clock=clock).viewers) == 1
    assert presence.leave(7, "tab-1", clock=clock).inbox_changed is False
    assert on(7, clock) == {"alice": "viewing"}
    presence.leave(7, "tab-2", clock=clock)
    assert on(7, clock) == {}


def test_typing_shows_what_is_typed_and_falls_back_to_viewing(clock: FrozenClock) -> None:
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    presence.join(7, "tab-b", 2, "bob", clock=clock)
    presence.typing(7, "tab-a", 1, "alice", "reply", may_claim=False, clock=clock)
    presence.typing(7, "tab-b", 2, "bob", "note", may_claim=False, clock=clock)
    assert on(7, clock) == {"alice": "reply", "bob": "note"}
    assert presence.current(7, clock=clock).viewers[0].typing_for == 6.0
    clock.advance(TYPING_TTL)
    assert on(7, clock) == {"alice": "viewing", "bob": "viewing"}
    presence.typing(7, "tab-a", 1, "alice", "reply", may_claim=False, clock=clock)
    presence.idle(7, "tab-a", 1, "alice", clock=clock)
    assert on(7, clock) == {"alice": "viewing", "bob": "viewing"}


def test_the_first_reply_typist_claims_an_unassigned_ticket_until_they_leave(
    clock: FrozenClock,
) -> None:
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    presence.join(7, "tab-b", 2, "bob", clock=clock)
    # A note is no answer to the buyer: it claims nothing.
    assert (
        presence.typing(7, "tab-b", 2, "bob", "note", may_claim=True, clock=clock).claimed is False
    )
    first = presence.typing(7, "tab-a", 1, "alice", "reply", may_claim=True, clock=clock)
    second = presence.typing(7, "tab-b", 2, "bob", "reply", may_claim=True, clock=clock)
    assert (first.claimed, second.claimed) == (True, False)
    assert first.inbox_changed is True
    assert presence.current(7, clock=clock).claim == (1, "alice")
    clock.advance(TYPING_TTL * 3)  # alice stopped typing but still has the ticket open
    presence.heartbeat(7, "tab-a", 1, "alice", clock=clock)
    assert presence.current(7, clock=clock).claim == (1, "alice")
    presence.leave(7, "tab-a", clock=clock)
    assert presence.current(7, clock=clock).claim is None
    # Now bob may claim it.
    assert presence.typing(7, "tab-b", 2, "bob", "reply", may_claim=True, clock=clock).claimed


def test_a_claim_lapses_with_the_claimants_presence(clock: FrozenClock) -> None:
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    presence.typing(7, "tab-a", 1, "alice", "reply", may_claim=True, clock=clock)
    presence.join(7, "tab-b", 2, "bob", clock=clock)
    clock.advance(PRESENCE_TTL - timedelta(seconds=5))
    presence.heartbeat(7, "tab-b", 2, "bob", clock=clock)
    clock.advance(timedelta(seconds=5))  # alice's network dropped long ago
    assert presence.current(7, clock=clock).claim is None
    assert on(7, clock) == {"bob": "viewing"}


def test_an_assigned_ticket_is_not_claimed(clock: FrozenClock) -> None:
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    update = presence.typing(7, "tab-a", 1, "alice", "reply", may_claim=False, clock=clock)
    assert update.claimed is False
    assert update.after.claim is None


def test_an_inbox_page_reads_many_tickets_at_once(clock: FrozenClock) -> None:
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    presence.join(9, "tab-b", 2, "bob", clock=clock)
    presence.typing(9, "tab-b", 2, "bob", "reply", may_claim=True, clock=clock)
    found = presence.current_many([7, 8, 9], clock=clock)
    assert sorted(found) == [7, 9]
    assert found[9].inbox_payload() == {
        "type": "inbox.presence",
        "ticket": 9,
        "viewers": [{"user": 2, "name": "bob"}],
        "replying": {"user": 2, "name": "bob"},
    }


def test_the_payload_is_what_the_browser_reads(clock: FrozenClock) -> None:
    presence.join(7, "tab-b", 2, "bob", clock=clock)
    presence.join(7, "tab-a", 1, "alice", clock=clock)
    clock.advance(timedelta(seconds=4))
    presence.typing(7, "tab-a", 1, "alice", "reply", may_claim=True, clock=clock)
    clock.advance(timedelta(seconds=1))
    assert presence.current(7, clock=clock).payload() == {
        "type": "presence",
        "ticket": 7,
        "viewers": [
            {
                "user": 1,
                "name": "alice",
                "activity": "reply",
                "typing_for": 5.0,
                "expires_in": 29.0,
            },
            {
                "user": 2,
                "name": "bob",
                "activity": "viewing",
                "typing_for": 0.0,
                "expires_in": 25.0,
            },
        ],
        "claim": {"user": 1, "name": "alice"},
    }
