"""Benchmark: search at 100,000 tickets and 400,000 messages (server time, signed in).

Creates a fresh database holding 100,000 orders (one line each, most shipped with a tracking
number) on three seller accounts (two Walmart, one Amazon), 60,000 buyers with relay
addresses, 100,000 tickets (most tied to their order) and 400,000 messages written from
intent templates, product names and a long tail of other words, then times `/search/?q=`
through Django's test Client (middleware, session, template included): an order number, a
tracking number, a two-word full-text search, a buyer's name and two very common words, as
an admin (no account filter) and as an agent who sees two of the three accounts. Each case
runs N times after a warm-up; prints the median and p95 in ms and the number of queries.

Runs on SQLite, then on PostgreSQL too when DATABASE_URL is set (in a database of its own,
`<name>_bench_search`, created and dropped here).

    .venv/bin/python bench/search.py            # goal: order number and two words p95 <= 100 ms
    .venv/bin/python bench/search.py --smoke    # 2,000 tickets: for CI

Another benchmark reuses the cases with `search_cases(...)`: (name, function) pairs, each
function taking an object with a signed-in `client` and making one request.
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

BATCH = 5_000
GOAL_MS = 100
FIRST = [
    "maria",
    "james",
    "sofia",
    "liam",
    "olivia",
    "noah",
    "emma",
    "lucas",
    "ava",
    "mason",
    "mia",
    "ethan",
    "zoe",
    "omar",
    "lena",
    "ivan",
]
LAST = [
    "lopez",
    "smith",
    "garcia",
    "chen",
    "patel",
    "nguyen",
    "kim",
    "brown",
    "davis",
    "miller",
    "wilson",
    "moore",
    "taylor",
    "lee",
]
PRODUCTS = [
    f"{a} {b}"
    for a in [
        "ceramic",
        "brass",
        "walnut",
        "linen",
        "steel",
        "glass",
        "bamboo",
        "velvet",
        "copper",
        "oak",
    ]
    for b in [
        "lamp",
        "kettle",
        "tent",
        "chair",
        "blanket",
        "mug",
        "shelf",
        "rug",
        "clock",
        "pillow",
    ]
]
INTENT_LINES = {
    "where_is_my_order": "Where is my {p}? Tracking has not moved for days and I need it soon.",
    "damaged_item": "The {p} arrived broken, the box was crushed and one side is cracked.",
    "wrong_item": "I received the wrong item, this is not the {p} I ordered.",
    "return_request": "I would like to return the {p}, how do I start a return?",
    "cancel_request": "Please cancel my order for the {p} before it ships.",
    "refund_status": "I sent the {p} back two weeks ago, when will my refund arrive?",
    "not_as_described": "The {p} is not as described, the color and size are different.",
    "missing_parts": "The {p} came with missing parts, the screws are not in the box.",
}
INTENTS = list(INTENT_LINES)
CARRIERS = [("UPS", "https://www.ups.com/track?tracknum={n}"), ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={n}")]  # fmt: skip


# --- the cases (reusable) ------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """What the cases look for: values that exist in the seeded data."""

    order_number: str
    tracking_number: str
    words: str
    name: str
    common_words: str


def _search(client: Any, q: str, expect: str = "") -> Any:
    response = client.get(f"/search/?q={quote(q)}")
    if response.status_code != 200:
        raise SystemExit(f"/search/?q={q} answered {response.status_code}")
    if expect and expect not in response.content.decode():
        raise SystemExit(f"/search/?q={q} does not show {expect!r}")
    return response


def search_cases(targets: Targets, *, who: str = "") -> list[tuple[str, Callable[[Any], Any]]]:
    """The search timings as (name, function) pairs; each function takes an object with a
    signed-in test `client` and makes one request. `who` labels the names ("agent")."""
    label = f", {who}" if who else ""
    return [
        (
            f"search: order number{label}",
            lambda b: _search(b.client, targets.order_number, "search-hit"),
        ),
        (
            f"search: tracking number{label}",
            lambda b: _search(b.client, targets.tracking_number, "search-hit"),
        ),
        (f"search: two words{label}", lambda b: _search(b.client, targets.words, "<mark>")),
        (f"search: buyer name{label}", lambda b: _search(b.client, targets.name)),
        (
            f"search: two very common words{label}",
            lambda b: _search(b.client, targets.common_words),
        ),
    ]


GOAL_CASES = ("search: order number", "search: two words")


# --- data ----------------------------------------------------------------------------------


def insert(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Plain rows by executemany in large batches (model instances cost more than the
    database at this size); columns not given take the field's default."""
    from django.db import connection, models

    ops = connection.ops
    fields = list(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    adapters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, f in enumerate(fields):
        if isinstance(f, models.DateTimeField):
            adapters.append((index, ops.adapt_datetimefield_value))
        elif isinstance(f, models.JSONField):
            adapters.append((index, json.dumps))
        elif isinstance(f, models.DecimalField):
            adapters.append((index, ops.adapt_decimalfield_value))
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(ops.quote_name(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            values = [row[name] if name in row else defaults[name] for name in names]
            for index, adapt in adapters:
                if values[index] is not None:
                    values[index] = adapt(values[index])
            batch.append(values)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def seed(tickets: int, messages: int, now: datetime, rng: random.Random) -> dict[str, Any]:
    from django.contrib.auth.models import User

    from sellerdesk.accounts.models import SellerAccount
    from sellerdesk.customers.models import Customer, CustomerAddress
    from sellerdesk.orders.models import Order, OrderLine
    from sellerdesk.team.members import ensure_member
    from sellerdesk.team.models import Role
    from sellerdesk.tickets.models import Message, Ticket

    accounts = [
        SellerAccount.objects.create(name="Walmart A", marketplace="walmart"),
        SellerAccount.objects.create(name="Walmart B", marketplace="walmart"),
        SellerAccount.objects.create(name="Amazon C", marketplace="amazon"),
    ]
    admin, _ = ensure_member("bench-admin", role=Role.ADMIN, account_names=[], password="x" * 20)
    agent, _ = ensure_member(
        "bench-agent", role=Role.AGENT, account_names=["Walmart A", "Amazon C"], password="x" * 20
    )
    buyers = max(tickets * 3 // 5, 1)
    # A long tail of other words, so the index holds a realistic vocabulary, not ten words.
    tail = ["".join(rng.choices("abcdefghiklmnoprstuvw", k=rng.randint(4, 9))) for _ in range(4000)]
    tail_weights = [1 / (rank + 1) for rank in range(len(tail))]

    insert(
        Customer,
        ({"id": n + 1, "name": f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}",
          "created_at": now} for n in range(buyers)),
    )  # fmt: skip
    insert(
        CustomerAddress,
        ({"id": n + 1, "customer_id": n + 1, "address": f"{n:032x}@relay.walmart.com",
          "first_seen_at": now} for n in range(buyers)),
    )  # fmt: skip

    def order_number(n: int, account: int) -> str:
        if account == 2:
            return f"{112 + n % 800:03d}-{1000000 + n:07d}-{(n * 7919) % 10**7:07d}"
        return str(1_700_000_000_000 + n * 37)

    order_rows = []
    line_rows = []
    for n in range(tickets):
        account = n % 3
        placed = now - timedelta(hours=rng.randint(1, 24 * 90))
        order_rows.append(
            {
                "id": n + 1,
                "account_id": accounts[account].pk,
                "purchase_order_id": order_number(n, account),
                "customer_order_id": str(200_000_000_000_000 + n * 53) if account < 2 else "",
                "customer_id": n % buyers + 1,
                "shipping_name": "",
                "order_date": placed,
                "estimated_delivery_date": placed + timedelta(days=5),
                "product_total": Decimal("24.99"),
                "order_total": Decimal("24.99"),
                "last_modified": placed,
                "content_hash": "x" * 64,
                "synced_at": now,
            }
        )
        carrier, url = CARRIERS[n % 2]
        tracking = f"1Z{n:016d}" if carrier == "UPS" else f"{770000000000 + n}"
        shipped = n % 10 < 7
        line_rows.append(
            {
                "id": n + 1,
                "order_id": n + 1,
                "line_number": "1",
                "sku": f"SKU-{n % 100}",
                "product_name": PRODUCTS[(n // len(INTENTS)) % len(PRODUCTS)].title(),
                "unit_price": Decimal("24.99"),
                "status": "Shipped" if shipped else "Acknowledged",
                "carrier": carrier if shipped else "",
                "tracking_number": tracking if shipped else "",
                "tracking_url": url.format(n=tracking) if shipped else "",
                "ship_date": placed + timedelta(days=1) if shipped else None,
            }
        )
    insert(Order, order_rows)
    insert(OrderLine, line_rows)

    ticket_rows = []
    for n in range(tickets):
        order = order_rows[n]
        ticket_rows.append(
            {
                "id": n + 1,
                "account_id": order["account_id"],
                "kind": "buyer_walmart",
                "customer_id": order["customer_id"],
                "order_id": n + 1 if n % 5 else None,
                "order_number": order["purchase_order_id"],
                "subject": f"Question about order {order['purchase_order_id']}",
                "status": "open" if n % 7 == 0 else "solved",
                "intent": INTENTS[n % len(INTENTS)],
                "relay_address": f"{order['customer_id'] - 1:032x}@relay.walmart.com",
                "reply_token": f"{n:012x}",
                "created_at": order["order_date"],
                "last_message_at": order["order_date"] + timedelta(days=2),
            }
        )
    insert(Ticket, ticket_rows)
    per_ticket = max(messages // tickets, 1)

    def message_rows() -> Iterator[dict[str, Any]]:
        number = 0
        for n, ticket in enumerate(ticket_rows):
            product = PRODUCTS[(n // len(INTENTS)) % len(PRODUCTS)]
            for m in range(per_ticket):
                number += 1
                inbound = m % 2 == 0
                if inbound:
                    line = INTENT_LINES[ticket["intent"]].format(p=product)
                else:
                    line = "Thank you for your message, we are looking into your order now."
                filler = " ".join(rng.choices(tail, weights=tail_weights, k=rng.randint(10, 60)))
                body = f"Hello,\n\n{line} {filler}\n\nThanks"
                at = ticket["created_at"] + timedelta(hours=m)
                yield {
                    "id": number,
                    "ticket_id": n + 1,
                    "direction": "in" if inbound else "out",
                    "kind": "buyer_walmart" if inbound else "reply",
                    "sender": ticket["relay_address"] if inbound else "care@bench.example",
                    "subject": ticket["subject"],
                    "text": body,
                    "new_text": body,
                    "message_id": f"bench.{number}@relay.walmart.com",
                    "received_at": at,
                    "created_at": at,
                }

    from django.db import connection

    from sellerdesk.search import index

    # Triggers per row would fill the index as it goes; filling it once afterwards is what
    # `ensure()` does when its triggers are missing, and several times faster.
    index.drop(connection)
    insert(Message, message_rows())
    index.ensure(connection)
    middle = tickets // 2 - (tickets // 2) % 3  # an account-A order the agent may see
    return {
        "admin": User.objects.get(pk=admin.pk),
        "agent": User.objects.get(pk=agent.pk),
        "targets": Targets(
            order_number=order_rows[middle]["purchase_order_id"],
            # A multiple of 30: account A (seen by the agent) and a shipped line.
            tracking_number=line_rows[middle - middle % 30]["tracking_number"],
            words="broken lamp",
            name="maria lopez",
            common_words="order thanks",
        ),
    }


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
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


# --- running -------------------------------------------------------------------------------


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm-up: the first run pays for reading pages into the cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def p95(times: list[float]) -> float:
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


@dataclass(frozen=True)
class Signed:
    client: Any


def run(args: argparse.Namespace, backend: str) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "sellerdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    tickets, messages = (2_000, 8_000) if args.smoke else (args.tickets, args.messages)
    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction.atomic():
        seeded = seed(tickets, messages, now, random.Random(8))
    reset_sequences()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what a long-running database has; the planner uses it
    print(
        f"[{backend}] seeded {tickets:,} tickets, {messages:,} messages, {tickets:,} orders"
        f" in {time.perf_counter() - started:.1f} s"
    )
    failed = []
    for who in ("admin", "agent"):
        client = Client(SERVER_NAME="localhost")
        client.force_login(seeded[who])
        signed = Signed(client)
        for name, case in search_cases(seeded["targets"], who=who):
            with CaptureQueriesContext(connection) as captured:
                case(signed)
            queries = len(captured)
            times = timed(lambda case=case, signed=signed: case(signed), args.runs)
            median, high = statistics.median(times), p95(times)
            verdict = ""
            if name.rsplit(",", 1)[0] in GOAL_CASES:
                verdict = f"  goal p95 <= {GOAL_MS} ms: {'ok' if high <= GOAL_MS else 'MISSED'}"
                if high > GOAL_MS:
                    failed.append(f"{name} [{backend}]")
            print(
                f"[{backend}] {name}: median {median:.1f} ms, p95 {high:.1f} ms,"
                f" {queries} queries ({args.runs} runs){verdict}"
            )
    if failed and not args.smoke:
        print(f"[{backend}] FAILED: {', '.join(failed)} over the goal")
        return 1
    return 0


def postgres_bench_url(url: str) -> tuple[str, str]:
    """A database of the bench's own next to DATABASE_URL's, and the URL to reach it."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_search"
    return name, urlunsplit(parts._replace(path=f"/{name}"))


def child(args: argparse.Namespace, backend: str, env: dict[str, str]) -> int:
    command = [sys.executable, __file__, "--backend", backend, "--runs", str(args.runs)]
    command += ["--tickets", str(args.tickets), "--messages", str(args.messages)]
    command += ["--smoke"] if args.smoke else []
    return subprocess.call(command, env=env)


def run_postgres(args: argparse.Namespace, base: dict[str, str], url: str) -> int:
    import psycopg
    from cryptography.fernet import Fernet

    name, bench_url = postgres_bench_url(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {**base, "DATABASE_URL": bench_url}
    env.setdefault("SECRET_KEY", "bench-" + os.urandom(24).hex())
    env.setdefault("SELLERDESK_CREDENTIALS_KEYS", Fernet.generate_key().decode())
    try:
        return child(args, "postgres", env)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="2,000 tickets (for CI)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database afterwards")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.runs = min(args.runs, 5)
    if args.backend:
        return run(args, args.backend)

    var_dir = Path(tempfile.mkdtemp(prefix="sellerdesk-bench-search-"))
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
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
        if args.keep:
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
