"""The notification stream over a real websocket connection to the ASGI application."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.contrib.auth.models import AnonymousUser, User

from sellerdesk.lib.clock import system_clock
from sellerdesk.lib.events import user_group
from sellerdesk.realtime.consumers import NotificationsConsumer
from sellerdesk.team.models import Notification, Role
from tests.factories import make_member

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


def test_the_sweep_pushes_to_the_users_it_notifies() -> None:
    # publish_after_commit sends through the channel layer once the sweep's transaction
    # commits; a socket joined to the user's group hears it.
    from django.db import transaction

    from sellerdesk.lib.events import publish_after_commit

    bob = make_member("bob", Role.AGENT)

    async def listen() -> object:
        communicator = WebsocketCommunicator(NotificationsConsumer.as_asgi(), "/ws/notifications/")
        communicator.scope["user"] = bob
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)
        from channels.db import database_sync_to_async

        def publish() -> None:
            with transaction.atomic():
                note(bob)
                publish_after_commit(user_group(bob.pk), {"type": "notifications.changed"})

        await database_sync_to_async(publish)()
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    assert async_to_sync(listen)() == {"type": "unread", "count": 1}
