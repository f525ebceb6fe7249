"""The websocket consumers: the notification bell, a ticket's live page, the live inbox.

Payloads are typed and documented in `realtime/events.py`; presence lives in the cache
(`realtime/presence.py`); who may do what is asked again on every message (`access.py`).
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from sellerdesk.lib.events import inbox_group, ticket_group, user_group
from sellerdesk.realtime import presence
from sellerdesk.realtime.access import (
    TicketAccess,
    inbox_access,
    ticket_access,
    visible_ticket_ids,
)
from sellerdesk.realtime.events import (
    ClientMessage,
    HelloPayload,
    InboxSnapshotPayload,
    Refused,
    parse_inbox_message,
    parse_ticket_message,
)
from sellerdesk.team.models import Notification, TeamSettings
from sellerdesk.tickets import actions

log = logging.getLogger(__name__)


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


# --- ticket and inbox streams (presence, typing, live updates) --------------------------

# Close codes (4000-4999 are the application's): the browser script gives up on these
# instead of reconnecting in a loop.
CLOSE_FORBIDDEN = 4403


class TicketConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/tickets/<id>/`: presence and typing on one ticket, and its changes as they
    commit. Joined only by a signed-in user who may see the ticket; every message checks
    both again and must name this ticket."""

    ticket_id: int
    account_id: int
    joined = False

    async def connect(self) -> None:
        self.ticket_id = int(self.scope["url_route"]["kwargs"]["ticket_id"])
        access = await database_sync_to_async(ticket_access)(self.scope, self.ticket_id)
        if access is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id, self.name = int(access.user.pk), access.name
        self.account_id = access.account_id
        await self.channel_layer.group_add(ticket_group(self.ticket_id), self.channel_name)
        await self.accept()
        hello: HelloPayload = {
            "type": "hello",
            "ticket": self.ticket_id,
            "version": access.version,
            "user": self.user_id,
        }
        await self.send_json(hello)
        update = await database_sync_to_async(presence.join)(
            self.ticket_id, self.channel_name, self.user_id, self.name
        )
        self.joined = True
        await self._announce(update, always=True)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "ticket_id"):
            return
        await self.channel_layer.group_discard(ticket_group(self.ticket_id), self.channel_name)
        if self.joined:
            self.joined = False
            update = await database_sync_to_async(presence.leave)(self.ticket_id, self.channel_name)
            await self._announce(update)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        parsed = parse_ticket_message(content, self.ticket_id)
        if isinstance(parsed, Refused):
            await self.send_json(parsed.payload())
            return
        update = await database_sync_to_async(self._handle)(parsed)
        if update is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if parsed.type == "heartbeat":
            # Only the sender needs the fresh expiries; the others hear of changes.
            await self.send_json(update.after.payload())
            await self._announce(update)
        else:
            # Typing is renewed every few seconds while it lasts: everyone hears each one.
            await self._announce(update, always=True)

    def _handle(self, message: ClientMessage) -> presence.Update | None:
        access = ticket_access(self.scope, self.ticket_id)
        if access is None:
            return None
        args = (self.ticket_id, self.channel_name, self.user_id, self.name)
        if message.type == "typing" and message.kind is not None:
            update = presence.typing(*args, message.kind, may_claim=access.assignee_id is None)
            if update.claimed:
                claim_assignment(access)
            return update
        if message.type == "idle":
            return presence.idle(*args)
        return presence.heartbeat(*args)

    async def _announce(self, update: presence.Update, *, always: bool = False) -> None:
        if always or update.page_changed:
            await self.channel_layer.group_send(
                ticket_group(self.ticket_id),
                {"type": "presence.update", "presence": update.after.payload()},
            )
        if update.inbox_changed:
            await self.channel_layer.group_send(
                inbox_group(self.account_id), dict(update.after.inbox_payload())
            )

    async def presence_update(self, event: dict[str, Any]) -> None:
        await self.send_json(event["presence"])

    async def ticket_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)


def claim_assignment(access: TicketAccess) -> None:
    """The soft claim becomes an assignment only where the team asked for it."""
    if not TeamSettings.load().claim_assigns:
        return
    try:
        actions.assign(access.ticket(), access.user, actor=access.user)
    except (actions.ActionError, Http404):
        # Someone assigned it meanwhile or the user lost the account: the claim stays soft.
        log.info("claim on #%s did not become an assignment", access.ticket_id)


class InboxConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/inbox/`: changes to tickets of the accounts the user sees (the inbox refreshes
    its rows), and who has the tickets on screen open."""

    accounts: frozenset[int] = frozenset()
    watched: frozenset[int] = frozenset()

    async def connect(self) -> None:
        access = await database_sync_to_async(inbox_access)(self.scope)
        if access is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self._follow(access.accounts)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self._follow(frozenset())

    async def _follow(self, accounts: frozenset[int]) -> None:
        """Join the inbox groups of `accounts` and leave the others (access can change)."""
        for account in self.accounts - accounts:
            await self.channel_layer.group_discard(inbox_group(account), self.channel_name)
        for account in accounts - self.accounts:
            await self.channel_layer.group_add(inbox_group(account), self.channel_name)
        self.accounts = accounts

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        parsed = parse_inbox_message(content)
        if isinstance(parsed, Refused):
            await self.send_json(parsed.payload())
            return
        answer = await database_sync_to_async(self._handle)(parsed)
        if answer is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        accounts, snapshot = answer
        await self._follow(accounts)
        if snapshot is not None:
            await self.send_json(snapshot)

    def _handle(
        self, message: ClientMessage
    ) -> tuple[frozenset[int], InboxSnapshotPayload | None] | None:
        access = inbox_access(self.scope)
        if access is None:
            return None
        if message.type != "watch":
            return access.accounts, None
        # Only tickets the user may see: presence of another account's ticket is not theirs.
        self.watched = visible_ticket_ids(access.user, message.tickets)
        found = presence.current_many(self.watched)
        return access.accounts, {
            "type": "inbox.snapshot",
            "tickets": [found[t].inbox_payload() for t in sorted(found)],
        }

    async def ticket_changed(self, event: dict[str, Any]) -> None:
        if event.get("account") in self.accounts:
            await self.send_json(event)

    async def inbox_presence(self, event: dict[str, Any]) -> None:
        if event.get("ticket") in self.watched:
            await self.send_json(event)
