"""The notification bell follows the unread count live, over the websocket the page opens
(`/ws/notifications/`, served by the same server as the page), without a reload."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, WebSocket, expect

from sellerdesk.lib.events import publish_after_commit, user_group
from sellerdesk.team.models import Notification, Role
from tests.factories import make_account, make_member

pytestmark = pytest.mark.e2e


def notify(user: User, text: str) -> None:
    """What an action does: a Notification row, and an event once it is committed."""
    with transaction.atomic():
        Notification.objects.create(
            user=user, kind="deadline_at_risk", text=text, created_at=timezone.now()
        )
        publish_after_commit(user_group(user.pk), {"type": "notifications.changed"})


def open_with_socket(page: Page, path: str) -> list[Any]:
    """Load `path` and wait until its notification socket has said hello (the count at
    connection time), so that what follows is known to travel over the open socket."""
    received: list[Any] = []

    def watch(socket: WebSocket) -> None:
        if socket.url.endswith("/ws/notifications/"):
            socket.on("framereceived", lambda payload: received.append(json.loads(payload)))
            sockets.append(socket)

    sockets: list[WebSocket] = []
    page.on("websocket", watch)
    page.goto(path)
    if not sockets:
        page.wait_for_event("websocket", lambda socket: socket.url.endswith("/ws/notifications/"))
    if not received:
        sockets[0].wait_for_event("framereceived")
    return received


def test_the_bell_counts_up_live_when_the_user_is_notified(
    sign_in: Callable[..., Page], in_worker: Callable[..., Any]
) -> None:
    account = make_account("Acme Outdoor")
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.AGENT, [account])
    page = sign_in(alice)
    received = open_with_socket(page, "/")
    bell = page.locator("#bell-count")
    expect(bell).to_have_text("")
    assert received == [{"type": "unread", "count": 0}]

    in_worker(notify, alice, "#1 has one hour left")
    expect(bell).to_have_text("1")
    in_worker(notify, alice, "#2 has one hour left")
    expect(bell).to_have_text("2")
    # Someone else's notification reaches only their own bell: nothing arrives for it
    # before the next one of alice's (each socket gets its events in order).
    in_worker(notify, bob, "#3 has one hour left")
    in_worker(notify, alice, "#4 has one hour left")
    expect(bell).to_have_text("3")

    assert received == [{"type": "unread", "count": n} for n in (0, 1, 2, 3)]
    assert Notification.objects.filter(user=alice, read_at__isnull=True).count() == 3
