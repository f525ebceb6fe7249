"""The demo's emulated Walmart sellers: local API servers started in this process, synced at
start, then live (new orders arrive, lines progress, webhooks are delivered to the demo)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.demo.seed import DEMO_ACCOUNTS
from sellerdesk.marketplaces.running import run_sync
from sellerdesk.marketplaces.sync import SyncReport
from sellerdesk.marketplaces.walmart.emulator import (
    EmulatorHandle,
    build_emulator,
    serve,
    start_live,
)

# New orders and line progress every few seconds, so the demo visibly moves.
LIVE_INTERVAL_SECONDS = 5.0


@contextmanager
def emulated_sellers() -> Iterator[dict[str, EmulatorHandle]]:
    handles: dict[str, EmulatorHandle] = {}
    try:
        for demo in DEMO_ACCOUNTS:
            emulator = build_emulator(
                seed=demo.seed,
                orders=demo.orders,
                client_id=demo.client_id,
                client_secret=demo.client_secret,
            )
            handles[demo.name] = serve(emulator, port=0)
        yield handles
    finally:
        for handle in handles.values():
            handle.stop()


def sync_all(accounts: list[SellerAccount]) -> list[SyncReport]:
    # Full: the emulators start afresh each time, so every order may have moved since the
    # last demo run, not only those modified after its high-water mark.
    return [run_sync(account, full=True) for account in accounts]


def go_live(
    handles: dict[str, EmulatorHandle], accounts: list[SellerAccount], base_url: str
) -> None:
    secrets = {demo.name: demo.webhook_secret for demo in DEMO_ACCOUNTS}
    for account in accounts:
        start_live(
            handles[account.name],
            interval=LIVE_INTERVAL_SECONDS,
            webhook_url=f"{base_url}/hooks/walmart/{account.pk}/",
            webhook_secret=secrets[account.name],
        )
