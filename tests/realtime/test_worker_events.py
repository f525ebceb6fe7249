"""Events raised outside the server's event loop: a Huey worker thread (the embedded mode's
mail fetch, sync, sweeps) hands its events to the server's loop, so an open page hears them
at once; and what the actions announce: once per ticket per transaction, never on rollback."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connections, transaction
from huey import MemoryHuey

from sellerdesk.lib import events
from sellerdesk.runtime.queue import EmbeddedConsumer
from sellerdesk.runtime.server import build_application
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Ticket
from tests.factories import make_member
from tests.realtime.sockets import Socket, is_presence, session_cookie
from tests.realtime.support import buyer_writes, fresh, open_ticket, shop

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_event_from_a_huey_worker_thread_is_handed_to_the_servers_loop(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    ticket = open_ticket(account)

    queue = MemoryHuey("realtime-worker-test")
    ran: dict[str, Any] = {}

    @queue.task()
    def mail_arrives(ticket_id: int) -> None:
        # What the embedded mode's mail fetch does in a consumer thread.
        ran["thread"] = threading.current_thread()
        try:
            ran["started"] = time.monotonic()
            buyer_writes(fresh(Ticket(pk=ticket_id)), "Has it shipped?")
        finally:
            connections.close_all()

    consumer = EmbeddedConsumer(
        queue, workers=1, periodic=False, worker_type="thread", check_worker_health=False
    )
    app = build_application(run_consumer=False)
    lifespan = ApplicationCommunicator(app, {"type": "lifespan", "asgi": {"version": "3.0"}})
    page = Socket(app, f"/ws/tickets/{ticket.pk}/", session_cookie(alice))

    sent_on: list[tuple[str, asyncio.AbstractEventLoop]] = []

    def spy_on_the_layer() -> Any:
        # The server's layer (a Redis layer is made afresh for each server loop).
        layer = get_channel_layer()
        original = layer.group_send

        async def spy(group: str, message: dict[str, Any]) -> None:
            if message["type"] == "ticket.changed":
                sent_on.append((group, asyncio.get_running_loop()))
            await original(group, message)

        monkeypatch.setattr(layer, "group_send", spy)
        return layer

    async def scenario() -> tuple[dict[str, Any], asyncio.AbstractEventLoop, float]:
        await lifespan.send_input({"type": "lifespan.startup"})
        assert (await lifespan.receive_output(5))["type"] == "lifespan.startup.complete"
        spy_on_the_layer()
        server_loop = asyncio.get_running_loop()
        assert events.bound_event_loop() is server_loop
        await page.connect()
        await page.until(is_presence({"alice": "viewing"}))
        sent_on.clear()
        consumer.start()
        try:
            mail_arrives(ticket.pk)
            changed = await page.until(lambda m: m["type"] == "ticket.changed", timeout=10)
            received = time.monotonic()
        finally:
            await asyncio.to_thread(consumer.stop, graceful=True)
        await page.close()
        await lifespan.send_input({"type": "lifespan.shutdown"})
        assert (await lifespan.receive_output(5))["type"] == "lifespan.shutdown.complete"
        assert events.bound_event_loop() is None
        return changed, server_loop, received

    changed, server_loop, received = async_to_sync(scenario)()
    assert changed == {
        "type": "ticket.changed",
        "ticket": ticket.pk,
        "account": account.pk,
        "version": 2,
        "kinds": ["message_received"],
        "actor": None,
    }
    assert ran["thread"] is not threading.main_thread()
    # The proof: the worker thread did not send on a loop of its own (which would leave an
    # in-memory consumer asleep); the send ran on the server's loop. (With the in-memory
    # layer the inbox group, empty here, is skipped; channels-redis sends to it as well.)
    expected = [(f"ticket.{ticket.pk}", True)]
    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        expected.append((f"inbox.{account.pk}", True))
    assert [(group, loop is server_loop) for group, loop in sent_on] == expected
    with capsys.disabled():
        print(
            f"\naction in a worker thread -> open page: {(received - ran['started']) * 1000:.1f} ms"
        )


def test_one_transaction_announces_each_ticket_once_with_every_kind() -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    ticket = open_ticket(account)
    actions.set_status(ticket, "pending", actor=alice)
    events.flush()  # the set-up's own event is out before anyone listens
    heard: list[dict[str, Any]] = []

    async def listen() -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(events.ticket_group(ticket.pk), channel)

        def buyer_writes_again() -> None:
            # A pending ticket reopens: two history rows, "reopened" and "message_received".
            buyer_writes(fresh(ticket), "Still nothing?")

        await database_sync_to_async(buyer_writes_again)()
        heard.append(await asyncio.wait_for(layer.receive(channel), 5))
        with contextlib.suppress(asyncio.TimeoutError):
            heard.append(await asyncio.wait_for(layer.receive(channel), 0.3))
        await layer.group_discard(events.ticket_group(ticket.pk), channel)

    async_to_sync(listen)()
    assert heard == [
        {
            "type": "ticket.changed",
            "ticket": ticket.pk,
            "account": account.pk,
            "version": 2,
            "kinds": ["reopened", "message_received"],
            "actor": None,
        }
    ]


def test_a_change_that_rolls_back_announces_nothing() -> None:
    account = shop()
    ticket = open_ticket(account)
    events.flush()
    heard: list[dict[str, Any]] = []

    async def listen() -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(events.ticket_group(ticket.pk), channel)

        def rolled_back() -> None:
            with contextlib.suppress(RuntimeError), transaction.atomic():
                buyer_writes(fresh(ticket), "Hello?")
                raise RuntimeError("the caller's transaction fails after the action")

        await database_sync_to_async(rolled_back)()
        with contextlib.suppress(asyncio.TimeoutError):
            heard.append(await asyncio.wait_for(layer.receive(channel), 0.3))
        await layer.group_discard(events.ticket_group(ticket.pk), channel)

    async_to_sync(listen)()
    assert heard == []
    assert fresh(ticket).version == 1
