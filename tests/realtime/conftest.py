from __future__ import annotations

import copy
import uuid

import pytest
from django.conf import settings as django_settings


@pytest.fixture(autouse=True)
def _realtime_state_of_this_test_only(settings: pytest.FixtureRequest) -> None:
    """Presence lives in the cache and groups in the channel layer, both of which outlive a
    test (Redis, or this process's memory): each test gets key prefixes of its own instead
    of flushing a shared Redis database. A fresh layer object per test, too: channels-redis
    keeps asyncio locks bound to the event loop that first used them, and every test runs
    its own loop (a server process has one)."""
    tag = f"test-{uuid.uuid4().hex[:12]}"
    caches = copy.deepcopy(django_settings.CACHES)
    caches["default"]["KEY_PREFIX"] = tag
    if caches["default"]["BACKEND"].endswith("LocMemCache"):
        caches["default"]["LOCATION"] = tag
    settings.CACHES = caches  # type: ignore[attr-defined]
    layers = copy.deepcopy(django_settings.CHANNEL_LAYERS)
    if "CONFIG" in layers["default"] and "prefix" in layers["default"]["CONFIG"]:
        layers["default"]["CONFIG"]["prefix"] = tag
    settings.CHANNEL_LAYERS = layers  # type: ignore[attr-defined]
