"""A local, stateful Walmart Marketplace API for tests, the demo and manual trials.

In-process::

    handle = serve(build_emulator(seed=7, orders=500), port=0)
    client = WalmartClient(handle.url, handle.client_id, handle.client_secret)
    ...
    handle.stop()

From the command line: ``sellerdesk emulate walmart --port 8101 --seed 7 --orders 500``
(see :func:`main`).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from sellerdesk.marketplaces.walmart.emulator.live import LiveRunner, WebhookSender, sign
from sellerdesk.marketplaces.walmart.emulator.server import (
    Emulator,
    EmulatorHandle,
    Exchange,
    build_emulator,
    serve,
)

__all__ = [
    "Emulator",
    "EmulatorHandle",
    "Exchange",
    "build_emulator",
    "main",
    "serve",
    "sign",
    "start_live",
]


def start_live(
    handle: EmulatorHandle,
    *,
    interval: float = 1.0,
    webhook_url: str | None = None,
    webhook_secret: str = "",
) -> None:
    """Make ``handle``'s seller live (new orders, progressing lines) and optionally send
    signed webhooks; both stop with ``handle.stop()``."""
    state = handle.emulator.state
    if webhook_url:
        sender = WebhookSender(webhook_url, webhook_secret)
        state.listeners.append(lambda event, order: sender(event, order, state))
        handle._stoppers.append(sender.stop)
    runner = LiveRunner(state, interval)
    handle._stoppers.insert(0, runner.stop)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sellerdesk emulate walmart",
        description="Run a local Walmart Marketplace API emulator.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8101)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--orders",
        type=int,
        default=500,
        help="orders over the last 90 days (up to 25,000 or more)",
    )
    p.add_argument("--client-id")
    p.add_argument("--client-secret")
    p.add_argument(
        "--fail-rate", type=float, default=0.0, help="share of requests answered 500/503"
    )
    p.add_argument(
        "--rate-limit",
        type=float,
        default=0.0,
        help="requests per second before 429 (0: unlimited)",
    )
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--token-ttl", type=int, default=900, help="access token lifetime in seconds")
    p.add_argument(
        "--live", action="store_true", help="new orders arrive and lines progress over time"
    )
    p.add_argument("--live-interval", type=float, default=1.0)
    p.add_argument("--webhook-url", help="POST signed change events here (with --live)")
    p.add_argument(
        "--webhook-secret", default="", help="HMAC-SHA256 key for the WM-Signature header"
    )
    return p


def main(argv: Sequence[str] | None = None, *, stop: threading.Event | None = None) -> int:
    """Entry point of ``sellerdesk emulate walmart``; serves until interrupted (or ``stop``)."""
    args = _parser().parse_args(argv)
    if not 0 <= args.fail_rate < 1:
        print("--fail-rate must be in [0, 1)", file=sys.stderr)
        return 2
    if args.webhook_url and not args.webhook_secret:
        print("--webhook-url needs --webhook-secret (deliveries are signed)", file=sys.stderr)
        return 2
    emulator = build_emulator(
        seed=args.seed,
        orders=args.orders,
        client_id=args.client_id,
        client_secret=args.client_secret,
        fail_rate=args.fail_rate,
        rate_limit=args.rate_limit,
        latency_ms=args.latency_ms,
        token_ttl=args.token_ttl,
    )
    try:
        handle = serve(emulator, args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    if args.live:
        start_live(
            handle,
            interval=args.live_interval,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret,
        )
    print(f"Walmart emulator listening on {handle.url}")
    print(f"client id:     {handle.client_id}")
    print(f"client secret: {handle.client_secret}")
    print(
        f"orders: {len(emulator.state.orders)}  seed: {args.seed}  live: {'yes' if args.live else 'no'}",
        flush=True,
    )
    waiter = stop or threading.Event()
    try:
        waiter.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    return 0
