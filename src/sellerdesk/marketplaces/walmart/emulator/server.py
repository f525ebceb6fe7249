"""The emulator's HTTP face: Walmart's gateway behaviour (auth, throttling, faults) and routes.

Order of checks per request, as at Walmart's gateway: latency, rate limit (429), injected
server fault (500/503), token (401), then the route. Every exchange can be handed to a
``response_validator`` (tests validate against the OpenAPI files there); an exception it
raises is collected in ``Emulator.validation_errors`` rather than lost in a server thread.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sellerdesk.marketplaces.walmart.emulator.extras import BadRequest, Result
from sellerdesk.marketplaces.walmart.emulator.state import EmulatorState, error_result
from sellerdesk.marketplaces.walmart.errors import (
    REQUEST_THRESHOLD_VIOLATED,
    SYSTEM_ERROR,
    UNAUTHORIZED,
    gateway_error_body,
    service_error_body,
)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the emulator's answer, as given to a ``response_validator``."""

    method: str
    path: str
    query: dict[str, str]
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Emulator:
    """A stateful Walmart seller: state plus gateway settings. Thread-safe."""

    state: EmulatorState
    client_id: str
    client_secret: str
    clock: Callable[[], float]
    fail_rate: float = 0.0
    rate_limit: float = 0.0
    latency_ms: int = 0
    token_ttl: int = 900
    response_validator: Callable[[Exchange], None] | None = None
    fault_rng: random.Random = field(default_factory=random.Random)
    tokens: dict[str, float] = field(default_factory=dict)
    validation_errors: list[str] = field(default_factory=list)
    request_count: int = 0
    _bucket: float = -1.0
    _bucket_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expire_tokens(self) -> None:
        """Invalidate every issued token (as if they all timed out)."""
        with self._lock:
            self.tokens.clear()

    def _take_rate_token(self) -> tuple[bool, float, float]:
        """Token bucket of ``rate_limit`` per second: (allowed, tokens left, next token time)."""
        if self.rate_limit <= 0:
            return True, 0.0, 0.0
        with self._lock:
            now = self.clock()
            if self._bucket < 0:
                self._bucket, self._bucket_at = self.rate_limit, now
            self._bucket = min(
                self.rate_limit, self._bucket + (now - self._bucket_at) * self.rate_limit
            )
            self._bucket_at = now
            if self._bucket >= 1:
                self._bucket -= 1
                return True, self._bucket, now
            return False, self._bucket, now + (1 - self._bucket) / self.rate_limit

    def _issue_token(self, authorization: str) -> Result:
        scheme, _, encoded = authorization.partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id = secret = ""
        if scheme.lower() != "basic" or not secrets.compare_digest(
            f"{client_id}:{secret}", f"{self.client_id}:{self.client_secret}"
        ):
            return 401, gateway_error_body(UNAUTHORIZED, "Invalid client credentials")
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self.clock()
            # Drop expired tokens so a long run does not grow the table.
            self.tokens = {t: exp for t, exp in self.tokens.items() if exp > now}
            self.tokens[token] = now + self.token_ttl
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl}

    def _token_valid(self, token: str) -> bool:
        with self._lock:
            expires = self.tokens.get(token)
            return expires is not None and expires > self.clock()

    def handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: status, extra headers, body bytes."""
        with self._lock:
            self.request_count += 1
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        extra: dict[str, str] = {}
        allowed, left, next_at = self._take_rate_token()
        if not allowed:
            extra = {
                "x-current-token-count": str(int(left)),
                "x-next-replenishment-time": str(int(next_at * 1000)),
            }
            return self._encode(
                429,
                gateway_error_body(REQUEST_THRESHOLD_VIOLATED, "Request threshold violated"),
                extra,
            )
        if self.fail_rate and self.fault_rng.random() < self.fail_rate:
            status = 500 if self.fault_rng.random() < 0.5 else 503
            return self._encode(
                status,
                service_error_body(SYSTEM_ERROR, "Injected server error", category="SYSTEM"),
                extra,
            )
        if path == "/v3/token" and method == "POST":
            return self._encode(*self._issue_token(headers.get("authorization", "")), extra)
        token = headers.get("wm_sec.access_token", "")
        if not token or not self._token_valid(token):
            return self._encode(
                401,
                gateway_error_body(
                    UNAUTHORIZED, "Unauthorized: missing, invalid or expired access token"
                ),
                extra,
            )
        if not headers.get("wm_qos.correlation_id") or not headers.get("wm_svc.name"):
            return self._encode(
                400,
                service_error_body(
                    "INVALID_REQUEST_HEADER.GMP_GATEWAY_API",
                    "WM_QOS.CORRELATION_ID and WM_SVC.NAME are required",
                    field="header",
                ),
                extra,
            )
        try:
            parsed: Any = json.loads(body) if body.strip() else None
        except ValueError:
            return self._encode(
                400,
                service_error_body(
                    "INVALID_REQUEST_CONTENT.GMP_GATEWAY_API", "Request body is not valid JSON"
                ),
                extra,
            )
        try:
            result = self._route(method, path, query, parsed)
        except BadRequest as exc:
            result = error_result(exc)
        return self._encode(*result, extra)

    def _route(self, method: str, path: str, q: dict[str, str], body: Any) -> Result:
        s = self.state
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[:2] != ["v3", "orders"] and parts[:2] != ["v3", "returns"]:
            return self._route_other(method, parts, q, body)
        if parts == ["v3", "orders"] and method == "GET":
            return s.list_orders(q)
        if len(parts) == 3 and parts[1] == "orders" and method == "GET":
            return s.get_order(parts[2], q.get("productInfo", "false").lower() == "true")
        if len(parts) == 4 and parts[1] == "orders" and method == "POST":
            action = {
                "acknowledge": lambda: s.acknowledge(parts[2]),
                "shipping": lambda: s.ship(parts[2], body),
                "cancel": lambda: s.cancel(parts[2], body),
                "refund": lambda: s.refund(parts[2], body),
            }.get(parts[3])
            if action is not None:
                return action()
        if parts == ["v3", "returns"] and method == "GET":
            return s.list_returns(q)
        if len(parts) == 4 and parts[1] == "returns" and parts[3] == "refund" and method == "POST":
            return s.refund_return(parts[2], body)
        raise BadRequest(
            f"No route for {method} {path}", code="NOT_FOUND.GMP_GATEWAY_API", status=404
        )

    def _route_other(self, method: str, parts: list[str], q: dict[str, str], body: Any) -> Result:
        s = self.state
        if parts == ["v3", "inventory"]:
            if not q.get("sku"):
                raise BadRequest("sku is required", field="sku")
            if method == "GET":
                return s.get_inventory(q["sku"])
            if method == "PUT":
                return s.set_inventory(q["sku"], body)
        if len(parts) == 3 and parts[1] == "items" and method == "GET":
            if q.get("productIdType") != "SKU":
                raise BadRequest("productIdType=SKU is required", field="productIdType")
            return s.get_item(parts[2])
        if parts[:3] == ["v3", "webhooks", "subscriptions"]:
            if len(parts) == 3 and method == "GET":
                return s.list_subscriptions(q)
            if len(parts) == 3 and method == "POST":
                return s.create_subscriptions(body)
            if len(parts) == 4 and method == "DELETE":
                return s.delete_subscription(parts[3])
        raise BadRequest(
            f"No route for {method} /{'/'.join(parts)}",
            code="NOT_FOUND.GMP_GATEWAY_API",
            status=404,
        )

    @staticmethod
    def _encode(status: int, body: Any, extra: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        return status, extra, data


class _Handler(BaseHTTPRequestHandler):
    """Adapts http.server to ``Emulator.handle``; HTTP/1.1 so clients keep connections alive."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (about 40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet by default: thousands of requests per second would flood the terminal.
        return

    def _serve(self) -> None:
        emulator = self.server.emulator
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, extra, data = emulator.handle(self.command, url.path, query, headers, body)
        except Exception as exc:  # a bug in the emulator must still answer, as a 500
            status, extra, data = (
                500,
                {},
                json.dumps(service_error_body(SYSTEM_ERROR, f"emulator error: {exc!r}")).encode(),
            )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        if emulator.response_validator is not None:
            exchange = Exchange(
                self.command,
                url.path,
                query,
                headers,
                body,
                status,
                {"content-type": "application/json", **extra},
                data,
            )
            try:
                emulator.response_validator(exchange)
            except Exception as exc:
                emulator.validation_errors.append(f"{self.command} {self.path} -> {status}: {exc}")

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator


@dataclass
class EmulatorHandle:
    """A running emulator: its base ``url``, its ``emulator`` (state and knobs), ``stop()``."""

    url: str
    emulator: Emulator
    _server: _Server
    _thread: threading.Thread
    _stoppers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def client_id(self) -> str:
        return self.emulator.client_id

    @property
    def client_secret(self) -> str:
        return self.emulator.client_secret

    def stop(self) -> None:
        for stop in self._stoppers:
            stop()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def build_emulator(
    seed: int = 7,
    orders: int = 500,
    client_id: str | None = None,
    client_secret: str | None = None,
    fail_rate: float = 0.0,
    rate_limit: float = 0.0,
    latency_ms: int = 0,
    token_ttl: int = 900,
    now: datetime | None = None,
    clock: Callable[[], float] = time.time,
    response_validator: Callable[[Exchange], None] | None = None,
) -> Emulator:
    """A seller with ``orders`` orders over the 90 days before ``now``; deterministic by ``seed``.

    ``clock`` (epoch seconds) drives token expiry, throttling and change times, so tests can
    move time without waiting. Credentials default to values derived from the seed.
    """
    anchor_ms = int((now.timestamp() if now is not None else clock()) * 1000)
    state = EmulatorState(
        seed=seed, orders=orders, now_ms=anchor_ms, clock_ms=lambda: int(clock() * 1000)
    )
    default = re.sub(r"[^0-9a-f]", "", f"{seed:08x}")
    return Emulator(
        state=state,
        client_id=client_id or f"emu-{default}-client",
        client_secret=client_secret or f"emu-{default}-secret",
        clock=clock,
        fail_rate=fail_rate,
        rate_limit=rate_limit,
        latency_ms=latency_ms,
        token_ttl=token_ttl,
        response_validator=response_validator,
        fault_rng=random.Random(f"faults:{seed}"),
    )


def serve(emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> EmulatorHandle:
    """Serve ``emulator`` from a background thread; port 0 picks a free port."""
    server = _Server((host, port), _Handler)
    server.emulator = emulator
    thread = threading.Thread(
        target=server.serve_forever,
        name=f"walmart-emulator:{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    return EmulatorHandle(
        url=f"http://{bound_host}:{bound_port}", emulator=emulator, _server=server, _thread=thread
    )
