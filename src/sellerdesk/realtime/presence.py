"""Presence: who has a ticket open, who is typing on it, who has soft-claimed it.

Kept in Django's cache (Redis at scale, so every web process sees the same; the per-process
memory cache in the embedded mode, where there is one process), never in a module-level
dict. One cache entry per ticket holds that ticket's open sockets ("connections"), each with
its own expiry:

- a socket's entry lives PRESENCE_TTL after its last heartbeat (browsers send one every
  HEARTBEAT seconds), so a tab that lost its network vanishes within PRESENCE_TTL; a tab
  that closes disconnects and is removed at once; a reconnecting tab joins again;
- typing lasts TYPING_TTL after the last keystroke report, then falls back to viewing;
- the soft claim (the first agent to type a reply on an unassigned ticket) lasts as long
  as the claimant has the ticket open.

A user with two tabs is one viewer. Updates of a ticket's entry are read-modify-write, so
they take a short lock (`cache.add`, atomic on both backends): two processes updating the
same ticket at once would otherwise lose one socket until its next heartbeat.

Every function takes a `clock`, so tests move time instead of sleeping.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from django.core.cache import cache

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.realtime.events import (
    Activity,
    ClaimPayload,
    InboxPresencePayload,
    PresencePayload,
    TypingKind,
    ViewerPayload,
)

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=10)
PRESENCE_TTL = timedelta(seconds=30)
TYPING_TTL = timedelta(seconds=6)
# The cache entry outlives its sockets a little: the clock above decides who is present;
# the cache's own expiry (real time) only collects entries nobody updates any more.
_ENTRY_TIMEOUT = int(PRESENCE_TTL.total_seconds()) * 2
_LOCK_TIMEOUT = 2  # seconds; an update holds the lock for a few cache round trips
_LOCK_WAIT = 1.0

T = TypeVar("T")


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


@dataclass(frozen=True)
class Viewer:
    user: int
    name: str
    activity: Activity
    typing_for: float
    expires_in: float


@dataclass(frozen=True)
class TicketPresence:
    """Who is on one ticket now, one row per user (their tabs merged)."""

    ticket: int
    viewers: tuple[Viewer, ...] = ()
    claim: tuple[int, str] | None = None  # (user id, name)

    def payload(self) -> PresencePayload:
        claim: ClaimPayload | None = (
            {"user": self.claim[0], "name": self.claim[1]} if self.claim else None
        )
        viewers: list[ViewerPayload] = [
            {
                "user": v.user,
                "name": v.name,
                "activity": v.activity,
                "typing_for": round(v.typing_for, 1),
                "expires_in": round(v.expires_in, 1),
            }
            for v in self.viewers
        ]
        return {"type": "presence", "ticket": self.ticket, "viewers": viewers, "claim": claim}

    def inbox_payload(self) -> InboxPresencePayload:
        return {
            "type": "inbox.presence",
            "ticket": self.ticket,
            "viewers": [{"user": v.user, "name": v.name} for v in self.viewers],
            "replying": {"user": self.claim[0], "name": self.claim[1]} if self.claim else None,
        }

    def summary(self) -> tuple[tuple[int, ...], int | None]:
        """What the inbox shows (who has it open, who is replying): it is told only when
        this changes, not on every keystroke."""
        return tuple(sorted(v.user for v in self.viewers)), self.claim[0] if self.claim else None

    def shape(self) -> tuple[tuple[tuple[int, str], ...], int | None]:
        """What a ticket page shows (who, doing what, who claimed), without the timings."""
        return tuple((v.user, v.activity) for v in self.viewers), self.claim[
            0
        ] if self.claim else None

    def activity_of(self, user_id: int) -> Activity | None:
        return next((v.activity for v in self.viewers if v.user == user_id), None)


@dataclass(frozen=True)
class Update:
    before: TicketPresence
    after: TicketPresence
    claimed: bool = False  # this update won the soft claim

    @property
    def page_changed(self) -> bool:
        return self.before.shape() != self.after.shape()

    @property
    def inbox_changed(self) -> bool:
        return self.before.summary() != self.after.summary()


@dataclass
class _State:
    """The cached entry of one ticket."""

    conns: dict[str, dict[str, Any]] = field(default_factory=dict)
    claim: dict[str, Any] | None = None

    @classmethod
    def load(cls, raw: Any) -> _State:
        if not isinstance(raw, dict):
            return cls()
        return cls(conns=dict(raw.get("conns") or {}), claim=raw.get("claim"))

    def dump(self) -> dict[str, Any]:
        return {"conns": self.conns, "claim": self.claim}

    def prune(self, now: float) -> None:
        self.conns = {c: e for c, e in self.conns.items() if e["expires"] > now}
        if self.claim and not any(e["user"] == self.claim["user"] for e in self.conns.values()):
            # The claimant left (or their socket lapsed): the ticket is free again.
            self.claim = None

    def view(self, ticket_id: int, now: float) -> TicketPresence:
        users: dict[int, dict[str, Any]] = {}
        for entry in self.conns.values():
            if entry["expires"] <= now:
                continue
            row = users.setdefault(
                entry["user"],
                {"name": entry["name"], "expires": 0.0, "typing": "", "typing_until": 0.0},
            )
            row["expires"] = max(row["expires"], entry["expires"])
            if entry.get("typing") and entry.get("typing_until", 0.0) > max(
                now, row["typing_until"]
            ):
                row["typing"], row["typing_until"] = entry["typing"], entry["typing_until"]
        viewers = tuple(
            Viewer(
                user=user,
                name=row["name"],
                activity=row["typing"] or "viewing",
                typing_for=max(row["typing_until"] - now, 0.0) if row["typing"] else 0.0,
                expires_in=row["expires"] - now,
            )
            for user, row in sorted(users.items(), key=lambda item: item[1]["name"])
        )
        claim = None
        if self.claim and self.claim["user"] in users:
            claim = (int(self.claim["user"]), str(self.claim["name"]))
        return TicketPresence(ticket_id, viewers, claim)


def _stamp(clock: Clock) -> float:
    return clock.now().timestamp()


@contextmanager
def _locked(ticket_id: int) -> Iterator[None]:
    key = f"presence:lock:{ticket_id}"
    deadline = time.monotonic() + _LOCK_WAIT
    acquired = cache.add(key, 1, timeout=_LOCK_TIMEOUT)
    while not acquired and time.monotonic() < deadline:
        time.sleep(0.002)
        acquired = cache.add(key, 1, timeout=_LOCK_TIMEOUT)
    if not acquired:
        # Presence is advisory: rather than stall a socket, update without the lock; at
        # worst another socket's entry is lost until its next heartbeat.
        log.warning("presence lock for ticket %s not acquired in time", ticket_id)
    try:
        yield
    finally:
        if acquired:
            cache.delete(key)


def _update(ticket_id: int, clock: Clock, change: Callable[[_State, float], T]) -> tuple[Update, T]:
    with _locked(ticket_id):
        now = _stamp(clock)
        state = _State.load(cache.get(_key(ticket_id)))
        before = state.view(ticket_id, now)
        state.prune(now)
        result = change(state, now)
        state.prune(now)
        if state.conns:
            cache.set(_key(ticket_id), state.dump(), timeout=_ENTRY_TIMEOUT)
        else:
            cache.delete(_key(ticket_id))
        return Update(before, state.view(ticket_id, now)), result


def _entry(state: _State, conn: str, user_id: int, name: str, now: float) -> dict[str, Any]:
    entry = state.conns.setdefault(
        conn, {"user": user_id, "name": name, "typing": "", "typing_until": 0.0}
    )
    entry["expires"] = now + PRESENCE_TTL.total_seconds()
    return entry


def join(
    ticket_id: int, conn: str, user_id: int, name: str, *, clock: Clock = system_clock
) -> Update:
    """A socket opened the ticket, or sent its heartbeat: present for PRESENCE_TTL more."""
    update, _ = _update(ticket_id, clock, lambda s, now: _entry(s, conn, user_id, name, now))
    return update


heartbeat = join


def typing(
    ticket_id: int,
    conn: str,
    user_id: int,
    name: str,
    kind: TypingKind,
    *,
    may_claim: bool,
    clock: Clock = system_clock,
) -> Update:
    """The user is typing a reply or a note. `may_claim` (the ticket is unassigned): the
    first reply typist takes the soft claim, and keeps it while they have the ticket open."""

    def change(state: _State, now: float) -> bool:
        entry = _entry(state, conn, user_id, name, now)
        entry["typing"], entry["typing_until"] = kind, now + TYPING_TTL.total_seconds()
        if kind == "reply" and may_claim and state.claim is None:
            state.claim = {"user": user_id, "name": name}
            return True
        return False

    update, claimed = _update(ticket_id, clock, change)
    return Update(update.before, update.after, claimed=claimed)


def idle(
    ticket_id: int, conn: str, user_id: int, name: str, *, clock: Clock = system_clock
) -> Update:
    """Stopped typing (the text was sent, discarded or emptied): back to viewing."""

    def change(state: _State, now: float) -> None:
        entry = _entry(state, conn, user_id, name, now)
        entry["typing"], entry["typing_until"] = "", 0.0

    update, _ = _update(ticket_id, clock, change)
    return update


def leave(ticket_id: int, conn: str, *, clock: Clock = system_clock) -> Update:
    """The socket closed: gone at once (and their claim with them, if it was their last)."""
    update, _ = _update(ticket_id, clock, lambda s, now: s.conns.pop(conn, None))
    return update


def current(ticket_id: int, *, clock: Clock = system_clock) -> TicketPresence:
    return _State.load(cache.get(_key(ticket_id))).view(ticket_id, _stamp(clock))


def current_many(
    ticket_ids: Iterable[int], *, clock: Clock = system_clock
) -> dict[int, TicketPresence]:
    """Presence of many tickets in one cache round trip (an inbox page), only those with
    someone on them."""
    ids = list(ticket_ids)
    raw = cache.get_many([_key(i) for i in ids])
    now = _stamp(clock)
    found = {}
    for ticket_id in ids:
        view = _State.load(raw.get(_key(ticket_id))).view(ticket_id, now)
        if view.viewers:
            found[ticket_id] = view
    return found
