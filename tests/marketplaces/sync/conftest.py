"""Fixtures for the sync tests: a shared fake clock, emulators stopped after each test, and
a Walmart seller account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.walmart.emulator import EmulatorHandle, build_emulator, serve
from tests.factories import make_account

from .support import SharedClock

StartEmulator = Callable[..., EmulatorHandle]


@pytest.fixture
def clock() -> SharedClock:
    return SharedClock()


@pytest.fixture
def start_emulator(clock: SharedClock) -> Iterator[StartEmulator]:
    """Start emulators on loopback, on the shared clock unless told otherwise; stop them
    after the test and fail it if the emulator broke a contract it was validating."""
    handles: list[EmulatorHandle] = []

    def start(**kwargs: Any) -> EmulatorHandle:
        kwargs.setdefault("clock", clock)
        handle = serve(build_emulator(**kwargs), "127.0.0.1", 0)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()
    problems = [p for h in handles for p in h.emulator.validation_errors]
    assert not problems, "\n".join(problems[:5])


@pytest.fixture
def account() -> SellerAccount:
    return make_account("acme")
