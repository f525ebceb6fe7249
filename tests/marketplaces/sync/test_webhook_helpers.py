"""The pure webhook helpers (`walmart/webhooks.py`): authentication, delivery identity, and
which orders a payload names."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from sellerdesk.marketplaces.walmart.webhooks import (
    WebhookAuthConfig,
    dedup_key,
    event_type,
    header_name,
    is_authentic,
    order_ids,
)

BODY = b'{"source":{"eventId":"e1"},"payload":{"purchaseOrderId":"1"}}'
HMAC = WebhookAuthConfig(scheme="hmac", header="WM-Signature", secret="k3y")
BASIC = WebhookAuthConfig(scheme="basic", header="Authorization", secret="pw", username="wm")


def signature(body: bytes = BODY, secret: str = "k3y") -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- order_ids --------------------------------------------------------------------------


def test_order_ids_finds_every_purchase_order_id_in_payload_order_once_each() -> None:
    envelope = {
        "source": {"purchaseOrderId": "not-in-payload"},
        "payload": {
            "purchaseOrderId": "100",
            "orderLines": [
                {"purchaseOrderId": "200", "item": {"purchaseOrderId": "100"}},
                {"purchaseOrderId": 300},
            ],
            "returns": {"lines": [{"purchaseOrderId": " 400 "}]},
        },
    }

    assert order_ids(envelope) == ["100", "200", "300", "400"]


def test_order_ids_skips_blank_and_non_scalar_values() -> None:
    envelope = {
        "payload": [
            {"purchaseOrderId": ""},
            {"purchaseOrderId": "   "},
            {"purchaseOrderId": None},
            {"purchaseOrderId": {"id": "5"}},
            {"purchaseOrderId": ["6"]},
            {"purchaseOrderId": "7"},
        ]
    }

    assert order_ids(envelope) == ["7"]


def test_order_ids_reads_the_whole_body_when_there_is_no_payload_key() -> None:
    assert order_ids({"eventType": "PO_CREATED", "purchaseOrderId": "9"}) == ["9"]
    assert order_ids({"payload": None}) == []
    assert order_ids({}) == []


def test_order_ids_of_an_emulator_order_payload_is_that_order() -> None:
    payload = {
        "purchaseOrderId": "1702800000003",
        "customerOrderId": "5202800000005",
        "orderLines": {"orderLine": [{"lineNumber": "1"}, {"lineNumber": "2"}]},
    }

    assert order_ids({"source": {}, "payload": payload}) == ["1702800000003"]


# --- dedup_key and event_type -------------------------------------------------------------


def test_dedup_key_is_the_event_id_when_there_is_one() -> None:
    assert dedup_key({"source": {"eventId": "  abc-123 "}}, BODY) == "event:abc-123"


def test_dedup_key_cuts_a_long_event_id_to_fit_the_column() -> None:
    key = dedup_key({"source": {"eventId": "x" * 300}}, BODY)

    assert key == "event:" + "x" * 90
    assert len(key) <= 100  # WebhookDelivery.dedup_key max_length


@pytest.mark.parametrize(
    "envelope",
    [
        {},
        {"source": {}},
        {"source": {"eventId": "   "}},
        {"source": {"eventId": 12345}},
        {"source": "evt"},
        {"eventId": "top-level ids are not Walmart's shape"},
    ],
)
def test_dedup_key_without_a_usable_event_id_is_the_body_digest(
    envelope: dict[str, object],
) -> None:
    body = json.dumps(envelope).encode()

    assert dedup_key(envelope, body) == "sha256:" + hashlib.sha256(body).hexdigest()


def test_event_type_comes_from_the_source_or_the_top_level() -> None:
    assert event_type({"source": {"eventType": "PO_CREATED"}, "eventType": "X"}) == "PO_CREATED"
    assert event_type({"eventType": "INTENT_TO_CANCEL"}) == "INTENT_TO_CANCEL"
    assert event_type({"source": {}}) == ""
    assert event_type({}) == ""
    assert event_type({"source": {"eventType": "E" * 100}}) == "E" * 60


# --- is_authentic ---------------------------------------------------------------------------


def test_hmac_accepts_the_hex_digest_with_or_without_prefix_in_any_case() -> None:
    good = signature()

    assert is_authentic(BODY, {"WM-Signature": good}, HMAC)
    assert is_authentic(BODY, {"WM-Signature": good.upper()}, HMAC)
    assert is_authentic(BODY, {"WM-Signature": f" sha256={good} "}, HMAC)


def test_hmac_refuses_a_wrong_key_a_changed_body_or_a_missing_header() -> None:
    assert not is_authentic(BODY, {"WM-Signature": signature(secret="other")}, HMAC)
    assert not is_authentic(BODY + b" ", {"WM-Signature": signature()}, HMAC)
    assert not is_authentic(BODY, {}, HMAC)
    assert not is_authentic(BODY, {"WM-Signature": ""}, HMAC)
    assert not is_authentic(BODY, {"Authorization": signature()}, HMAC)


def test_no_secret_means_no_delivery_is_authentic() -> None:
    unset = WebhookAuthConfig(scheme="hmac", header="WM-Signature", secret="")

    assert not is_authentic(BODY, {"WM-Signature": signature(secret="")}, unset)


def test_basic_auth_needs_the_exact_username_and_password() -> None:
    def header(user: str, password: str) -> dict[str, str]:
        return {
            "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        }

    assert is_authentic(BODY, header("wm", "pw"), BASIC)
    assert not is_authentic(BODY, header("wm", "pw2"), BASIC)
    assert not is_authentic(BODY, header("other", "pw"), BASIC)
    assert not is_authentic(BODY, {"Authorization": "Bearer pw"}, BASIC)
    assert not is_authentic(BODY, {}, BASIC)


def test_header_name_defaults_per_scheme_and_a_configured_one_wins() -> None:
    assert header_name("hmac", "") == "WM-Signature"
    assert header_name("basic", "") == "Authorization"
    assert header_name("hmac", "X-Custom") == "X-Custom"
