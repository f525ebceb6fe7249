"""Publishing realtime events to browsers, after the transaction that caused them commits.

Callers name a channel-layer group and a payload; the consumers in `realtime` forward it.
Nothing is sent for a transaction that rolls back, and a missing channel layer (a command
run without one) is not an error: the page shows the same state on its next load.

From any thread. The web server registers its event loop here when it starts
(`bind_event_loop`, in the ASGI lifespan); an event raised in another thread (a Huey worker
thread of the embedded mode fetching mail, a sync, a sweep; a sync view's thread) is handed
to that loop with `run_coroutine_threadsafe`. This matters for the in-memory layer: its
queues belong to the server's loop, and a `group_send` run on a private loop in a worker
thread (what `async_to_sync` would do there) wakes no waiting consumer: the event sits
until something else happens to wake the server's loop. A process without a server (a
`sellerdesk worker`, a command) has no server loop: with channels-redis (the only layer such
a process reaches browsers through) it sends from one publishing loop of its own, started on
first use, so events reuse that loop's Redis connections instead of opening new ones each
time; with the in-memory layer it sends through `async_to_sync` (only tests have listeners
then, on the loop of the sync_to_async call the event comes from).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from concurrent.futures import Future, wait
from typing import Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

# The loop of the ASGI server in this process, if one runs here. Not shared state: an
# event loop is local to its process by nature, and only this process's threads use it.
_server_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def ticket_group(ticket_id: int) -> str:
    """Everyone with this ticket's page open."""
    return f"ticket.{ticket_id}"


def inbox_group(account_id: int) -> str:
    """Everyone with an inbox open that shows this seller account's tickets."""
    return f"inbox.{account_id}"


class TicketChanged(TypedDict):
    """Channel-layer event sent to a ticket's group and its account's inbox group after a
    transaction changed the ticket (documented with the others in `realtime/events.py`).

    `version` is the conversation version after the change (a page compares it with the
    version it was rendered at); `kinds` are the history kinds written (`replied`,
    `note_added`, `status_changed`...); `actor` the username who acted, if anyone did."""

    type: str  # "ticket.changed"
    ticket: int
    account: int
    version: int
    kinds: list[str]
    actor: str | None


def bind_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The server's loop: events from other threads go there from now on."""
    global _server_loop
    with _loop_lock:
        _server_loop = loop


def unbind_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The server stops: forget its loop (unless another server has bound its own since)."""
    global _server_loop
    with _loop_lock:
        if _server_loop is loop:
            _server_loop = None


def bound_event_loop() -> asyncio.AbstractEventLoop | None:
    loop = _server_loop
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


_publisher: asyncio.AbstractEventLoop | None = None
_pending: set[Future[Any]] = set()


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """This process's own loop for publishing (no server here), in a daemon thread."""
    global _publisher
    with _loop_lock:
        if _publisher is None or _publisher.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="realtime-publisher", daemon=True
            ).start()
            _publisher = loop
            # A command that exits right after its work still delivers what it announced.
            atexit.register(flush, timeout=2.0)
        return _publisher


def flush(timeout: float = 2.0) -> None:
    """Wait until the events this process handed to a loop have been sent (at most
    `timeout` seconds): before a command exits, or in a test before it starts listening."""
    if _pending:
        wait(list(_pending), timeout=timeout)


def _report(future: Future[Any]) -> None:
    _pending.discard(future)
    error = future.exception() if not future.cancelled() else None
    if error is not None:
        log.error("could not publish a realtime event", exc_info=error)


def _nobody_listens(layer: Any, group: str) -> bool:
    # The in-memory layer only reaches consumers of this process: with nobody in the group
    # (a command, a benchmark, a test without sockets) there is nothing to hand over, and
    # skipping saves spinning up an event loop per event.
    return isinstance(layer, InMemoryChannelLayer) and not layer.groups.get(group)


def _send(group: str, payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None or _nobody_listens(layer, group):
        return
    try:
        loop = bound_event_loop()
        if loop is None and not isinstance(layer, InMemoryChannelLayer):
            loop = _publisher_loop()
        if loop is not None:
            # Fire and forget: the sender (a view, a worker) does not wait for browsers.
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, payload), loop)
            _pending.add(future)
            future.add_done_callback(_report)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            # Called on a loop's own thread (no server bound: a test harness): schedule there.
            running.create_task(layer.group_send(group, payload))
            return
        async_to_sync(layer.group_send)(group, payload)
    except Exception:
        # A realtime nudge is a convenience; never let it fail the work that caused it.
        log.exception("could not publish %s to %s", payload.get("type"), group)


def publish_after_commit(group: str, payload: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _send(group, payload))


class _TicketAnnouncement:
    """The after-commit callback announcing one ticket's change; equal to another for the
    same ticket, so an action that writes three history rows announces once."""

    def __init__(self, ticket: Any) -> None:
        self.ticket = ticket
        self.ticket_id: int = ticket.pk
        self.kinds: list[str] = []
        self.actor: str | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _TicketAnnouncement) and other.ticket_id == self.ticket_id

    def __hash__(self) -> int:
        return hash(self.ticket_id)

    def __call__(self) -> None:
        # Read at commit time: the version after every bump of the transaction.
        payload: TicketChanged = {
            "type": "ticket.changed",
            "ticket": self.ticket_id,
            "account": int(self.ticket.account_id),
            "version": int(self.ticket.version),
            "kinds": self.kinds,
            "actor": self.actor,
        }
        _send(ticket_group(self.ticket_id), dict(payload))
        _send(inbox_group(payload["account"]), dict(payload))


def announce_ticket_change(ticket: Any, kind: str, actor_name: str | None = None) -> None:
    """After the current transaction commits, tell the ticket's page and its account's
    inboxes that the ticket changed. Called by the actions for every history row; repeated
    calls for one ticket in one transaction make one event listing every kind."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Django keeps the pending callbacks (and drops those of a rolled-back savepoint)
        # in `run_on_commit`; an announcement already there for this ticket is reused.
        for _savepoints, pending, _robust in connection.run_on_commit:
            if isinstance(pending, _TicketAnnouncement) and pending.ticket_id == ticket.pk:
                pending.ticket = ticket
                if kind not in pending.kinds:
                    pending.kinds.append(kind)
                pending.actor = actor_name or pending.actor
                return
    announcement = _TicketAnnouncement(ticket)
    announcement.kinds.append(kind)
    announcement.actor = actor_name
    transaction.on_commit(announcement)
