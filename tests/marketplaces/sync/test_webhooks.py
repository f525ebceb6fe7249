"""The webhook endpoint `/hooks/walmart/<account id>/`: who may call it, each delivery acting
once, and the orders it names refreshed from Walmart (here the emulator).

Tasks run inline (huey immediate mode) and the view queues the refresh with
`transaction.on_commit`. Tests of accepted deliveries are transactional, so the view's commit
is real and runs the refresh as in production; tests of refused deliveries capture the commit
callbacks to prove nothing was queued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.models import WebhookDelivery
from sellerdesk.marketplaces.running import run_sync
from sellerdesk.marketplaces.tasks import refresh_orders_task
from sellerdesk.marketplaces.walmart.emulator import EmulatorHandle, start_live
from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.orders.models import Order, OrderLine
from tests.factories import make_account

from .conftest import StartEmulator
from .support import db_orders, emulator_orders, point_at, settled

pytestmark = pytest.mark.django_db
# The view commits and the refresh task runs inline on this connection: no test transaction
# may wrap it (see test_refresh_task_run_inline_keeps_the_callers_transaction).
commits = pytest.mark.django_db(transaction=True)

SECRET = "whsec-0123456789abcdef"
CaptureCommits = Callable[..., Any]


@pytest.fixture
def handle(start_emulator: StartEmulator) -> EmulatorHandle:
    # Real time: the refresh task builds its own client from the account, as in production.
    return start_emulator(seed=51, orders=120, clock=time.time, now=settled())


@pytest.fixture
def account(handle: EmulatorHandle) -> SellerAccount:
    account = make_account("acme")
    point_at(account, handle, webhook_secret=SECRET)
    return account


def url(account: SellerAccount) -> str:
    return f"/hooks/walmart/{account.pk}/"


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(order: cat.Order | None, handle: EmulatorHandle, **source: str) -> dict[str, Any]:
    """A delivery as the emulator's live mode sends it: Walmart's order JSON as payload."""
    payload = json.loads(handle.emulator.state.order_bytes(order, True)) if order else {}
    return {
        "source": {"eventType": "PO_CREATED", "eventTime": "2025-10-09T08:00:00.000Z", **source},
        "payload": payload,
    }


def post(account: SellerAccount, body: bytes, signature: str | None = None, **headers: str) -> Any:
    if signature is not None:
        headers["WM-Signature"] = signature
    return Client().post(url(account), body, content_type="application/json", headers=headers)


def seller_order(handle: EmulatorHandle) -> cat.Order:
    state = handle.emulator.state
    return next(
        o
        for o in state.orders
        if o.ship_node == "SellerFulfilled"
        and any(ln.status in ("Created", "Acknowledged") for ln in o.lines)
    )


def nothing_stored(handle: EmulatorHandle) -> None:
    assert not WebhookDelivery.objects.exists()
    assert not Order.objects.exists()
    assert handle.emulator.request_count == 0  # not even a token was asked for


# --- accepted deliveries -----------------------------------------------------------------


@commits
def test_a_signed_delivery_is_accepted_and_the_named_order_is_fetched_and_stored(
    handle: EmulatorHandle,
    account: SellerAccount,
) -> None:
    order = seller_order(handle)
    body = json.dumps(envelope(order, handle, eventId="evt-0001")).encode()

    response = post(account, body, sign(body))

    assert (response.status_code, response.json()) == (200, {"status": "accepted", "orders": 1})
    delivery = WebhookDelivery.objects.get()
    assert (delivery.account, delivery.dedup_key, delivery.event_type, delivery.order_ids) == (
        account,
        "event:evt-0001",
        "PO_CREATED",
        [order.po],
    )
    assert db_orders(account) == {order.po: emulator_orders(handle.emulator.state)[order.po]}


@commits
def test_a_delivery_refreshes_an_order_changed_on_walmart_and_nothing_else(
    handle: EmulatorHandle,
    account: SellerAccount,
) -> None:
    assert run_sync(account).ok
    synced_before = dict(Order.objects.values_list("purchase_order_id", "synced_at"))
    order = seller_order(handle)
    state = handle.emulator.state
    with state.lock:
        line = next(ln for ln in order.lines if ln.status in ("Created", "Acknowledged"))
        line.status, line.cancellation_reason = "Cancelled", "SELLER_CANCEL_OUT_OF_STOCK"
        state.changed(order, "PO_LINE_AUTOCANCELLED")
    body = json.dumps(
        envelope(order, handle, eventType="PO_LINE_AUTOCANCELLED", eventId="evt-0002")
    ).encode()

    response = post(account, body, sign(body))

    assert (response.status_code, response.json()) == (200, {"status": "accepted", "orders": 1})
    stored = OrderLine.objects.get(order__purchase_order_id=order.po, line_number=str(line.number))
    assert (stored.status, stored.cancellation_reason) == (
        "Cancelled",
        "SELLER_CANCEL_OUT_OF_STOCK",
    )
    assert db_orders(account) == emulator_orders(state)
    synced_after = dict(Order.objects.values_list("purchase_order_id", "synced_at"))
    assert {po for po in synced_after if synced_after[po] != synced_before[po]} == {order.po}


@commits
def test_a_signature_with_an_algorithm_prefix_is_accepted(
    handle: EmulatorHandle,
    account: SellerAccount,
) -> None:
    body = json.dumps(envelope(seller_order(handle), handle, eventId="evt-0003")).encode()

    response = post(account, body, "sha256=" + sign(body).upper())

    assert response.status_code == 200
    assert WebhookDelivery.objects.count() == 1


@commits
def test_an_event_naming_no_order_is_recorded_without_calling_walmart(
    handle: EmulatorHandle,
    account: SellerAccount,
) -> None:
    body = json.dumps(envelope(None, handle, eventType="OFFER_UNPUBLISHED", eventId="e4")).encode()

    response = post(account, body, sign(body))

    assert (response.status_code, response.json()) == (200, {"status": "accepted", "orders": 0})
    assert list(WebhookDelivery.objects.values_list("event_type", "order_ids")) == [
        ("OFFER_UNPUBLISHED", [])
    ]
    assert handle.emulator.request_count == 0


@commits
def test_an_order_walmart_does_not_know_is_skipped_and_the_delivery_still_accepted(
    handle: EmulatorHandle,
    account: SellerAccount,
) -> None:
    body = json.dumps(
        {
            "source": {"eventType": "PO_CREATED", "eventId": "e5"},
            "payload": {"purchaseOrderId": "999"},
        }
    ).encode()

    response = post(account, body, sign(body))

    assert (response.status_code, response.json()) == (200, {"status": "accepted", "orders": 1})
    assert list(WebhookDelivery.objects.values_list("order_ids", flat=True)) == [["999"]]
    assert not Order.objects.exists()
    assert handle.emulator.request_count == 2  # a token, then the order: 404, not retried


# --- refused deliveries ------------------------------------------------------------------


def test_a_bad_signature_is_401_and_changes_nothing(
    handle: EmulatorHandle,
    account: SellerAccount,
    django_capture_on_commit_callbacks: CaptureCommits,
) -> None:
    body = json.dumps(envelope(seller_order(handle), handle, eventId="evt-bad")).encode()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        wrong_key = post(account, body, sign(body, "not-the-secret"))
        tampered = post(account, body + b" ", sign(body))
        unsigned = post(account, body)

    for response in (wrong_key, tampered, unsigned):
        assert (response.status_code, response.json()) == (401, {"error": "authentication failed"})
    assert callbacks == []
    nothing_stored(handle)


def test_with_no_webhook_secret_configured_every_delivery_is_refused(
    handle: EmulatorHandle, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    account = make_account("nosecret")
    point_at(account, handle)  # API credentials, but no webhook secret
    body = json.dumps(envelope(seller_order(handle), handle, eventId="evt-x")).encode()

    with django_capture_on_commit_callbacks(execute=True):
        # Not even a signature made with the empty key gets in.
        response = post(account, body, sign(body, ""))

    assert (response.status_code, response.json()) == (401, {"error": "authentication failed"})
    nothing_stored(handle)


def test_malformed_json_with_a_valid_signature_is_400_and_nothing_is_stored(
    handle: EmulatorHandle,
    account: SellerAccount,
    django_capture_on_commit_callbacks: CaptureCommits,
) -> None:
    broken = b'{"source": {"eventId": "e6"}, "payload": '
    not_object = b'[{"purchaseOrderId": "1"}]'
    not_utf8 = b'{"source": "\xff"}'

    with django_capture_on_commit_callbacks(execute=True):
        responses = [post(account, body, sign(body)) for body in (broken, not_object, not_utf8)]

    assert [(r.status_code, r.json()) for r in responses] == [
        (400, {"error": "body is not JSON"}),
        (400, {"error": "body is not a JSON object"}),
        (400, {"error": "body is not JSON"}),
    ]
    nothing_stored(handle)


@pytest.mark.parametrize("case", ["unknown", "disabled", "amazon"])
def test_an_unknown_disabled_or_non_walmart_account_is_404(
    handle: EmulatorHandle, case: str, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    if case == "unknown":
        target = SellerAccount(pk=987654)
    elif case == "disabled":
        target = make_account("paused", active=False)
        point_at(target, handle, webhook_secret=SECRET)
    else:
        target = SellerAccount.objects.create(
            name="shop", marketplace=SellerAccount.Marketplace.AMAZON
        )
        target.set_credentials(webhook_secret=SECRET)
        target.save()
    body = json.dumps(envelope(seller_order(handle), handle, eventId="evt-404")).encode()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(target, body, sign(body))

    assert response.status_code == 404
    nothing_stored(handle)


def test_only_post_is_allowed(handle: EmulatorHandle, account: SellerAccount) -> None:
    response = Client().get(url(account))

    assert response.status_code == 405
    nothing_stored(handle)


# --- deduplication -------------------------------------------------------------------------


@commits
def test_the_same_event_twice_is_acted_on_once(
    handle: EmulatorHandle,
    account: SellerAccount,
) -> None:
    body = json.dumps(envelope(seller_order(handle), handle, eventId="evt-dup")).encode()
    # A retry of the same event may differ in bytes (here: eventTime); the id decides.
    retry_envelope = envelope(seller_order(handle), handle, eventId="evt-dup")
    retry_envelope["source"]["eventTime"] = "2025-10-09T08:05:00.000Z"
    retry = json.dumps(retry_envelope).encode()

    first = post(account, body, sign(body))
    requests_after_first = handle.emulator.request_count
    second = post(account, retry, sign(retry))

    assert (first.status_code, first.json()) == (200, {"status": "accepted", "orders": 1})
    assert (second.status_code, second.json()) == (200, {"status": "duplicate"})
    assert WebhookDelivery.objects.count() == 1
    # The refresh ran for the first delivery only: the duplicate asked Walmart nothing.
    assert requests_after_first > 0
    assert handle.emulator.request_count == requests_after_first
    assert Order.objects.count() == 1


@commits
def test_without_an_event_id_the_exact_body_identifies_the_delivery(
    handle: EmulatorHandle,
    account: SellerAccount,
) -> None:
    data = envelope(seller_order(handle), handle)
    body = json.dumps(data).encode()
    other_bytes = json.dumps(data, indent=1).encode()  # same content, different body

    first = post(account, body, sign(body))
    again = post(account, body, sign(body))
    reformatted = post(account, other_bytes, sign(other_bytes))

    assert [r.json()["status"] for r in (first, again, reformatted)] == [
        "accepted",
        "duplicate",
        "accepted",
    ]
    assert sorted(WebhookDelivery.objects.values_list("dedup_key", flat=True)) == sorted(
        [
            "sha256:" + hashlib.sha256(body).hexdigest(),
            "sha256:" + hashlib.sha256(other_bytes).hexdigest(),
        ]
    )


@commits
def test_the_same_event_id_on_two_accounts_is_two_deliveries(
    handle: EmulatorHandle,
    account: SellerAccount,
) -> None:
    other = make_account("bolt")
    point_at(other, handle, webhook_secret=SECRET)
    body = json.dumps(envelope(seller_order(handle), handle, eventId="evt-shared")).encode()

    responses = [post(target, body, sign(body)) for target in (account, other)]

    assert [r.json()["status"] for r in responses] == ["accepted", "accepted"]
    assert sorted(WebhookDelivery.objects.values_list("account__name", flat=True)) == [
        "acme",
        "bolt",
    ]


# --- other authentication schemes ----------------------------------------------------------


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@commits
def test_basic_auth_accounts_accept_the_right_credentials_only(handle: EmulatorHandle) -> None:
    account = make_account("acme", webhook_auth=SellerAccount.WebhookAuth.BASIC)
    point_at(account, handle, webhook_username="walmart", webhook_secret="pa55-word-long")
    order = seller_order(handle)
    body = json.dumps(envelope(order, handle, eventId="evt-basic")).encode()

    wrong_password = post(account, body, Authorization=basic("walmart", "guess"))
    wrong_user = post(account, body, Authorization=basic("admin", "pa55-word-long"))
    signed_instead = post(account, body, sign(body, "pa55-word-long"))
    assert not WebhookDelivery.objects.exists()
    right = post(account, body, Authorization=basic("walmart", "pa55-word-long"))

    for response in (wrong_password, wrong_user, signed_instead):
        assert response.status_code == 401
    assert (right.status_code, right.json()) == (200, {"status": "accepted", "orders": 1})
    assert WebhookDelivery.objects.count() == 1
    assert list(Order.objects.values_list("purchase_order_id", flat=True)) == [order.po]


@commits
def test_a_configured_header_carries_the_signature(handle: EmulatorHandle) -> None:
    account = make_account("acme", webhook_header="X-Seller-Signature")
    point_at(account, handle, webhook_secret=SECRET)
    body = json.dumps(envelope(seller_order(handle), handle, eventId="evt-hdr")).encode()

    default_header = post(account, body, sign(body))
    assert not WebhookDelivery.objects.exists()
    configured = post(account, body, **{"X-Seller-Signature": sign(body)})

    assert default_header.status_code == 401
    assert configured.status_code == 200
    assert WebhookDelivery.objects.count() == 1


# --- the emulator's own webhook sender -----------------------------------------------------


class _Capture(BaseHTTPRequestHandler):
    received: list[tuple[bytes, str]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers.get("WM-Signature", "")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def capture() -> Iterator[tuple[str, list[tuple[bytes, str]]]]:
    """A loopback receiver standing in for our public endpoint: what it gets is replayed
    through the Django test client (a live server would need a second DB connection)."""
    received: list[tuple[bytes, str]] = []
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), type("Capture", (_Capture,), {"received": received})
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    server.shutdown()
    server.server_close()


@commits
def test_deliveries_from_the_emulators_live_sender_create_the_new_order(
    handle: EmulatorHandle,
    account: SellerAccount,
    capture: tuple[str, list[tuple[bytes, str]]],
) -> None:
    hook_url, received = capture
    start_live(handle, interval=3600, webhook_url=hook_url, webhook_secret=SECRET)
    new = handle.emulator.state.add_order(int(time.time() * 1000))
    deadline = time.monotonic() + 5
    while not received and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(received) == 1
    body, signature = received[0]

    response = post(account, body, signature)
    replayed = post(account, body, signature)

    assert (response.status_code, response.json()) == (200, {"status": "accepted", "orders": 1})
    assert replayed.json() == {"status": "duplicate"}
    event_id = json.loads(body)["source"]["eventId"]
    assert list(WebhookDelivery.objects.values_list("dedup_key", "event_type", "order_ids")) == [
        (f"event:{event_id}", "PO_CREATED", [new.po])
    ]
    assert db_orders(account) == {new.po: emulator_orders(handle.emulator.state)[new.po]}


# --- the refresh task on its own -------------------------------------------------------------


def test_refresh_task_run_inline_keeps_the_callers_transaction(
    handle: EmulatorHandle, account: SellerAccount
) -> None:
    """Inside a transaction (every non-transactional test, or code calling a task while in
    `atomic`), an inline task must not close the caller's connection. Fails on PostgreSQL:
    the queue's pre/post-execute hooks call `close_old_connections()`, which drops a
    connection whose autocommit is off (SQLite's in-memory test database ignores the close)."""
    order = seller_order(handle)

    result = refresh_orders_task(account.pk, [order.po])

    assert result() == "refreshed 1 orders: 1 new, 0 changed"
    assert db_orders(account) == {order.po: emulator_orders(handle.emulator.state)[order.po]}
