"""Benchmark: fan-out latency of typing events to the agents who have a ticket open.

100 websocket clients (100 signed-in agents) on 20 tickets, 5 per ticket, against real
servers in subprocesses. On every ticket someone is typing: each second (twice a browser's
rate) one of its agents reports typing, each ticket at a phase of its own, so 20 typing
events a second reach the server. The time until each of the other 4 agents on that ticket
hears "X is typing a reply" is one sample (measured in this process, which holds every
client: one clock). Prints the median and the 99th percentile, twice:

1. one process: `sellerdesk run` (the embedded mode: in-memory channel layer, cache in
   process memory, the task consumer inside);
2. two web processes sharing Redis (channel layer and presence), the clients of every ticket
   split between them, so each event crosses from one process to the other. They serve the
   same application `sellerdesk web` serves; `sellerdesk web` itself insists on PostgreSQL,
   which this benchmark does not need (the database only answers session and access
   lookups), so both share the SQLite file of phase 1.

    .venv/bin/python bench/presence.py            # goal: p99 <= 100 ms in both setups
    .venv/bin/python bench/presence.py --smoke    # 20 clients on 4 tickets: for CI

Redis: REDIS_URL, else SELLERDESK_TEST_REDIS_URL, else redis://127.0.0.1:6379/0. Without a
Redis the second setup is skipped (it fails instead when SELLERDESK_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

GOAL_MS = 100.0
# A browser reports typing at most every 2 s; the benchmark's typists report every second.
PERIOD = 1.0
REPO = Path(__file__).resolve().parent.parent
SELLERDESK = str(Path(sys.executable).with_name("sellerdesk"))
# The same ASGI application and server as `sellerdesk web` (see the module docstring).
WEB = (
    "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'sellerdesk.settings'); "
    "django.setup(); from sellerdesk.runtime.server import serve; "
    "serve(host='127.0.0.1', port=int(sys.argv[1]), run_consumer=False)"
)


@dataclass(frozen=True)
class Seeded:
    tickets: list[int]
    cookies: list[str]  # one signed-in agent per client
    users: list[int]


def seed(var_dir: Path, clients: int, tickets: int) -> Seeded:
    """A fresh SQLite database with one account, `tickets` tickets and `clients` agents,
    each with a session. Done in this process; the servers read the same file."""
    os.environ["SELLERDESK_VAR_DIR"] = str(var_dir)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SELLERDESK_CREDENTIALS_KEYS"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sellerdesk.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from sellerdesk.accounts.models import SellerAccount
    from sellerdesk.team.models import Role, TeamMember
    from sellerdesk.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    account = SellerAccount.objects.create(name="bench", marketplace="walmart")
    now = timezone.now()
    ticket_ids = [
        Ticket.objects.create(
            account=account,
            kind="buyer_walmart",
            subject=f"Where is order {n}?",
            reply_token=f"bench{n:06d}",
            created_at=now,
            last_message_at=now,
        ).pk
        for n in range(tickets)
    ]
    cookies, users = [], []
    for n in range(clients):
        # No password: hashing 100 of them would be most of the set-up time, and the
        # agents sign in through their sessions.
        user = User(username=f"agent{n:03d}")
        user.set_unusable_password()
        user.save()
        TeamMember.objects.create(user=user, role=Role.AGENT).accounts.add(account)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
        users.append(user.pk)
    connections.close_all()
    return Seeded(ticket_ids, cookies, users)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (503 while the queue heartbeat is young): it serves
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start:\n{log.read_text()[-3000:]}")


@contextmanager
def server(command: list[str], env: dict[str, str], log: Path, port: int) -> Iterator[int]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    try:
        wait_until_serving(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def measure(
    ports: list[int], seeded: Seeded, per_ticket: int, rounds: int, burst: bool = False
) -> tuple[list[float], int]:
    """Connects every client, then runs the typing rounds; returns the latencies in ms and
    how many expected deliveries never came (within 5 s)."""
    from websockets.asyncio.client import connect

    clients: list[Any] = []
    inboxes: list[asyncio.Queue[dict[str, Any]]] = []
    readers = []

    async def read(conn: Any, inbox: asyncio.Queue[dict[str, Any]]) -> None:
        async for raw in conn:
            message = json.loads(raw)
            message["_at"] = time.perf_counter()
            await inbox.put(message)

    plan: list[tuple[int, int]] = []  # (ticket index, client index)
    for t, ticket in enumerate(seeded.tickets):
        for k in range(per_ticket):
            n = t * per_ticket + k
            # Two servers: the clients of each ticket alternate between them.
            port = ports[n % len(ports)]
            conn = await connect(
                f"ws://127.0.0.1:{port}/ws/tickets/{ticket}/",
                origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
                additional_headers={"Cookie": seeded.cookies[n]},
                compression=None,
                open_timeout=30,
            )
            clients.append(conn)
            inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
            inboxes.append(inbox)
            readers.append(asyncio.create_task(read(conn, inbox)))
            plan.append((t, n))
    await asyncio.sleep(1.0)  # joins settle: every page has heard everyone
    for inbox in inboxes:
        while not inbox.empty():
            inbox.get_nowait()

    latencies: list[float] = []
    missed = 0
    rng = random.Random(7)

    async def one_ticket(t: int, r: int) -> None:
        nonlocal missed
        members = [n for tt, n in plan if tt == t]
        typist = members[r % len(members)]
        kind = "reply" if r % 2 == 0 else "note"
        user = seeded.users[typist]
        started = time.perf_counter()
        await clients[typist].send(
            json.dumps({"type": "typing", "ticket": seeded.tickets[t], "kind": kind})
        )

        async def heard(n: int) -> None:
            nonlocal missed
            deadline = started + 5
            while True:
                try:
                    message = await asyncio.wait_for(
                        inboxes[n].get(), max(deadline - time.perf_counter(), 0.001)
                    )
                except TimeoutError:
                    missed += 1
                    return
                if message["type"] == "presence" and any(
                    v["user"] == user and v["activity"] == kind for v in message["viewers"]
                ):
                    latencies.append((message["_at"] - started) * 1000)
                    return

        await asyncio.gather(*(heard(n) for n in members if n != typist))
        # The typist's own copy of the broadcast is not a sample.
        while not inboxes[typist].empty():
            inboxes[typist].get_nowait()

    async def typist_loop(t: int) -> None:
        # Each ticket has someone typing, reporting every PERIOD at a phase of its own:
        # the tickets' events interleave as real typing does instead of all landing at once.
        # --burst: every ticket's typist reports at the same instant, the worst case.
        await asyncio.sleep(0 if burst else rng.random() * PERIOD)
        for r in range(rounds):
            started = time.perf_counter()
            await one_ticket(t, r)
            await asyncio.sleep(max(PERIOD - (time.perf_counter() - started), 0))

    await asyncio.gather(*(typist_loop(t) for t in range(len(seeded.tickets))))

    for conn in clients:
        await conn.close()
    for task in readers:
        task.cancel()
    return latencies, missed


def report(name: str, latencies: list[float], missed: int, expected: int) -> bool:
    if not latencies:
        print(f"{name}: no samples")
        return False
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median = statistics.median(ordered)
    verdict = "ok" if p99 <= GOAL_MS and not missed else "ABOVE GOAL" if not missed else "MISSED"
    print(
        f"{name}: {len(latencies):,} deliveries (of {expected:,}), median {median:.1f} ms, "
        f"p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms, missed {missed} [{verdict}]"
    )
    return missed == 0


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or os.environ.get(
        "SELLERDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"
    )
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            return url
    except OSError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--burst", action="store_true", help="all tickets' typing events at the same instant"
    )
    args = parser.parse_args()
    clients, tickets, rounds = (
        (20, 4, 5) if args.smoke else (args.clients, args.tickets, args.rounds)
    )
    per_ticket = clients // tickets
    redis = redis_url()  # read before seeding clears REDIS_URL from this process

    var_dir = Path(tempfile.mkdtemp(prefix="sellerdesk-bench-presence-"))
    try:
        seeded = seed(var_dir, per_ticket * tickets, tickets)
        base_env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SELLERDESK_CREDENTIALS_KEYS"}
        }
        base_env.update({"SELLERDESK_VAR_DIR": str(var_dir), "SELLERDESK_LOG_LEVEL": "WARNING"})
        expected = rounds * tickets * (per_ticket - 1)
        print(f"{per_ticket * tickets} clients on {tickets} tickets, {rounds} rounds of typing")
        ok = True

        port = free_port()
        with server(
            [SELLERDESK, "run", "--no-migrate", "--port", str(port)],
            base_env,
            var_dir / "single.log",
            port,
        ):
            latencies, missed = asyncio.run(measure([port], seeded, per_ticket, rounds, args.burst))
        ok &= report("one process (sellerdesk run, in-memory layer)", latencies, missed, expected)

        if redis is None:
            message = "two processes sharing Redis: skipped (no Redis answers)"
            if os.environ.get("SELLERDESK_REQUIRE_SERVICES") == "1":
                print(message.replace("skipped", "FAILED"))
                return 1
            print(message)
        else:
            env = {**base_env, "REDIS_URL": redis}
            ports = [free_port(), free_port()]
            with ExitStack() as stack:
                for n, web_port in enumerate(ports):
                    stack.enter_context(
                        server(
                            [sys.executable, "-c", WEB, str(web_port)],
                            env,
                            var_dir / f"web-{n}.log",
                            web_port,
                        )
                    )
                latencies, missed = asyncio.run(
                    measure(ports, seeded, per_ticket, rounds, args.burst)
                )
            ok &= report(
                f"two web processes sharing Redis ({urlsplit(redis).netloc})",
                latencies,
                missed,
                expected,
            )
        return 0 if ok else 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
