"""Two agents press send at the same moment: exactly one reply goes out, the other is held.

Real threads against real databases with the production settings, each in its own process
(`tests/tickets/reply_race.py`): a SQLite file (WAL, busy timeout, IMMEDIATE transactions;
the in-memory test database's shared cache locks differently from a real file) and a
PostgreSQL database of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from cryptography.fernet import Fernet

from tests.services import REPO, postgres_url, process_env

ROUNDS = 4

pytestmark = pytest.mark.slow


def race(env: dict[str, str]) -> list[dict[str, object]]:
    answer = subprocess.run(
        [sys.executable, "-m", "tests.tickets.reply_race", str(ROUNDS)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert answer.returncode == 0, answer.stderr
    return [json.loads(line) for line in answer.stdout.splitlines() if line.startswith("{")]


def assert_one_sent_one_held(rounds: list[dict[str, object]], vendor: str) -> None:
    assert len(rounds) == ROUNDS
    for result in rounds:
        assert result["vendor"] == vendor
        outcomes = result["outcomes"]
        assert sorted(outcomes.values()) == ["held", "sent"], outcomes  # type: ignore[union-attr]
        sender = next(name for name, what in outcomes.items() if what == "sent")  # type: ignore[union-attr]
        holder = next(name for name, what in outcomes.items() if what == "held")  # type: ignore[union-attr]
        # One message and one delivery, the winner's; the loser's text kept, from version 1.
        assert result["outgoing"] == [f"Hello from {sender}"]
        assert result["outbox"] == 1
        assert result["held"] == [[f"Hello from {holder}", 1]]
        assert result["version"] == 2


def test_concurrent_sends_on_sqlite_give_one_message_and_one_held_draft(tmp_path: Path) -> None:
    env = process_env(tmp_path, SELLERDESK_MEDIA_ROOT=str(tmp_path / "media"))
    assert_one_sent_one_held(race(env), "sqlite")


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    # The server's own "postgres" database to create ours from (DATABASE_URL may name a
    # database that only pytest-django's "test_" copy of exists).
    admin_url = urlunsplit(urlsplit(postgres_url())._replace(path="/postgres"))
    name = f"sellerdesk_race_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_concurrent_sends_on_postgres_give_one_message_and_one_held_draft(
    tmp_path: Path,
) -> None:
    with scratch_postgres_database() as database_url:
        env = process_env(
            tmp_path,
            DATABASE_URL=database_url,
            SECRET_KEY="k" * 60,
            SELLERDESK_CREDENTIALS_KEYS=Fernet.generate_key().decode(),
            SELLERDESK_MEDIA_ROOT=str(tmp_path / "media"),
        )
        assert_one_sent_one_held(race(env), "postgresql")
