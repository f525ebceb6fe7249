"""Walmart webhook deliveries: who sent them, which delivery they are, which orders they name.

Walmart's documents leave the scheme uncertain (a subscription's `authDetails` names an
auth method and a header; third-party code shows HMAC-SHA256 signatures), so both are
supported and chosen per account. Pure: no Django.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_HEADERS = {"hmac": "WM-Signature", "basic": "Authorization"}


@dataclass(frozen=True)
class WebhookAuthConfig:
    scheme: str  # "hmac" or "basic"
    header: str
    secret: str
    username: str = ""


def header_name(scheme: str, configured: str) -> str:
    return configured or DEFAULT_HEADERS[scheme]


def is_authentic(body: bytes, headers: Mapping[str, str], config: WebhookAuthConfig) -> bool:
    """True only if the delivery carries the right proof. No secret configured means no
    delivery is accepted: an unauthenticated endpoint would let anyone trigger API calls."""
    if not config.secret:
        return False
    presented = headers.get(config.header, "").strip()
    if not presented:
        return False
    if config.scheme == "hmac":
        expected = hmac.new(config.secret.encode(), body, hashlib.sha256).hexdigest()
        # Some senders prefix the algorithm ("sha256=<hex>").
        presented = presented.removeprefix("sha256=").lower()
    else:
        pair = f"{config.username}:{config.secret}".encode()
        expected = "Basic " + base64.b64encode(pair).decode()
    return hmac.compare_digest(presented.encode(), expected.encode())


def dedup_key(envelope: Mapping[str, Any], body: bytes) -> str:
    """The delivery's identity: its event id, or a digest of the exact body without one."""
    source = envelope.get("source")
    if isinstance(source, Mapping):
        event_id = source.get("eventId")
        if isinstance(event_id, str) and event_id.strip():
            return f"event:{event_id.strip()[:90]}"
    return "sha256:" + hashlib.sha256(body).hexdigest()[:64]


def event_type(envelope: Mapping[str, Any]) -> str:
    source = envelope.get("source")
    if isinstance(source, Mapping):
        return str(source.get("eventType") or "")[:60]
    return str(envelope.get("eventType") or "")[:60]


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key), item
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def order_ids(envelope: Mapping[str, Any]) -> list[str]:
    """Every purchase order id named anywhere in the payload, in order, once each: event
    payloads differ by type, and all we need from them is which orders to re-read."""
    found: dict[str, None] = {}
    for key, value in _walk(envelope.get("payload", envelope)):
        if key == "purchaseOrderId" and isinstance(value, str | int) and str(value).strip():
            found[str(value).strip()] = None
    return list(found)
