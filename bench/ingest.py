"""Benchmark: mail ingestion into a database that already holds many messages.

Creates a fresh SQLite database (in a temporary var dir) holding 100,000 earlier messages on
25,000 tickets, then ingests 5,000 generated messages through the real pipeline (parse,
deduplicate, classify, thread, link, store) in batches, as a mailbox fetch takes them: mixed
sizes, a fifth HTML, a tenth with an attachment, a fifth replies to earlier messages. Prints
messages per second (wall clock, and per CPU-second of this process: the machine is shared,
and the second figure leaves out the time other processes took) and peak memory.

    .venv/bin/python bench/ingest.py               # goal: >= 300 messages/s
    .venv/bin/python bench/ingest.py --one-by-one  # one transaction per message, for comparison
    .venv/bin/python bench/ingest.py --smoke       # 2,000 earlier, 200 new: for CI
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

SUPPORT = "care@bench.example"


def generate(count: int, earlier_ids: list[str], rng: random.Random, now: datetime) -> list[bytes]:
    messages = []
    words = [
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
    ]
    for i in range(count):
        mail = EmailMessage()
        buyer = f"{rng.getrandbits(128):032x}@relay.walmart.com"
        sent = now - timedelta(minutes=count - i)
        mail["Received"] = f"from relay.walmart.com by mx.bench.example; {format_datetime(sent)}"
        mail["From"] = buyer
        mail["To"] = SUPPORT
        mail["Date"] = format_datetime(sent)
        mail["Message-ID"] = f"<bench.{i}.{rng.getrandbits(32):x}@relay.walmart.com>"
        if i % 5 == 0 and earlier_ids:
            parent = rng.choice(earlier_ids)
            mail["In-Reply-To"] = f"<{parent}>"
            mail["References"] = f"<{parent}>"
            mail["Subject"] = "Re: Where is my order?"
        else:
            mail["Subject"] = f"Question about order {1700000000000 + rng.randrange(10**6)}"
        size = rng.choice([40, 200, 1_000, 5_000])
        body = " ".join(rng.choice(words) for _ in range(size))
        mail.set_content(f"Hello,\n\n{body}\n\nThanks\n")
        if i % 5 == 1:
            mail.add_alternative(
                f"<html><body><p>{body}</p><img src='https://t.example/p.gif'></body></html>",
                subtype="html",
            )
        if i % 10 == 3:
            mail.add_attachment(
                rng.randbytes(20_000), maintype="image", subtype="jpeg", filename="photo.jpg"
            )
        messages.append(mail.as_bytes())
    return messages


def seed_history(earlier: int, now: datetime) -> tuple[object, list[str]]:
    from sellerdesk.accounts.models import SellerAccount
    from sellerdesk.tickets.models import Message, Ticket

    account = SellerAccount.objects.create(
        name="bench", marketplace="walmart", support_address=SUPPORT, sender_address=SUPPORT
    )
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(
                account=account,
                kind="buyer_walmart",
                subject="Where is my order?",
                relay_address=f"{n:032x}@relay.walmart.com",
                reply_token=f"{n:012x}",
                created_at=now - timedelta(days=30),
                last_message_at=now - timedelta(days=30),
            )
            for n in range(max(earlier // 4, 1))
        ],
        batch_size=2_000,
    )
    ids = []
    batch = []
    for n in range(earlier):
        ticket = tickets[n % len(tickets)]
        message_id = f"earlier.{n}@relay.walmart.com"
        ids.append(message_id)
        batch.append(
            Message(
                ticket=ticket,
                direction="in",
                kind="buyer_walmart",
                sender=ticket.relay_address,
                subject=ticket.subject,
                text="Where is my order?",
                new_text="Where is my order?",
                message_id=message_id,
                received_at=now - timedelta(days=30, minutes=n),
                created_at=now - timedelta(days=30),
            )
        )
        if len(batch) == 5_000:
            Message.objects.bulk_create(batch)
            batch = []
    Message.objects.bulk_create(batch)
    return account, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--earlier", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=5_000)
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="messages per transaction (default: the fetch's)",
    )
    parser.add_argument(
        "--one-by-one", action="store_true", help="one transaction per message, as before batches"
    )
    args = parser.parse_args()
    earlier, new = (2_000, 200) if args.smoke else (args.earlier, args.new)

    # A fresh database each run, removed afterwards (the caller owns the folder).
    var_dir = Path(
        os.environ.get("SELLERDESK_BENCH_DIR")
        or tempfile.mkdtemp(prefix="sellerdesk-bench-ingest-")
    )
    os.environ["SELLERDESK_VAR_DIR"] = str(var_dir)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SELLERDESK_CREDENTIALS_KEYS"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sellerdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from sellerdesk.mail.ingest import IngestResult, ingest
    from sellerdesk.mail.ingest_batch import RawMail, batches, ingest_batch
    from sellerdesk.tickets.models import Message

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    started = time.perf_counter()
    account, earlier_ids = seed_history(earlier, now)
    print(
        f"seeded {Message.objects.count():,} earlier messages in {time.perf_counter() - started:.1f} s"
    )
    raws = generate(new, earlier_ids, random.Random(7), now)

    outcomes: dict[str, int] = {}
    threaded = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    results: list[IngestResult] = []
    if args.one_by_one:
        # The path before batching (and still that of `ingest-eml` and quarantine retries).
        results = [ingest(raw, account=account) for raw in raws]  # type: ignore[arg-type]
    else:
        # As a mailbox fetch does: the mailbox names its account, batches of the fetch's size.
        mails = [RawMail(raw, key=n) for n, raw in enumerate(raws)]
        for batch in batches(mails, size=args.batch_size):
            results += ingest_batch(batch, account=account)  # type: ignore[arg-type]
    for result in results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        threaded += result.threaded
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ingested {new:,} messages in {elapsed:.2f} s: {new / elapsed:,.0f} messages/s")
    # The machine is shared: CPU time (user + system, this process only) shows what the
    # run cost without the time other processes took from it.
    print(f"cpu time {cpu:.2f} s: {new / cpu:,.0f} messages per cpu-second")
    print(f"outcomes: {outcomes}; threaded into earlier tickets: {threaded}")
    print(f"peak memory: {peak_mb:.0f} MB")
    expected_threaded = len(range(0, new, 5))
    if outcomes.get("ingested") != new or threaded != expected_threaded:
        print(f"FAILED: expected {new} ingested and {expected_threaded} threaded")
        return 1
    return 0


if __name__ == "__main__":
    work = tempfile.mkdtemp(prefix="sellerdesk-bench-ingest-")
    os.environ["SELLERDESK_BENCH_DIR"] = work
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(work, ignore_errors=True)
