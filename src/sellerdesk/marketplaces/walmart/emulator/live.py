"""Live mode: orders arrive and lines progress over time, and changes go out as webhooks.

Deliveries are ``POST``s of ``{"source": {"eventType", "eventTime", "eventId"}, "payload":
{...}}`` (the envelope seen in Walmart's web pages) with the header
``WM-Signature: <hex HMAC-SHA256 of the raw body, keyed with the webhook secret>``. A receiver
verifies by recomputing the HMAC over the exact bytes it received. Deliveries are
best-effort, as Walmart's are: a failed POST is dropped, polling remains the safety net.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import urllib.request
import uuid
from collections.abc import Callable

from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.marketplaces.walmart.emulator.state import EmulatorState

# Which internal changes a seller's webhook hears about, under Walmart's event names.
WEBHOOK_EVENTS = {
    "PO_CREATED": "PO_CREATED",
    "INTENT_TO_CANCEL": "INTENT_TO_CANCEL",
    "PO_LINE_AUTOCANCELLED": "PO_LINE_AUTOCANCELLED",
}


def sign(body: bytes, secret: str) -> str:
    """The ``WM-Signature`` value for ``body``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """Queues change events and POSTs them, signed, from one background thread."""

    def __init__(self, url: str, secret: str, timeout: float = 5.0) -> None:
        # urllib would also open file: and ftp: URLs; a webhook target is only ever HTTP(S).
        if not url.startswith(("http://", "https://")):
            raise ValueError("webhook URL must be http:// or https://")
        self.url, self.secret, self.timeout = url, secret, timeout
        self.sent = 0
        self.failed = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._thread = threading.Thread(
            target=self._run, name="walmart-emulator-webhooks", daemon=True
        )
        self._thread.start()

    def __call__(self, event: str, order: cat.Order, state: EmulatorState) -> None:
        name = WEBHOOK_EVENTS.get(event)
        if name is None:
            return
        envelope = {
            "source": {
                "eventType": name,
                "eventTime": cat.iso_ms(state.clock_ms()),
                "eventId": str(uuid.uuid4()),
            },
            "payload": json.loads(state.order_bytes(order, True)),
        }
        self._queue.put(json.dumps(envelope, separators=(",", ":")).encode())

    def _run(self) -> None:
        while True:
            body = self._queue.get()
            if body is None:
                return
            # Scheme checked in __init__, so S310 (file: URLs) does not apply.
            request = urllib.request.Request(  # noqa: S310
                self.url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "WM-Signature": sign(body, self.secret),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    response.read()
                self.sent += 1
            except OSError:
                self.failed += 1

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=self.timeout + 1)


def step(state: EmulatorState) -> None:
    """One tick of the live seller: maybe a new order, some deliveries, auto-cancels, intents."""
    with state.lock:
        rng = state.rng
        now = state.clock_ms()
        if rng.random() < 0.7:
            state.add_order(now)
        for order in state.orders[-400:]:
            changed = ""
            for line in order.lines:
                if (
                    line.status == "Shipped"
                    and line.ship_ms is not None
                    and now - line.ship_ms > 2 * cat.DAY_MS
                    and rng.random() < 0.3
                ):
                    line.status, line.status_ms, changed = (
                        "Delivered",
                        now,
                        changed or "PO_DELIVERED",
                    )
                elif (
                    line.status in ("Created", "Acknowledged")
                    and now > order.est_ship_ms + 4 * cat.DAY_MS
                ):
                    # Walmart cancels lines not shipped by estimated ship date + 4 days.
                    line.status, line.status_ms, line.cancellation_reason = (
                        "Cancelled",
                        now,
                        "SELLER_CANCEL_UNABLE_TO_FULFILL",
                    )
                    changed = "PO_LINE_AUTOCANCELLED"
                elif line.status == "Created" and not line.intent_to_cancel and rng.random() < 0.01:
                    line.intent_to_cancel, line.status_ms, changed = True, now, "INTENT_TO_CANCEL"
            if changed:
                state.changed(order, changed)


class LiveRunner:
    """Calls :func:`step` every ``interval`` seconds until stopped."""

    def __init__(
        self,
        state: EmulatorState,
        interval: float = 1.0,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.state, self.interval, self.on_error = state, interval, on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="walmart-emulator-live", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                step(self.state)
            except Exception as exc:  # keep the seller alive; report and go on
                if self.on_error is not None:
                    self.on_error(exc)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 1)
