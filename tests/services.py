"""Finding the real services tests need, and failing (not skipping) when CI requires them."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sellerdesk.lib.env import env_bool

REPO = Path(__file__).resolve().parent.parent
SELLERDESK = str(Path(sys.executable).with_name("sellerdesk"))
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def missing(service: str, why: str) -> None:
    """Skip, or fail when SELLERDESK_REQUIRE_SERVICES is set (CI), so that a missing install
    step cannot turn into a quietly green run."""
    message = f"{service} is not available: {why}"
    if env_bool(os.environ, "SELLERDESK_REQUIRE_SERVICES"):
        pytest.fail(message + " (SELLERDESK_REQUIRE_SERVICES is set)")
    pytest.skip(message)


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=2):
            return True
    except OSError:
        return False


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = os.environ.get("SELLERDESK_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    if not reachable(url):
        missing("PostgreSQL", f"nothing answers at {urlsplit(url).netloc}")
    return url


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or os.environ.get("SELLERDESK_TEST_REDIS_URL", DEFAULT_REDIS)
    if not reachable(url):
        missing("Redis", f"nothing answers at {urlsplit(url).netloc}")
    return url


def process_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for a `sellerdesk` subprocess: embedded in `var_dir` unless `extra`
    says otherwise."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SELLERDESK_CREDENTIALS_KEYS"}
    }
    env.update({"SELLERDESK_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1", **extra})
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
