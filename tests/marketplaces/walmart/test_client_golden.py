"""Golden protocol tests, written from the spec and the facts file, independent of the emulator.

httpx.MockTransport stands in for Walmart here only; the emulator tests use real HTTP.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sellerdesk.marketplaces.base import ConnectorError
from sellerdesk.marketplaces.walmart.client import (
    RefundLine,
    ShipmentLine,
    WalmartClient,
    format_query_datetime,
    parse_replenishment_time,
)
from sellerdesk.marketplaces.walmart.errors import WalmartAPIError
from tests.reference import WALMART_OPENAPI

SPEC = json.loads((WALMART_OPENAPI / "orders.json").read_text())
LIST_EXAMPLE = SPEC["paths"]["/v3/orders"]["get"]["responses"]["200"]["content"][
    "application/json"
]["example"]
ORDER_EXAMPLE = SPEC["paths"]["/v3/orders/{purchaseOrderId}/acknowledge"]["post"]["responses"][
    "200"
]["content"]["application/json"]["example"]
TOKEN = {"access_token": "tok-1", "token_type": "Bearer", "expires_in": 900}
NOT_FOUND = {
    "errors": {
        "error": [
            {
                "code": "CONTENT_NOT_FOUND.GMP_ORDER_API",
                "field": "data",
                "description": "No Orders found",
                "info": "Requested content could not be found.",
                "severity": "INFO",
                "category": "APPLICATION",
                "causes": [],
                "errorIdentifiers": {},
            }
        ]
    }
}
UNAUTHORIZED = {
    "error": [
        {
            "code": "UNAUTHORIZED.GMP_GATEWAY_API",
            "field": "UNAUTHORIZED",
            "description": "Unauthorized",
            "info": "Unauthorized token or token expired",
            "severity": "ERROR",
            "category": "DATA",
            "causes": [],
            "errorIdentifiers": {},
        }
    ]
}


class Recorder:
    """A scripted Walmart: answers in order, records every request."""

    def __init__(
        self, *answers: httpx.Response | Callable[[httpx.Request], httpx.Response]
    ) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/v3/token":
            return httpx.Response(200, json=TOKEN)
        answer = self.answers.pop(0)
        return answer(request) if callable(answer) else answer

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/v3/token"]


def make_client(
    recorder: Recorder, slept: list[float] | None = None, **kwargs: Any
) -> WalmartClient:
    sleeps = slept if slept is not None else []
    kwargs.setdefault("random", lambda: 1.0)
    return WalmartClient(
        "https://marketplace.walmartapis.com",
        "id",
        "secret",
        transport=httpx.MockTransport(recorder),
        sleep=sleeps.append,
        **kwargs,
    )


def test_token_request_uses_basic_auth_form_body_and_accept_json() -> None:
    rec = Recorder(httpx.Response(200, json=LIST_EXAMPLE))
    make_client(rec).list_orders(created_start=datetime(2019, 9, 1, tzinfo=UTC))
    token = rec.requests[0]
    assert token.method == "POST" and token.url.path == "/v3/token"
    assert token.headers["Authorization"] == "Basic " + base64.b64encode(b"id:secret").decode()
    assert token.headers["Accept"] == "application/json"
    assert token.content == b"grant_type=client_credentials"
    assert "WM_QOS.CORRELATION_ID" in token.headers and "WM_SVC.NAME" in token.headers


def test_every_call_carries_walmart_headers_with_a_fresh_correlation_id() -> None:
    rec = Recorder(httpx.Response(200, json=LIST_EXAMPLE), httpx.Response(200, json=LIST_EXAMPLE))
    client = make_client(rec)
    client.list_orders(created_start=datetime(2019, 9, 1, tzinfo=UTC))
    client.list_orders(created_start=datetime(2019, 9, 1, tzinfo=UTC))
    calls = rec.api_requests()
    for call in calls:
        assert call.headers["WM_SEC.ACCESS_TOKEN"] == "tok-1"
        assert call.headers["Accept"] == "application/json"
        assert call.headers["WM_SVC.NAME"]
    assert calls[0].headers["WM_QOS.CORRELATION_ID"] != calls[1].headers["WM_QOS.CORRELATION_ID"]
    assert client.token_fetches == 1


def test_first_query_sends_whole_second_dates_and_product_info() -> None:
    rec = Recorder(httpx.Response(200, json=LIST_EXAMPLE))
    make_client(rec).list_orders(
        last_modified_start=datetime(2019, 9, 17, 18, 47, 3, 703000, tzinfo=UTC),
        ship_node_type="WFSFulfilled",
        status="Shipped",
    )
    params = dict(rec.api_requests()[0].url.params)
    assert params == {
        "limit": "200",
        "shipNodeType": "WFSFulfilled",
        "productInfo": "true",
        "lastModifiedStartDate": "2019-09-17T18:47:03Z",
        "status": "Shipped",
    }


def test_next_cursor_is_passed_on_verbatim_with_no_other_parameters() -> None:
    cursor = LIST_EXAMPLE["list"]["meta"]["nextCursor"]
    rec = Recorder(httpx.Response(200, json=LIST_EXAMPLE))
    make_client(rec).list_orders(cursor=cursor)
    request = rec.api_requests()[0]
    assert request.url.path == "/v3/orders"
    assert request.url.query.decode() == cursor[1:]


def test_iterating_follows_cursors_until_none() -> None:
    last = json.loads(json.dumps(LIST_EXAMPLE))
    del last["list"]["meta"]["nextCursor"]
    rec = Recorder(httpx.Response(200, json=LIST_EXAMPLE), httpx.Response(200, json=last))
    orders = list(make_client(rec).iter_orders(created_start=datetime(2019, 9, 1, tzinfo=UTC)))
    assert len(orders) == 20
    assert (
        rec.api_requests()[1].url.query.decode() == LIST_EXAMPLE["list"]["meta"]["nextCursor"][1:]
    )


def test_a_repeating_cursor_stops_with_a_clear_error() -> None:
    rec = Recorder(*[httpx.Response(200, json=LIST_EXAMPLE)] * 3)
    with pytest.raises(ConnectorError, match="repeated a paging cursor"):
        list(make_client(rec).iter_orders(created_start=datetime(2019, 9, 1, tzinfo=UTC)))


def test_404_content_not_found_is_an_empty_page() -> None:
    rec = Recorder(httpx.Response(404, json=NOT_FOUND))
    page = make_client(rec).list_orders(created_start=datetime(2019, 9, 1, tzinfo=UTC))
    assert page.items == () and page.next_cursor is None


def test_404_on_one_order_is_a_permanent_error() -> None:
    rec = Recorder(httpx.Response(404, json=NOT_FOUND))
    with pytest.raises(WalmartAPIError) as info:
        make_client(rec).get_order("1")
    assert (info.value.status, info.value.code, info.value.permanent) == (
        404,
        "CONTENT_NOT_FOUND.GMP_ORDER_API",
        True,
    )


@pytest.mark.parametrize(
    "body",
    [
        UNAUTHORIZED,
        {
            "errors": {
                "error": [{"code": "INVALID_TOKEN.GMP_GATEWAY_API", "description": "bad token"}]
            }
        },
    ],
)
def test_auth_failure_refreshes_the_token_once_then_retries(body: dict[str, Any]) -> None:
    status = 401 if "error" in body else 400
    rec = Recorder(httpx.Response(status, json=body), httpx.Response(200, json=ORDER_EXAMPLE))
    client = make_client(rec)
    assert client.get_order("1796277083022").order_id == "1796277083022"
    assert client.token_fetches == 2


def test_auth_failure_twice_raises_without_looping() -> None:
    rec = Recorder(httpx.Response(401, json=UNAUTHORIZED), httpx.Response(401, json=UNAUTHORIZED))
    with pytest.raises(WalmartAPIError) as info:
        make_client(rec).get_order("1")
    assert (info.value.code, info.value.permanent) == ("UNAUTHORIZED.GMP_GATEWAY_API", True)
    assert len(rec.api_requests()) == 2


def test_token_is_refreshed_a_minute_before_expiry() -> None:
    now = [0.0]
    rec = Recorder(*[httpx.Response(200, json=ORDER_EXAMPLE)] * 3)
    client = make_client(rec, clock=lambda: now[0])
    client.get_order("1")
    now[0] = 839.0
    client.get_order("1")
    assert client.token_fetches == 1
    now[0] = 841.0
    client.get_order("1")
    assert client.token_fetches == 2


def test_429_honours_replenishment_header_in_epoch_ms_and_iso() -> None:
    slept: list[float] = []
    wall = 1_700_000_000.0
    rec = Recorder(
        httpx.Response(
            429,
            json={
                "error": [
                    {
                        "code": "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API",
                        "description": "slow down",
                    }
                ]
            },
            headers={
                "x-current-token-count": "0",
                "x-next-replenishment-time": str(int((wall + 7) * 1000)),
            },
        ),
        httpx.Response(
            429,
            json={
                "errors": {
                    "error": [{"code": "REQUEST_THRESHOLD_VIOLATED", "description": "slow down"}]
                }
            },
            headers={"x-next-replenishment-time": "2023-11-14T22:13:32Z"},
        ),
        httpx.Response(200, json=ORDER_EXAMPLE),
    )
    client = make_client(rec, slept, wall_clock=lambda: wall, random=lambda: 0.0)
    client.get_order("1")
    assert slept == [pytest.approx(7.0), pytest.approx(12.0)]


def test_replenishment_header_parsing() -> None:
    assert parse_replenishment_time("1700000005000", 1_700_000_000.0) == pytest.approx(5.0)
    assert parse_replenishment_time("1700000005", 1_700_000_000.0) == pytest.approx(5.0)
    assert parse_replenishment_time("2023-11-14T22:13:25.500Z", 1_700_000_000.0) == pytest.approx(
        5.5
    )
    assert parse_replenishment_time("soon", 0.0) is None


def test_5xx_and_timeouts_back_off_exponentially_with_full_jitter() -> None:
    slept: list[float] = []

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    rec = Recorder(
        httpx.Response(500, json={}),
        timeout,
        httpx.Response(503, text="<html>"),
        httpx.Response(200, json=ORDER_EXAMPLE),
    )
    make_client(rec, slept, backoff_base=1.0, random=lambda: 0.5).get_order("1")
    assert slept == [0.5, 1.0, 2.0]


def test_retries_give_up_after_max_retries_with_a_transient_error() -> None:
    rec = Recorder(
        *[
            httpx.Response(
                503, json={"errors": {"error": [{"code": "SYSTEM_ERROR", "description": "down"}]}}
            )
        ]
        * 3
    )
    with pytest.raises(WalmartAPIError) as info:
        make_client(rec, max_retries=2).get_order("1")
    assert (info.value.status, info.value.permanent, info.value.description) == (503, False, "down")


def test_other_4xx_are_never_retried_and_both_error_shapes_parse() -> None:
    for body in (
        {
            "errors": {
                "error": [
                    {"code": "INVALID_REQUEST_CONTENT.GMP_ORDER_API", "description": "bad line"}
                ]
            }
        },
        {"error": [{"code": "INVALID_REQUEST_CONTENT.GMP_ORDER_API", "description": "bad line"}]},
    ):
        slept: list[float] = []
        rec = Recorder(httpx.Response(400, json=body))
        with pytest.raises(WalmartAPIError) as info:
            make_client(rec, slept).acknowledge("1")
        assert (
            info.value.status,
            info.value.code,
            info.value.description,
            info.value.permanent,
        ) == (400, "INVALID_REQUEST_CONTENT.GMP_ORDER_API", "bad line", True)
        assert slept == [] and len(rec.api_requests()) == 1


def test_refund_is_not_retried_after_a_server_error() -> None:
    rec = Recorder(httpx.Response(502, json={}))
    with pytest.raises(WalmartAPIError) as info:
        make_client(rec).refund("1", [RefundLine("1", Decimal("1"), "Others")])
    assert info.value.permanent is False and len(rec.api_requests()) == 1


def test_malformed_json_is_a_clear_connector_error() -> None:
    rec = Recorder(httpx.Response(200, text="{not json"))
    with pytest.raises(ConnectorError, match="not valid JSON"):
        make_client(rec).get_order("1")


def test_ship_cancel_refund_bodies_have_the_documented_shape() -> None:
    rec = Recorder(*[httpx.Response(200, json=ORDER_EXAMPLE)] * 3)
    client = make_client(rec)
    shipped = datetime(2020, 2, 4, 13, 11, 6, tzinfo=UTC)
    client.ship(
        "P1",
        [
            ShipmentLine("1", "1Z999", shipped, carrier="UPS"),
            ShipmentLine(
                "2",
                "A1",
                shipped,
                other_carrier="Acme",
                tracking_url="https://acme.example/A1",
                intent_to_cancel_override=True,
            ),
        ],
    )
    client.cancel("P1", ["3"], "SELLER_CANCEL_OUT_OF_STOCK")
    client.refund(
        "P1",
        [RefundLine("4", Decimal("10.02"), "DamagedItem", tax=Decimal("0.83"), comments="sorry")],
    )
    ship, cancel, refund = (json.loads(r.content) for r in rec.api_requests())
    assert ship == {
        "orderShipment": {
            "orderLines": {
                "orderLine": [
                    {
                        "lineNumber": "1",
                        "sellerOrderId": "P1",
                        "orderLineStatuses": {
                            "orderLineStatus": [
                                {
                                    "status": "Shipped",
                                    "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                                    "trackingInfo": {
                                        "shipDateTime": 1580821866000,
                                        "carrierName": {"carrier": "UPS"},
                                        "methodCode": "Standard",
                                        "trackingNumber": "1Z999",
                                    },
                                }
                            ]
                        },
                    },
                    {
                        "lineNumber": "2",
                        "sellerOrderId": "P1",
                        "intentToCancelOverride": True,
                        "orderLineStatuses": {
                            "orderLineStatus": [
                                {
                                    "status": "Shipped",
                                    "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                                    "trackingInfo": {
                                        "shipDateTime": 1580821866000,
                                        "carrierName": {"otherCarrier": "Acme"},
                                        "methodCode": "Standard",
                                        "trackingNumber": "A1",
                                        "trackingURL": "https://acme.example/A1",
                                    },
                                }
                            ]
                        },
                    },
                ]
            }
        }
    }
    assert cancel == {
        "orderCancellation": {
            "orderLines": {
                "orderLine": [
                    {
                        "lineNumber": "3",
                        "orderLineStatuses": {
                            "orderLineStatus": [
                                {
                                    "status": "Cancelled",
                                    "cancellationReason": "SELLER_CANCEL_OUT_OF_STOCK",
                                    "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                                }
                            ]
                        },
                    }
                ]
            }
        }
    }
    assert refund == {
        "orderRefund": {
            "purchaseOrderId": "P1",
            "orderLines": {
                "orderLine": [
                    {
                        "lineNumber": "4",
                        "isFullRefund": False,
                        "refunds": {
                            "refund": [
                                {
                                    "refundComments": "sorry",
                                    "refundCharges": {
                                        "refundCharge": [
                                            {
                                                "refundReason": "DamagedItem",
                                                "charge": {
                                                    "chargeType": "PRODUCT",
                                                    "chargeName": "Item Price",
                                                    "chargeAmount": {
                                                        "currency": "USD",
                                                        "amount": -10.02,
                                                    },
                                                    "tax": {
                                                        "taxName": "Item Price Tax",
                                                        "taxAmount": {
                                                            "currency": "USD",
                                                            "amount": -0.83,
                                                        },
                                                    },
                                                },
                                            }
                                        ]
                                    },
                                }
                            ]
                        },
                    }
                ]
            },
        }
    }


def test_other_carrier_without_tracking_url_is_refused_before_any_request() -> None:
    rec = Recorder()
    with pytest.raises(ConnectorError, match="tracking_url"):
        make_client(rec).ship(
            "P1", [ShipmentLine("1", "A1", datetime(2020, 1, 1, tzinfo=UTC), other_carrier="Acme")]
        )
    assert rec.requests == []


def test_query_datetimes_are_whole_seconds_utc_and_must_be_aware() -> None:
    assert (
        format_query_datetime(datetime(2020, 3, 16, 10, 30, 15, 999999, tzinfo=UTC))
        == "2020-03-16T10:30:15Z"
    )
    with pytest.raises(ValueError):
        format_query_datetime(datetime(2020, 3, 16))
