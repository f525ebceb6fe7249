"""The processes as an operator starts them: real subprocesses, real ports, real services."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import redis
from cryptography.fernet import Fernet

from tests.services import SELLERDESK, free_port, postgres_url, process_env, redis_url

pytestmark = pytest.mark.slow


def sellerdesk(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SELLERDESK, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@contextmanager
def background(*args: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [SELLERDESK, *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited early:\n{log.read_text()}")
        try:
            return httpx.get(f"{url}/healthz", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server never answered:\n{log.read_text()}")


def test_run_serves_pages_and_its_consumer_executes_tasks(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    port = free_port()
    log = tmp_path / "run.log"
    with background("run", "--port", str(port), env=env, log=log) as server:
        health = wait_for_health(f"http://127.0.0.1:{port}", server, log)
        assert health.status_code == 200, health.text
        assert httpx.get(f"http://127.0.0.1:{port}/auth/login/").status_code == 200
        # `ping` enqueues through the same SQLite queue file; only the server's embedded
        # consumer can answer it.
        answer = sellerdesk("ping", "--timeout", "30", env=env)
        assert answer.returncode == 0, answer.stderr
        assert answer.stdout.startswith("pong from ")
        assert f":{server.pid}:" in answer.stdout


def test_ping_without_a_consumer_says_so(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    assert sellerdesk("migrate", env=env).returncode == 0
    answer = sellerdesk("ping", "--timeout", "1", env=env)
    assert answer.returncode == 1
    assert "no consumer answered within 1s" in answer.stderr


def test_a_bad_setting_is_one_clear_line_and_a_nonzero_exit(tmp_path: Path) -> None:
    answer = sellerdesk("accounts", "list", env=process_env(tmp_path, DATABASE_URL="mysql://x/y"))
    assert answer.returncode == 2
    assert answer.stderr == (
        "sellerdesk: configuration error: DATABASE_URL must start with postgres:// or sqlite://; "
        "got scheme 'mysql'\n"
    )


def test_postgres_without_keys_refuses_to_start(tmp_path: Path) -> None:
    answer = sellerdesk(
        "check", env=process_env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    )
    assert answer.returncode == 2
    assert "SECRET_KEY and SELLERDESK_CREDENTIALS_KEYS must be set" in answer.stderr
    assert "Traceback" not in answer.stderr
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("command", ["web", "worker"])
def test_scale_out_commands_refuse_the_embedded_mode(tmp_path: Path, command: str) -> None:
    answer = sellerdesk(command, env=process_env(tmp_path))
    assert answer.returncode == 1
    assert (
        f"`sellerdesk {command}` is for scale-out and needs DATABASE_URL (PostgreSQL) and REDIS_URL"
        in answer.stderr
    )


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """A database of our own, so processes outside pytest-django's test database can share it."""
    admin_url = postgres_url()
    name = f"sellerdesk_workers_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_workers_on_redis_run_one_periodic_job_once(tmp_path: Path) -> None:
    redis_base = redis_url()
    queue = f"sellerdesk-test-{uuid.uuid4().hex[:8]}"
    with scratch_postgres_database() as database_url:
        env = process_env(
            tmp_path,
            DATABASE_URL=database_url,
            REDIS_URL=redis_base,
            SELLERDESK_QUEUE_NAME=queue,
            SECRET_KEY="k" * 60,
            SELLERDESK_CREDENTIALS_KEYS=Fernet.generate_key().decode(),
            SELLERDESK_LOG_LEVEL="INFO",
        )
        migrate = sellerdesk("migrate", env=env, timeout=120)
        assert migrate.returncode == 0, migrate.stderr
        logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
        with (
            background("worker", env=env, log=logs[0]) as one,
            background("worker", env=env, log=logs[1]) as two,
        ):
            # Each consumer reads the schedule as it starts, so both try to enqueue the
            # every-minute heartbeat for the same minute at once.
            deadline = time.monotonic() + 45
            runs: list[tuple[object, str]] = []
            while time.monotonic() < deadline and not runs:
                time.sleep(0.5)
                with psycopg.connect(database_url) as db:
                    runs = db.execute(
                        "SELECT tick, outcome FROM runtime_jobrun WHERE job = 'heartbeat'"
                    ).fetchall()
            time.sleep(5)  # room for a second enqueue to show up, if one was made
            assert one.poll() is None and two.poll() is None, "a worker died"
            with psycopg.connect(database_url) as db:
                runs = db.execute(
                    "SELECT tick, outcome FROM runtime_jobrun WHERE job = 'heartbeat' ORDER BY tick"
                ).fetchall()
                holder = db.execute(
                    "SELECT holder FROM runtime_lease WHERE name = 'scheduler'"
                ).fetchone()
        output = "\n".join(log.read_text() for log in logs)
        assert len(runs) >= 1, output
        assert len({tick for tick, _ in runs}) == len(runs)
        assert all(outcome == "ok" for _, outcome in runs)
        # Only the lease holder enqueued: the run-once guard never had to turn one away.
        assert "already ran; skipping" not in output
        assert holder is not None
        assert any(f":{pid}:" in holder[0] for pid in (one.pid, two.pid))
        assert output.count("scheduler enqueues periodic task job.heartbeat") == len(runs)
    redis.Redis.from_url(redis_base).delete(
        *[f"huey.{queue}.{s}" for s in ("", "results", "schedule")]
    )
