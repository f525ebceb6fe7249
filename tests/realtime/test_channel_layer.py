"""Which channel layer and cache the realtime tests (and the product) run on: in memory
embedded, Redis when REDIS_URL is set. CI runs the whole suite again with REDIS_URL, so
every realtime test then goes through channels-redis and presence through Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from tests.services import redis_url


def test_the_layer_and_the_cache_follow_redis_url() -> None:
    if settings.REDIS_URL:
        assert isinstance(get_channel_layer(), RedisChannelLayer)
        assert isinstance(caches["default"], RedisCache)
    else:
        assert isinstance(get_channel_layer(), InMemoryChannelLayer)
        assert isinstance(caches["default"], LocMemCache)


@pytest.mark.redis
def test_two_web_processes_reach_each_others_sockets_through_redis() -> None:
    """Two layer instances with their own connections stand for two `sellerdesk web`
    processes: a socket on one hears a group event sent by the other."""
    url = redis_url()
    prefix = f"test-{uuid.uuid4().hex[:8]}"

    async def scenario() -> dict[str, object]:
        first = RedisChannelLayer(hosts=[url], prefix=prefix)
        second = RedisChannelLayer(hosts=[url], prefix=prefix)
        channel = await first.new_channel()
        await first.group_add("ticket.1", channel)
        await second.group_send("ticket.1", {"type": "presence.update", "presence": {"n": 1}})
        heard = await asyncio.wait_for(first.receive(channel), 5)
        await first.group_discard("ticket.1", channel)
        await first.close_pools()
        await second.close_pools()
        return heard

    assert async_to_sync(scenario)() == {"type": "presence.update", "presence": {"n": 1}}


def test_presence_is_kept_in_the_configured_cache_not_in_process_memory() -> None:
    from sellerdesk.realtime import presence

    presence.join(424242, "tab", 1, "alice")
    try:
        assert caches["default"].get("presence:ticket:424242")["conns"]["tab"]["name"] == "alice"
    finally:
        presence.leave(424242, "tab")
