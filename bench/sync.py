"""Benchmark: full order sync from the Walmart emulator into a fresh SQLite database.

The emulator runs in its own process (`sellerdesk emulate walmart`), as Walmart would. This
process syncs 20,000 orders with `--full` into an empty database, then again with nothing
changed, and prints orders per second for both runs and its own peak memory.

    .venv/bin/python bench/sync.py            # 20,000 orders (goal: >= 2,000/s, >= 10,000/s, < 300 MB)
    .venv/bin/python bench/sync.py --smoke    # 1,000 orders, for CI
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the emulator exited before it listened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the emulator did not listen in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="1,000 orders, for CI")
    parser.add_argument("--orders", type=int, default=None)
    args = parser.parse_args()
    orders = args.orders or (1_000 if args.smoke else 20_000)

    # A fresh database each run, removed afterwards (the caller owns the folder).
    var_dir = Path(
        os.environ.get("SELLERDESK_BENCH_DIR") or tempfile.mkdtemp(prefix="sellerdesk-bench-")
    )
    os.environ["SELLERDESK_VAR_DIR"] = str(var_dir)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SELLERDESK_CREDENTIALS_KEYS"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sellerdesk.settings"

    port = free_port()
    sellerdesk = str(Path(sys.executable).with_name("sellerdesk"))
    emulator = subprocess.Popen(
        [
            sellerdesk,
            "emulate",
            "walmart",
            "--port",
            str(port),
            "--seed",
            "7",
            "--orders",
            str(orders),
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "SELLERDESK_VAR_DIR": str(var_dir / "emulator")},
    )
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from sellerdesk.accounts.models import SellerAccount
        from sellerdesk.marketplaces import running
        from sellerdesk.orders.models import Order

        call_command("migrate", verbosity=0)
        account = SellerAccount(
            name="bench", marketplace="walmart", api_base_url=f"http://127.0.0.1:{port}"
        )
        account.set_credentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        account.save()
        wait_for_port(port, emulator)

        figures = []
        for label in ("first full sync", "unchanged full sync"):
            started = time.perf_counter()
            report = running.run_sync(account, full=True)
            elapsed = time.perf_counter() - started
            if not report.ok:
                raise SystemExit(f"{label} failed: {[r.error for r in report.resources]}")
            fetched = sum(r.fetched for r in report.resources if r.resource.startswith("orders"))
            written = sum(
                r.counts.created + r.counts.updated
                for r in report.resources
                if r.resource.startswith("orders")
            )
            figures.append((label, fetched, written, elapsed))
        stored = Order.objects.count()
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"orders in the emulator: {orders}; orders stored: {stored}")
    for label, fetched, written, elapsed in figures:
        print(
            f"{label}: {fetched} orders fetched, {written} written, {elapsed:.2f} s, "
            f"{fetched / elapsed:,.0f} orders/s"
        )
    print(f"peak memory of the sync process: {peak_mb:.0f} MB")
    if stored != orders:
        print("FAILED: the database does not hold exactly the emulator's orders")
        return 1
    return 0


if __name__ == "__main__":
    work = tempfile.mkdtemp(prefix="sellerdesk-bench-sync-")
    os.environ["SELLERDESK_BENCH_DIR"] = work
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(work, ignore_errors=True)
