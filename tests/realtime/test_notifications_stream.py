"""The notification stream over a real websocket connection to the ASGI application."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from sellerdesk.lib.clock import FrozenClock, system_clock
from sellerdesk.lib.events import publish_after_commit, user_group
from sellerdesk.realtime.consumers import NotificationsConsumer
from sellerdesk.sla import sweeps
from sellerdesk.team.models import Notification, Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import IncomingMessage
from tests.factories import make_account, make_member

pytestmark = pytest.mark.django_db(transaction=True)


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]
    """The websocket side of the ASGI protocol, spoken directly to the consumer (Channels'
    own helper imports the Daphne server, which this project does not use)."""

    def __init__(self, application: object, path: str) -> None:
        super().__init__(
            application, {"type": "websocket", "path": path, "headers": [], "subprotocols": []}
        )

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(5)
        if answer["type"] == "websocket.close":
            return False, answer.get("code")
        return True, None

    async def receive_json_from(self, timeout: float = 5) -> object:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def note(user: User) -> None:
    Notification.objects.create(
        user=user, kind="deadline_at_risk", text="#1 at risk", created_at=system_clock.now()
    )


async def _session(user: User | AnonymousUser, before: int | None, push: bool) -> list[object]:
    communicator = WebsocketCommunicator(NotificationsConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    received: list[object] = [connected, code]
    if connected:
        received.append(await communicator.receive_json_from(timeout=5))
        if push:
            from channels.db import database_sync_to_async
            from channels.layers import get_channel_layer

            await database_sync_to_async(note)(user)
            await get_channel_layer().group_send(
                user_group(user.pk), {"type": "notifications.changed"}
            )
            received.append(await communicator.receive_json_from(timeout=5))
        await communicator.disconnect()
    return received


def test_a_signed_in_user_gets_the_unread_count_and_its_changes() -> None:
    alice = make_member("alice", Role.AGENT)
    note(alice)
    connected, _, first, second = async_to_sync(_session)(alice, 1, True)
    assert connected is True
    assert first == {"type": "unread", "count": 1}
    assert second == {"type": "unread", "count": 2}


def test_an_anonymous_socket_is_refused() -> None:
    connected, code = async_to_sync(_session)(AnonymousUser(), None, False)
    assert connected is False
    assert code == 4401


def test_the_sweep_pushes_to_the_users_it_notifies(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    account = make_account("Acme")
    bob = make_member("bob", Role.AGENT, [account])
    # A Walmart message 47 hours old: one hour left, so the sweep finds it at risk.
    clock = FrozenClock(system_clock.now() - timedelta(hours=47))
    actions.open_ticket(
        account=account,
        incoming=IncomingMessage(
            kind="buyer_walmart",
            sender="0a1b@relay.walmart.com",
            sender_name="Jane",
            recipients=[],
            subject="Where is my order?",
            text="Where is it?",
            new_text="Where is it?",
            html="",
            truncated=False,
            message_id="stream-1@relay",
            in_reply_to="",
            references=[],
            received_at=clock.now(),
            raw=b"raw",
        ),
        kind="buyer_walmart",
        intent="where_is_my_order",
        relay_address="0a1b@relay.walmart.com",
        customer=None,
        order=None,
        order_number="",
        needs_reply=True,
        one_hour_deadline=False,
        clock=clock,
    )

    async def listen() -> tuple[object, bool]:
        communicator = WebsocketCommunicator(NotificationsConsumer.as_asgi(), "/ws/notifications/")
        communicator.scope["user"] = bob
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)

        def rolled_back_publish() -> None:
            # An event of a transaction that rolls back is never sent.
            with contextlib.suppress(RuntimeError), transaction.atomic():
                publish_after_commit(user_group(bob.pk), {"type": "notifications.changed"})
                raise RuntimeError("rolled back")

        await database_sync_to_async(rolled_back_publish)()
        silent = await communicator.receive_nothing(timeout=0.3)
        await database_sync_to_async(sweeps.sweep)(system_clock.now())
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message, silent

    message, silent = async_to_sync(listen)()
    assert silent is True
    assert message == {"type": "unread", "count": 1}
    assert Notification.objects.get().kind == "deadline_at_risk"
