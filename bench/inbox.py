"""Benchmark: the agent workspace on a large inbox (server time, as an agent signed in).

Creates a fresh database holding 100,000 tickets with 400,000 messages and 100,000 orders on
four seller accounts (three Walmart, one Amazon): a seventh of the tickets still open work
(new, open, pending on the buyer, waiting on the warehouse) with reply deadlines spread from
twelve hours overdue to two days ahead, the rest solved or closed; assignees, tags, snoozed
and merged tickets mixed in. The agent signed in sees three of the four accounts. Each case
is one request through Django's test Client (middleware, session, templates included), timed
over N runs after a warm-up; prints the median and p95 in ms and the number of queries.

Runs on SQLite, then on PostgreSQL too when DATABASE_URL is set (in a database of its own,
`<name>_bench_inbox`, created and dropped here).

    .venv/bin/python bench/inbox.py            # goals on SQLite: inbox p95 <= 30 ms,
                                               #   ticket page p95 <= 50 ms
    .venv/bin/python bench/inbox.py --smoke    # 3,000 tickets: for CI

Other timings join as named cases: append `(name, function)` to CASES, where the function
takes the `Bench` (client, ids, account ids) and makes one request; `GOALS` names the cases
held to a p95 goal.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BATCH = 5_000
INTENTS = [
    "where_is_my_order",
    "cancel_request",
    "address_change",
    "return_request",
    "damaged_item",
    "wrong_item",
    "not_as_described",
    "missing_parts",
    "refund_status",
    "pre_sale_question",
    "other",
]
TAGS = [f"tag-{n}" for n in range(20)]
WORDS = [
    "order",
    "package",
    "arrived",
    "late",
    "damaged",
    "refund",
    "return",
    "please",
    "help",
    "thanks",
    "where",
    "tracking",
    "box",
    "broken",
    "replacement",
    "wrong",
    "size",
    "color",
    "delivery",
    "carrier",
    "label",
    "week",
    "still",
    "waiting",
]
# The ticket page case: one ticket with this many messages.
LONG_THREAD = 40


# --- data --------------------------------------------------------------------------------


def insert(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Insert plain rows with executemany in large batches: bulk_create builds a model
    instance per row, which costs more than the database does at this size. Columns not
    given take the field's default."""
    from django.db import connections, models

    connection = connections["default"]
    ops = connection.ops
    fields = list(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    # Only datetimes, JSON and decimals need adapting; everything else goes as is.
    adapters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, f in enumerate(fields):
        if isinstance(f, models.DateTimeField):
            adapters.append((index, ops.adapt_datetimefield_value))
        elif isinstance(f, models.JSONField):
            adapters.append((index, json.dumps))
        elif isinstance(f, models.DecimalField):
            adapters.append((index, ops.adapt_decimalfield_value))
    quote = ops.quote_name
    # Table and column names from the model, quoted; the values go as parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    count = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = [row[name] if name in row else defaults[name] for name in names]
            for index, adapt in adapters:
                if values[index] is not None:
                    values[index] = adapt(values[index])
            batch.append(values)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


@dataclass
class Bench:
    """What the cases need: a signed-in client and the ids of interesting rows."""

    client: Any
    now: datetime
    accounts: list[int]
    long_ticket: int
    page_50_after: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def seed(
    tickets: int, messages: int, orders: int, now: datetime, rng: random.Random
) -> dict[str, Any]:
    from django.contrib.auth.models import User

    from sellerdesk.accounts.models import SellerAccount
    from sellerdesk.customers.models import Customer
    from sellerdesk.orders.models import Order, OrderLine
    from sellerdesk.team.models import Role, TeamMember
    from sellerdesk.tickets.models import Message, Tag, Ticket

    accounts = [
        SellerAccount.objects.create(name=f"Bench {n}", marketplace=market)
        for n, market in enumerate(["walmart", "walmart", "walmart", "amazon"])
    ]

    def member(username: str, seen: list[SellerAccount]) -> User:
        # No password: the client signs in with force_login, and hashing costs seconds.
        user = User.objects.create(username=username)
        TeamMember.objects.create(user=user, role=Role.AGENT).accounts.set(seen)
        return user

    agent = member("bench-agent", accounts[:3])
    others = [member(f"agent{n}", accounts) for n in range(5)]
    assignees: list[User | None] = [agent, *others, None, None, None]
    Tag.objects.bulk_create([Tag(name=name) for name in TAGS])
    tag_ids = list(Tag.objects.values_list("pk", flat=True))

    customers = max(tickets // 2, 1)
    insert(
        Customer,
        (
            {"id": n + 1, "name": f"Buyer {n}", "address_fingerprint": "", "created_at": now}
            for n in range(customers)
        ),
    )
    span = timedelta(days=365).total_seconds()

    def order_rows() -> Iterator[dict[str, Any]]:
        for n in range(orders):
            placed = now - timedelta(seconds=rng.random() * span)
            yield {
                "id": n + 1,
                "account_id": accounts[n % 4].pk,
                "purchase_order_id": f"{1800000000000 + n}",
                "customer_order_id": f"{2000000000000 + n}",
                "customer_id": n % customers + 1,
                "buyer_email": f"{n:032x}@relay.walmart.com",
                "shipping_name": f"Buyer {n % customers}",
                "order_date": placed,
                "last_modified": placed,
                "content_hash": "",
                "synced_at": now,
            }

    insert(Order, order_rows())
    insert(
        OrderLine,
        (
            {
                "id": n + 1,
                "order_id": n + 1,
                "line_number": "1",
                "sku": f"SKU-{n % 5000}",
                "product_name": f"Product {n % 5000}",
                "status": "Shipped",
            }
            for n in range(orders)
        ),
    )

    # Messages per ticket: LONG_THREAD on the first, the rest spread to reach `messages`.
    counts = [1] * tickets
    counts[0] = LONG_THREAD
    left = messages - sum(counts)
    while left > 0:
        n = rng.randrange(1, tickets) if tickets > 1 else 0
        if counts[n] < 12:
            counts[n] += 1
            left -= 1
    ticket_rows: list[dict[str, Any]] = []
    for n in range(tickets):
        account = accounts[n % 4]
        created = now - timedelta(seconds=rng.random() * span)
        roll = rng.random()
        status = (
            "new"
            if roll < 0.03
            else "open"
            if roll < 0.09
            else "pending"
            if roll < 0.12
            else "waiting_on_warehouse"
            if roll < 0.14
            else "solved"
            if roll < 0.5
            else "closed"
        )
        owes = status in ("new", "open") or (status == "waiting_on_warehouse" and roll < 0.13)
        if n == 0:
            status, owes = "open", True
        due = now + timedelta(hours=rng.uniform(-12, 48)) if owes else None
        active = status in ("new", "open", "pending", "waiting_on_warehouse")
        last = (
            (now - timedelta(minutes=rng.uniform(1, 72 * 60)))
            if active
            else created + timedelta(hours=rng.uniform(1, 96))
        )
        kind_roll = rng.random()
        kind = (
            (
                "walmart_case"
                if kind_roll < 0.04
                else "walmart_escalation"
                if kind_roll < 0.06
                else "buyer_walmart"
            )
            if account.marketplace == "walmart"
            else ("amazon_atoz" if kind_roll < 0.04 else "buyer_amazon")
        )
        assignee = rng.choice(assignees)
        ticket_rows.append(
            {
                "id": n + 1,
                "account_id": account.pk,
                "kind": kind,
                "customer_id": n % customers + 1,
                # Ticket 1 (the long thread) always has its order, so both panels show.
                "order_id": n % orders + 1 if n == 0 or rng.random() < 0.8 else None,
                "order_number": f"{1800000000000 + n % orders}" if rng.random() < 0.85 else "",
                "subject": f"{rng.choice(['Where is my order', 'Return', 'Damaged item', 'Question'])} {n}",
                "status": status,
                "assignee_id": assignee.pk if assignee else None,
                "intent": rng.choice(INTENTS),
                "relay_address": f"{n:032x}@relay.walmart.com",
                "reply_token": f"{n:012x}",
                "needs_reply": True,
                "created_at": min(created, last),
                "last_message_at": last,
                "closed_at": last if status == "closed" else None,
                "due_at": due,
                "sla_state": "none" if due is None else ("breached" if due < now else "ok"),
                "snoozed_until": now + timedelta(hours=rng.uniform(1, 72))
                if active and n and rng.random() < 0.02
                else None,
                "merged_into_id": rng.randrange(1, n + 1)
                if n > 1 and rng.random() < 0.005
                else None,
            }
        )
    insert(Ticket, ticket_rows)
    through = Ticket.tags.through
    insert(
        through,
        (
            {"id": index + 1, "ticket_id": ticket_id, "tag_id": tag_id}
            for index, (ticket_id, tag_id) in enumerate(
                (n + 1, rng.choice(tag_ids)) for n in range(0, tickets, 5)
            )
        ),
    )
    bodies = [
        "Hello,\n\n" + " ".join(rng.choice(WORDS) for _ in range(size)) + "\n\nThanks"
        for size in [20, 60, 150, 400] * 10
    ]

    def message_rows() -> Iterator[dict[str, Any]]:
        number = 0
        for n, row in enumerate(ticket_rows):
            last: datetime = row["last_message_at"]
            for m in range(counts[n]):
                number += 1
                inbound = m % 2 == 0 or m == counts[n] - 1
                at = last - timedelta(hours=6 * (counts[n] - 1 - m))
                body = bodies[number % len(bodies)]
                yield {
                    "id": number,
                    "ticket_id": n + 1,
                    "direction": "in" if inbound else "out",
                    "kind": row["kind"] if inbound else "reply",
                    "sender": row["relay_address"] if inbound else "care@bench.example",
                    "sender_name": f"Buyer {n % customers}" if inbound else "Bench",
                    "subject": row["subject"],
                    "text": body,
                    "new_text": body,
                    "message_id": f"bench.{number}@relay.walmart.com",
                    "received_at": at,
                    "created_at": at,
                }

    with search_index_paused():
        insert(Message, message_rows())
    return {"agent": agent, "accounts": [a.pk for a in accounts], "long_ticket": 1}


@contextmanager
def search_index_paused() -> Iterator[None]:
    """The full-text index (issue 7) is kept by a trigger per message; filling it once
    after the bulk load is several times faster, and what its own `ensure()` does when the
    triggers are missing."""
    try:
        from sellerdesk.search import index
    except ImportError:  # no search index in this tree
        yield
        return
    from django.db import connection

    index.drop(connection)
    yield
    if connection.vendor == "postgresql":
        # The load runs in one transaction with deferred foreign-key checks; PostgreSQL
        # creates no index on a table with checks still pending, so run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    index.ensure(connection)


def reset_sequences() -> None:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    models = [
        m
        for app in ("customers", "orders", "tickets")
        for m in apps.get_app_config(app).get_models()
    ]
    models += [m.tags.through for m in models if hasattr(m, "tags")]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


# --- cases -------------------------------------------------------------------------------


def _get(bench: Bench, url: str) -> Any:
    response = bench.client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response


def inbox_default(bench: Bench) -> Any:
    return _get(bench, "/tickets/")


def inbox_filtered(bench: Bench) -> Any:
    return _get(bench, f"/tickets/?account={bench.accounts[0]}&intent=damaged_item&assignee=none")


def inbox_page_50(bench: Bench) -> Any:
    return _get(bench, f"/tickets/?after={bench.page_50_after}")


def inbox_rows_htmx(bench: Bench) -> Any:
    response = bench.client.get("/tickets/", headers={"HX-Request": "true"})
    if response.status_code != 200:
        raise SystemExit(f"the htmx inbox answered {response.status_code}")
    return response


def ticket_page(bench: Bench) -> Any:
    return _get(bench, f"/tickets/{bench.long_ticket}/")


def search_order_number(bench: Bench) -> Any:
    # Order 5 (number 1800000000000 + id - 1) is on the first account, which the agent sees.
    response = _get(bench, "/search/?q=1800000000004")
    if b"1800000000004" not in response.content:
        raise SystemExit("the order-number search did not find the order")
    return response


def search_two_words(bench: Bench) -> Any:
    # Every message is made of WORDS, so two of them match a large share of the 400,000
    # messages: the costly end of full-text search (bench/search.py has rarer words too).
    response = _get(bench, "/search/?q=damaged+refund")
    if b"<mark>" not in response.content:
        raise SystemExit("the two-word search showed no matching words")
    return response


Case = tuple[str, Callable[[Bench], Any]]
CASES: list[Case] = [
    ("inbox, default page", inbox_default),
    ("inbox, filtered page", inbox_filtered),
    ("inbox, 50th page", inbox_page_50),
    ("inbox, rows only (htmx refresh)", inbox_rows_htmx),
    (f"ticket page, {LONG_THREAD} messages", ticket_page),
    ("search: order number", search_order_number),
    ("search: two words", search_two_words),
]
# p95 goals in ms on SQLite (this machine); the other cases are reported only.
GOALS: dict[str, float] = {
    "inbox, default page": 30,
    "inbox, filtered page": 30,
    "inbox, 50th page": 30,
    f"ticket page, {LONG_THREAD} messages": 50,
    "search: order number": 100,
    "search: two words": 100,
}


def timed(run: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run, sorted. On SQLite the database works in
    this process, so CPU time is the server's own work, unaffected by other programs
    competing for the cores (the wall clock is what the goals are about)."""
    run()  # warm-up: the first run pays for reading pages into the cache
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return sorted(wall), sorted(cpu)


def p95(times: list[float]) -> float:
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def page_50_cursor(agent: Any, now: datetime) -> str:
    from sellerdesk.tickets.queries import InboxFilters, inbox_page

    after = None
    for _ in range(49):
        page = inbox_page(agent, InboxFilters(), after=after, now=now)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    return after.encode() if after else ""


# --- running -----------------------------------------------------------------------------


def run(args: argparse.Namespace, backend: str) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "sellerdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    tickets, messages, orders = (
        (3_000, 12_000, 3_000) if args.smoke else (args.tickets, args.messages, args.orders)
    )
    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction.atomic():
        seeded = seed(tickets, messages, orders, now, random.Random(6))
    reset_sequences()
    with connection.cursor() as cursor:
        # What a long-running database has: statistics for the planner, and on PostgreSQL
        # the visibility map (autovacuum's work) that lets index-only scans skip the table.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"[{backend}] seeded {tickets:,} tickets, {messages:,} messages, {orders:,} orders"
        f" in {time.perf_counter() - started:.1f} s"
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(seeded["agent"])
    bench = Bench(
        client=client,
        now=now,
        accounts=seeded["accounts"],
        long_ticket=seeded["long_ticket"],
        page_50_after=page_50_cursor(seeded["agent"], now),
    )
    failed = []
    for name, case in CASES:
        with CaptureQueriesContext(connection) as captured:
            case(bench)
        queries = len(captured)  # now: the next request clears the connection's log
        times, cpu = timed(lambda case=case: case(bench), args.runs)
        median, high = statistics.median(times), p95(times)
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None and backend == "sqlite":
            verdict = f"  goal p95 <= {goal:g} ms: {'ok' if high <= goal else 'MISSED'}"
            if high > goal:
                failed.append(name)
        print(
            f"[{backend}] {name}: median {median:.1f} ms, p95 {high:.1f} ms"
            f" (CPU median {statistics.median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms),"
            f" {queries} queries ({args.runs} runs){verdict}"
        )
    if failed and not args.smoke:
        print(f"[{backend}] FAILED: {', '.join(failed)} over the goal")
        return 1
    return 0


def postgres_bench_url(url: str) -> tuple[str, str, str]:
    """A database of the bench's own next to DATABASE_URL's (which need not exist), the URL
    to reach it, and the server's maintenance database to create and drop it from."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_bench_inbox"
    return (
        name,
        urlunsplit(parts._replace(path=f"/{name}")),
        urlunsplit(parts._replace(path="/postgres")),
    )


def child(args: argparse.Namespace, backend: str, env: dict[str, str]) -> int:
    command = [sys.executable, __file__, "--backend", backend, "--runs", str(args.runs)]
    command += ["--tickets", str(args.tickets), "--messages", str(args.messages)]
    command += ["--orders", str(args.orders)] + (["--smoke"] if args.smoke else [])
    return subprocess.call(command, env=env)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="3,000 tickets (for CI)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=400_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.runs = min(args.runs, 5)
    if args.backend:
        return run(args, args.backend)

    var_dir = Path(tempfile.mkdtemp(prefix="sellerdesk-bench-inbox-"))
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    base["SELLERDESK_VAR_DIR"] = str(var_dir)
    try:
        sqlite_env = {
            k: v
            for k, v in base.items()
            if k not in ("DATABASE_URL", "SECRET_KEY", "SELLERDESK_CREDENTIALS_KEYS")
        }
        status = child(args, "sqlite", sqlite_env)
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            status = max(status, run_postgres(args, base, url))
        return status
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run_postgres(args: argparse.Namespace, base: dict[str, str], url: str) -> int:
    import psycopg
    from cryptography.fernet import Fernet

    name, bench_url, maintenance = postgres_bench_url(url)
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {**base, "DATABASE_URL": bench_url}
    env.setdefault("SECRET_KEY", "bench-" + os.urandom(24).hex())
    env.setdefault("SELLERDESK_CREDENTIALS_KEYS", Fernet.generate_key().decode())
    try:
        return child(args, "postgres", env)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
