"""Shared fixtures. Tests that start processes give each its own var dir (and so its own
SQLite database, queue and keys) so they never touch a developer's ./var."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sellerdesk.runtime.queue import huey


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_inline() -> Iterator[None]:
    # In-process tests run tasks at once; the process tests start real consumers instead.
    huey.immediate = True
    yield
    huey.immediate = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # The real hasher is slow on purpose; the tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
