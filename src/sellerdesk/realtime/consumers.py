"""The notification stream: a signed-in user's unread count, pushed when it changes."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sellerdesk.lib.events import user_group
from sellerdesk.team.models import Notification


@database_sync_to_async
def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


class NotificationsConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/notifications/`: only for signed-in users; each hears only their own events."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user_id = int(user.pk)
        await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)
        await self.accept()
        await self.send_json({"type": "unread", "count": await unread_count(self.user_id)})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "user_id"):
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The stream is one-way; a client message is ignored rather than trusted.
        return None

    async def notifications_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "unread", "count": await unread_count(self.user_id)})
