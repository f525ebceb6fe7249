"""Benchmark: the 30-day figures of an account with 200,000 inquiries.

Creates a fresh SQLite database (in a temporary var dir) with one Walmart account holding
200,000 inquiries received over 90 days on 160,000 tickets: about 93 % answered in time, some
late, some left unanswered past their deadline, some closed without a reply, some excluded,
the newest not yet due; three quarters of the tickets solved (a few reopened and solved
again), with intents and root causes. Then times `sla.metrics.figures` for the last 30 days
(7 runs after one warm-up) and prints the median and the 95th percentile.

    .venv/bin/python bench/metrics.py            # goal: <= 500 ms median on SQLite
    .venv/bin/python bench/metrics.py --smoke    # 5,000 inquiries: for CI
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

GOAL_MS = 500
BATCH = 5_000
INTENTS = ["where_is_my_order", "return", "cancel", "damaged", "refund", "other"]
ROOT_CAUSES = ["carrier_delay", "damaged", "buyer_remorse", "wrong_item", "", ""]


def seed(inquiries: int, now: datetime, rng: random.Random) -> int:
    """Creates the account, its tickets, inquiries and events; returns the account's id."""
    from django.contrib.auth.models import User

    from sellerdesk.accounts.models import SellerAccount
    from sellerdesk.tickets.models import Inquiry, Ticket, TicketEvent

    account = SellerAccount.objects.create(name="bench", marketplace="walmart")
    agents = [User.objects.create_user(f"agent{n}") for n in range(5)]
    deadline = timedelta(hours=48)
    span = timedelta(days=90).total_seconds()
    ticket_count = max(inquiries * 4 // 5, 1)

    starts = sorted(now - timedelta(seconds=rng.random() * span) for _ in range(ticket_count))
    tickets = []
    for n, created in enumerate(starts):
        closed = created + timedelta(hours=rng.uniform(1, 120)) if rng.random() < 0.3 else None
        tickets.append(
            Ticket(
                account=account,
                kind="buyer_walmart",
                intent=rng.choice(INTENTS),
                root_cause=rng.choice(ROOT_CAUSES),
                assignee=rng.choice(agents),
                status="closed" if closed and closed <= now else "open",
                reply_token=f"{n:012x}",
                created_at=created,
                last_message_at=created,
                closed_at=closed if closed and closed <= now else None,
            )
        )
    tickets = Ticket.objects.bulk_create(tickets, batch_size=BATCH)

    rows: list[Inquiry] = []
    events: list[TicketEvent] = []
    for n in range(inquiries):
        # Every ticket has one inquiry; a quarter of them, at random, a second one a day later.
        ticket = tickets[n] if n < ticket_count else tickets[rng.randrange(ticket_count)]
        received = ticket.created_at + (timedelta(days=1) if n >= ticket_count else timedelta())
        if received > now:
            received = ticket.created_at
        due = received + deadline
        answered = closed = None
        excluded = False
        roll = rng.random()
        if roll < 0.93:
            answered = received + timedelta(minutes=rng.uniform(5, 47 * 60))
        elif roll < 0.96:
            answered = received + timedelta(hours=rng.uniform(49, 100))
        elif roll < 0.98:
            pass  # never answered
        elif roll < 0.99:
            closed = received + timedelta(hours=rng.uniform(1, 60))
        else:
            excluded, closed = True, received + timedelta(hours=1)
        if answered and answered > now:
            answered = None  # recent ones are still waiting: not yet due, or overdue
        rows.append(
            Inquiry(
                ticket=ticket,
                account=account,
                policy="walmart",
                received_at=received,
                due_at=due,
                answered_at=answered,
                answered_by=rng.choice(agents) if answered else None,
                closed_at=closed if closed and closed <= now else None,
                excluded=excluded,
                in_time=None if excluded or not answered else answered <= due,
            )
        )
        if n < ticket_count and rng.random() < 0.75:
            solved_at = received + timedelta(hours=rng.uniform(1, 72))
            if solved_at <= now:
                events.append(_status(ticket, solved_at))
                if rng.random() < 0.05:
                    reopened_at = solved_at + timedelta(hours=6)
                    events.append(
                        TicketEvent(ticket=ticket, kind="reopened", created_at=reopened_at)
                    )
                    events.append(_status(ticket, reopened_at + timedelta(hours=6)))
        if len(rows) >= BATCH:
            Inquiry.objects.bulk_create(rows)
            rows = []
        if len(events) >= BATCH:
            TicketEvent.objects.bulk_create(events)
            events = []
    Inquiry.objects.bulk_create(rows)
    TicketEvent.objects.bulk_create(events)
    return account.pk


def _status(ticket: Any, at: datetime) -> Any:
    from sellerdesk.tickets.models import TicketEvent

    return TicketEvent(
        ticket=ticket,
        kind="status_changed",
        data={"previous": "open", "status": "solved"},
        created_at=at,
    )


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


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="5,000 inquiries (for CI)")
    parser.add_argument("--inquiries", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    inquiries = 5_000 if args.smoke else args.inquiries

    var_dir = Path(tempfile.mkdtemp(prefix="sellerdesk-bench-metrics-"))
    try:
        return run(args, inquiries, var_dir)
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace, inquiries: int, var_dir: Path) -> int:
    os.environ["SELLERDESK_VAR_DIR"] = str(var_dir)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SELLERDESK_CREDENTIALS_KEYS"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sellerdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sellerdesk.sla.metrics import figures

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    account_id = seed(inquiries, now, random.Random(5))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what a long-running database has; the planner uses it
    print(f"seeded {inquiries:,} inquiries in {time.perf_counter() - started:.1f} s ({var_dir})")

    data = figures([account_id], days=30, now=now)
    print(
        f"30 days: {data['inquiries']:,} inquiries, response rate {data['response_rate']},"
        f" breached {data['breached']:,}, {data['tickets']:,} tickets,"
        f" reopen rate {data['reopen_rate']}"
    )
    failed = False
    for label, kwargs in (
        ("30-day figures", {"days": 30}),
        ("30-day figures by agent", {"days": 30, "by": "agent"}),
        ("90-day figures", {"days": 90}),
    ):
        times = timed(lambda kw=kwargs: figures([account_id], now=now, **kw), args.runs)
        median = statistics.median(times)
        print(f"{label}: median {median:.0f} ms, p95 {p95(times):.0f} ms ({args.runs} runs)")
        if label == "30-day figures" and median > GOAL_MS:
            failed = True
    if failed and not args.smoke:
        print(f"FAILED: the 30-day figures took more than {GOAL_MS} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
