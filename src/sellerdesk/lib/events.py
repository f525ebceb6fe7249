"""Publishing realtime events to browsers, after the transaction that caused them commits.

Callers name a channel-layer group and a payload; the consumers in `realtime` forward it.
Nothing is sent for a transaction that rolls back, and a missing channel layer (a command
run without one) is not an error: the page shows the same state on its next load.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def _send(group: str, payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, payload)
    except Exception:
        # A realtime nudge is a convenience; never let it fail the work that caused it.
        log.exception("could not publish %s to %s", payload.get("type"), group)


def publish_after_commit(group: str, payload: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _send(group, payload))
