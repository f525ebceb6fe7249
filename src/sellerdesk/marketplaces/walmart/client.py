"""A thin, correct HTTP client for the Walmart Marketplace API (US), on httpx.

What it guarantees, so callers need not:
- an access token from ``POST /v3/token``, cached, refreshed shortly before it expires and
  once more whenever Walmart answers 401 or ``INVALID_TOKEN`` (then the call is repeated);
- Walmart's required headers on every call, with a fresh correlation id each time;
- ``nextCursor`` passed back exactly as received, and the 404 ``CONTENT_NOT_FOUND`` answer
  read as an empty page;
- 429, 5xx and network failures retried with exponential backoff and full jitter, honouring
  ``x-next-replenishment-time``; every other 4xx raised at once as a permanent error.

Sleep, clocks and randomness are injectable so tests never really wait.
"""

from __future__ import annotations

import random as _random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict, Unpack

import httpx

from sellerdesk.marketplaces.base import ConnectorError, OrderData, Page, RawOrder, ReturnData
from sellerdesk.marketplaces.walmart.errors import WalmartAPIError
from sellerdesk.marketplaces.walmart.mapping import (
    map_order,
    map_orders_page,
    map_raw_orders_page,
    map_returns_page,
    raw_order,
)
from sellerdesk.marketplaces.walmart.wire import (
    InventoryData,
    RefundLine,
    ShipmentLine,
    epoch_ms,
    format_query_datetime,
    money,
    parse_replenishment_time,
)

PRODUCTION_URL = "https://marketplace.walmartapis.com"
SANDBOX_URL = "https://sandbox.walmartapis.com"
SHIP_NODE_TYPES = ("SellerFulfilled", "WFSFulfilled", "3PLFulfilled")
MAX_LIMIT = 200


class OrderFilters(TypedDict, total=False):
    """The keyword arguments of the order listings; see `WalmartClient._orders_body`."""

    cursor: str | None
    created_start: datetime | None
    created_end: datetime | None
    last_modified_start: datetime | None
    last_modified_end: datetime | None
    status: str | None
    ship_node_type: str
    sku: str | None
    purchase_order_id: str | None
    customer_order_id: str | None
    limit: int
    product_info: bool


class WalmartClient:
    """Synchronous Walmart Marketplace client; one instance per seller account.

    Not thread-safe (it caches one token); create one per worker.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        random: Callable[[], float] = _random.random,
        max_retries: int = 6,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_wait: float = 120.0,
        service_name: str = "Walmart Marketplace",
        transport: httpx.BaseTransport | None = None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._random = random
        self.max_retries = max_retries
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_wait = max_wait
        self._service_name = service_name
        self._token: str | None = None
        self._token_refresh_at = 0.0
        self.token_fetches = 0
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            event_hooks=dict(event_hooks or {}),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WalmartClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- transport ---------------------------------------------------------------------

    def _backoff(self, attempt: int, response: httpx.Response | None) -> None:
        # Full jitter: spreads the retries of many workers instead of synchronising them.
        delay = self._random() * min(self._backoff_cap, self._backoff_base * (2**attempt))
        if response is not None and response.status_code == 429:
            header = response.headers.get("x-next-replenishment-time")
            if header:
                wait = parse_replenishment_time(header, self._wall_clock())
                if wait is not None:
                    delay = max(delay, wait)
        self._sleep(min(delay, self._max_wait))

    def _send(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        authenticated: bool = True,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        empty_on_not_found: bool = False,
        retry_unsure: bool = True,
    ) -> Any:
        """One logical call: returns parsed JSON, or ``None`` for a 404 read as empty.

        ``retry_unsure=False`` is for calls that must not run twice (refunds): a 5xx or a
        network failure there may come after Walmart acted, so it is raised, not retried.
        A 429 is always safe to retry: the request was refused before any work.
        """
        attempt = 0
        refreshed = False
        while True:
            headers = {
                "WM_QOS.CORRELATION_ID": str(uuid.uuid4()),
                "WM_SVC.NAME": self._service_name,
                "Accept": "application/json",
            }
            if authenticated:
                headers["WM_SEC.ACCESS_TOKEN"] = self._access_token()
            try:
                response = self._http.request(
                    method, url, params=params, json=json, data=data, headers=headers, auth=auth
                )
            except httpx.TransportError as exc:
                if not retry_unsure or attempt >= self.max_retries:
                    raise ConnectorError(
                        f"{method} {url}: {type(exc).__name__}: {exc}",
                        permanent=False,
                        code="TRANSPORT_ERROR",
                    ) from exc
                self._backoff(attempt, None)
                attempt += 1
                continue
            if response.status_code < 400:
                return self._json(response)
            error = self._error(response)
            if authenticated and error.is_auth_error and not refreshed:
                refreshed = True
                self._token = None
                continue
            if empty_on_not_found and error.is_not_found:
                return None
            transient = response.status_code == 429 or (
                response.status_code >= 500 and retry_unsure
            )
            if not transient or attempt >= self.max_retries:
                raise error
            self._backoff(attempt, response)
            attempt += 1

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if not response.content.strip():
            return {}
        try:
            return response.json()
        except ValueError:
            snippet = response.text[:120].replace("\n", " ")
            raise ConnectorError(
                f"{response.request.method} {response.request.url.path}: HTTP {response.status_code} body is not valid JSON: {snippet!r}",
                permanent=False,
                code="MALFORMED_RESPONSE",
            ) from None

    @staticmethod
    def _error(response: httpx.Response) -> WalmartAPIError:
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        return WalmartAPIError.from_body(response.status_code, body, response.reason_phrase)

    def _access_token(self) -> str:
        if self._token is None or self._clock() >= self._token_refresh_at:
            self._refresh_token()
        assert self._token is not None
        return self._token

    def _refresh_token(self) -> None:
        self._token = None
        body = self._send(
            "POST",
            "/v3/token",
            authenticated=False,
            data={"grant_type": "client_credentials"},
            auth=(self._client_id, self._client_secret),
        )
        token = body.get("access_token") if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token:
            raise ConnectorError(
                "POST /v3/token: answer has no access_token",
                permanent=False,
                code="MALFORMED_RESPONSE",
            )
        expires_in = body.get("expires_in")
        ttl = float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else 900.0
        # Refresh about a minute early (less for short-lived tokens) so a token never
        # expires between being read here and reaching Walmart.
        self._token_refresh_at = self._clock() + ttl - min(60.0, ttl / 4)
        self._token = token
        self.token_fetches += 1

    # --- orders ------------------------------------------------------------------------

    def list_orders(self, **filters: Unpack[OrderFilters]) -> Page[OrderData]:
        """One page of ``GET /v3/orders``, mapped."""
        body = self._orders_body(**filters)
        if body is None:
            return Page(items=(), next_cursor=None, total_count=0)
        return map_orders_page(body)

    def list_raw_orders(self, **filters: Unpack[OrderFilters]) -> Page[RawOrder]:
        """One page of ``GET /v3/orders`` with its orders left raw and fingerprinted, so the
        sync maps only the orders it has not stored already (see `RawOrder`)."""
        body = self._orders_body(**filters)
        if body is None:
            return Page(items=(), next_cursor=None, total_count=0)
        return map_raw_orders_page(body)

    def _orders_body(
        self,
        *,
        cursor: str | None = None,
        created_start: datetime | None = None,
        created_end: datetime | None = None,
        last_modified_start: datetime | None = None,
        last_modified_end: datetime | None = None,
        status: str | None = None,
        ship_node_type: str = "SellerFulfilled",
        sku: str | None = None,
        purchase_order_id: str | None = None,
        customer_order_id: str | None = None,
        limit: int = MAX_LIMIT,
        product_info: bool = True,
    ) -> Any:
        """The answer of ``GET /v3/orders``, or ``None`` for no orders. With ``cursor`` every
        filter is ignored: Walmart's cursor already carries the query, and the next page is
        the path plus the cursor."""
        if cursor is not None:
            body = self._send(
                "GET", self._cursor_url("/v3/orders", cursor), empty_on_not_found=True
            )
        else:
            if ship_node_type not in SHIP_NODE_TYPES:
                raise ValueError(f"ship_node_type must be one of {SHIP_NODE_TYPES}")
            params: dict[str, str] = {
                "limit": str(max(1, min(limit, MAX_LIMIT))),
                "shipNodeType": ship_node_type,
            }
            if product_info:
                params["productInfo"] = "true"
            dates = {
                "createdStartDate": created_start,
                "createdEndDate": created_end,
                "lastModifiedStartDate": last_modified_start,
                "lastModifiedEndDate": last_modified_end,
            }
            params.update({k: format_query_datetime(v) for k, v in dates.items() if v is not None})
            strings = {
                "status": status,
                "sku": sku,
                "purchaseOrderId": purchase_order_id,
                "customerOrderId": customer_order_id,
            }
            params.update({k: v for k, v in strings.items() if v})
            body = self._send("GET", "/v3/orders", params=params, empty_on_not_found=True)
        return body

    def iter_orders(self, **filters: Any) -> Iterator[OrderData]:
        """Every order matching ``filters`` (those of :meth:`list_orders`), page after page."""
        return self._iterate(self.list_orders, filters)

    @staticmethod
    def _iterate(fetch: Callable[..., Page[Any]], filters: Mapping[str, Any]) -> Iterator[Any]:
        page = fetch(**filters)
        seen: set[str] = set()
        while True:
            yield from page.items
            cursor = page.next_cursor
            if cursor is None:
                return
            # A cursor that comes back again would loop forever; stop with a clear error.
            if cursor in seen:
                raise ConnectorError(
                    f"Walmart repeated a paging cursor: {cursor!r}",
                    permanent=False,
                    code="CURSOR_REPEATED",
                )
            seen.add(cursor)
            page = fetch(cursor=cursor)

    def _cursor_url(self, path: str, cursor: str) -> httpx.URL:
        # Verbatim: httpx must not re-encode Walmart's query string, so build the URL from
        # the raw text instead of passing params.
        query = cursor[1:] if cursor.startswith("?") else cursor
        base = self._http.base_url
        return base.copy_with(path=base.path.rstrip("/") + path, query=query.encode("ascii"))

    def get_order(self, purchase_order_id: str, *, product_info: bool = True) -> OrderData:
        params = {"productInfo": "true"} if product_info else None
        return map_order(self._send("GET", f"/v3/orders/{purchase_order_id}", params=params))

    def get_raw_order(self, purchase_order_id: str, *, product_info: bool = True) -> RawOrder:
        """One order raw and fingerprinted exactly as the sync's listing pages fingerprint
        it, so an order refreshed by a webhook is not rewritten again by the next sync."""
        params = {"productInfo": "true"} if product_info else None
        return raw_order(
            self._send("GET", f"/v3/orders/{purchase_order_id}", params=params), "order"
        )

    def acknowledge(self, purchase_order_id: str) -> OrderData:
        return map_order(self._send("POST", f"/v3/orders/{purchase_order_id}/acknowledge"))

    def ship(
        self,
        purchase_order_id: str,
        lines: Sequence[ShipmentLine],
        *,
        process_mode: str | None = None,
    ) -> OrderData:
        """Mark lines shipped with tracking. ``process_mode="PARTIAL_UPDATE"`` corrects the
        tracking of lines already shipped."""
        order_lines = []
        for line in lines:
            if bool(line.carrier) == bool(line.other_carrier):
                raise ConnectorError(
                    f"line {line.line_number}: give exactly one of carrier and other_carrier",
                    permanent=True,
                    code="INVALID_ARGUMENT",
                )
            if line.other_carrier and not line.tracking_url:
                raise ConnectorError(
                    f"line {line.line_number}: other_carrier needs a tracking_url",
                    permanent=True,
                    code="INVALID_ARGUMENT",
                )
            carrier = (
                {"carrier": line.carrier}
                if line.carrier
                else {"otherCarrier": line.other_carrier or ""}
            )
            tracking: dict[str, Any] = {
                "shipDateTime": epoch_ms(line.ship_time),
                "carrierName": carrier,
                "methodCode": line.method_code,
                "trackingNumber": line.tracking_number,
            }
            if line.tracking_url:
                tracking["trackingURL"] = line.tracking_url
            order_line: dict[str, Any] = {
                "lineNumber": line.line_number,
                "sellerOrderId": line.seller_order_id or purchase_order_id,
                "orderLineStatuses": {
                    "orderLineStatus": [
                        {
                            "status": "Shipped",
                            "statusQuantity": {
                                "unitOfMeasurement": "EACH",
                                "amount": str(line.quantity),
                            },
                            "trackingInfo": tracking,
                        }
                    ]
                },
            }
            if line.intent_to_cancel_override:
                order_line["intentToCancelOverride"] = True
            order_lines.append(order_line)
        shipment: dict[str, Any] = {"orderLines": {"orderLine": order_lines}}
        if process_mode:
            shipment["processMode"] = process_mode
        body = self._send(
            "POST", f"/v3/orders/{purchase_order_id}/shipping", json={"orderShipment": shipment}
        )
        return map_order(body)

    def cancel(
        self,
        purchase_order_id: str,
        line_numbers: Sequence[str],
        reason: str = "SELLER_CANCEL_OUT_OF_STOCK",
        *,
        quantity: int = 1,
    ) -> OrderData:
        order_lines = [
            {
                "lineNumber": str(number),
                "orderLineStatuses": {
                    "orderLineStatus": [
                        {
                            "status": "Cancelled",
                            "cancellationReason": reason,
                            "statusQuantity": {
                                "unitOfMeasurement": "EACH",
                                "amount": str(quantity),
                            },
                        }
                    ]
                },
            }
            for number in line_numbers
        ]
        body = self._send(
            "POST",
            f"/v3/orders/{purchase_order_id}/cancel",
            json={"orderCancellation": {"orderLines": {"orderLine": order_lines}}},
        )
        return map_order(body)

    def refund(
        self, purchase_order_id: str, lines: Sequence[RefundLine], *, full: bool = False
    ) -> OrderData:
        order_lines = []
        for line in lines:
            charge: dict[str, Any] = {
                "chargeType": line.charge_type,
                "chargeName": "Item Price" if line.charge_type == "PRODUCT" else "Shipping Price",
                "chargeAmount": {"currency": line.currency, "amount": -money(abs(line.amount))},
            }
            if line.tax is not None:
                charge["tax"] = {
                    "taxName": "Item Price Tax"
                    if line.charge_type == "PRODUCT"
                    else "Shipping Tax",
                    "taxAmount": {"currency": line.currency, "amount": -money(abs(line.tax))},
                }
            order_lines.append(
                {
                    "lineNumber": line.line_number,
                    "isFullRefund": full,
                    "refunds": {
                        "refund": [
                            {
                                "refundComments": line.comments,
                                "refundCharges": {
                                    "refundCharge": [
                                        {"refundReason": line.reason, "charge": charge}
                                    ]
                                },
                            }
                        ]
                    },
                }
            )
        payload = {
            "orderRefund": {
                "purchaseOrderId": purchase_order_id,
                "orderLines": {"orderLine": order_lines},
            }
        }
        body = self._send(
            "POST", f"/v3/orders/{purchase_order_id}/refund", json=payload, retry_unsure=False
        )
        return map_order(body)

    # --- returns -----------------------------------------------------------------------

    def list_returns(
        self,
        *,
        cursor: str | None = None,
        return_order_id: str | None = None,
        customer_order_id: str | None = None,
        status: str | None = None,
        created_start: datetime | None = None,
        created_end: datetime | None = None,
        last_modified_start: datetime | None = None,
        last_modified_end: datetime | None = None,
        limit: int = MAX_LIMIT,
    ) -> Page[ReturnData]:
        if cursor is not None:
            body = self._send(
                "GET", self._cursor_url("/v3/returns", cursor), empty_on_not_found=True
            )
        else:
            params: dict[str, str] = {"limit": str(max(1, min(limit, MAX_LIMIT)))}
            dates = {
                "returnCreationStartDate": created_start,
                "returnCreationEndDate": created_end,
                "returnLastModifiedStartDate": last_modified_start,
                "returnLastModifiedEndDate": last_modified_end,
            }
            params.update({k: format_query_datetime(v) for k, v in dates.items() if v is not None})
            strings = {
                "returnOrderId": return_order_id,
                "customerOrderId": customer_order_id,
                "status": status,
            }
            params.update({k: v for k, v in strings.items() if v})
            body = self._send("GET", "/v3/returns", params=params, empty_on_not_found=True)
        if body is None:
            return Page(items=(), next_cursor=None, total_count=0)
        return map_returns_page(body)

    def iter_returns(self, **filters: Any) -> Iterator[ReturnData]:
        return self._iterate(self.list_returns, filters)

    def refund_return(
        self, return_order_id: str, customer_order_id: str, line_numbers: Sequence[int]
    ) -> dict[str, Any]:
        payload = {
            "customerOrderId": customer_order_id,
            "refundLines": [{"returnOrderLineNumber": int(n)} for n in line_numbers],
        }
        body = self._send(
            "POST", f"/v3/returns/{return_order_id}/refund", json=payload, retry_unsure=False
        )
        return dict(body)

    # --- inventory and items -------------------------------------------------------------

    @staticmethod
    def _inventory(body: Any) -> InventoryData:
        if not isinstance(body, Mapping) or not isinstance(body.get("quantity"), Mapping):
            raise ConnectorError(
                "inventory answer has no quantity", permanent=False, code="MALFORMED_RESPONSE"
            )
        quantity = body["quantity"]
        return InventoryData(
            sku=str(body.get("sku", "")),
            amount=int(quantity.get("amount") or 0),
            unit=str(quantity.get("unit") or "EACH"),
        )

    def get_inventory(self, sku: str) -> InventoryData:
        return self._inventory(self._send("GET", "/v3/inventory", params={"sku": sku}))

    def set_inventory(self, sku: str, amount: int) -> InventoryData:
        payload = {"sku": sku, "quantity": {"unit": "EACH", "amount": int(amount)}}
        return self._inventory(
            self._send("PUT", "/v3/inventory", params={"sku": sku}, json=payload)
        )

    def pause_listing(self, sku: str) -> InventoryData:
        """Walmart has no pause: zero inventory is the reversible equivalent."""
        return self.set_inventory(sku, 0)

    def resume_listing(self, sku: str, amount: int) -> InventoryData:
        return self.set_inventory(sku, amount)

    def get_item(self, sku: str) -> dict[str, Any]:
        return dict(self._send("GET", f"/v3/items/{sku}", params={"productIdType": "SKU"}))

    # --- webhook subscriptions -------------------------------------------------------------

    def list_subscriptions(
        self, *, event_type: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"eventType": event_type, "status": status}.items() if v}
        body = self._send(
            "GET", "/v3/webhooks/subscriptions", params=params or None, empty_on_not_found=True
        )
        events = body.get("events") if isinstance(body, Mapping) else None
        return [dict(e) for e in events] if isinstance(events, list) else []

    def create_subscription(
        self,
        event_type: str,
        event_url: str,
        *,
        resource_name: str = "ORDER",
        event_version: str = "V1",
        auth_details: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        active: bool = True,
    ) -> list[dict[str, Any]]:
        event: dict[str, Any] = {
            "eventType": event_type,
            "eventVersion": event_version,
            "resourceName": resource_name,
            "eventUrl": event_url,
            "status": "ACTIVE" if active else "INACTIVE",
        }
        if auth_details:
            event["authDetails"] = dict(auth_details)
        if headers:
            event["headers"] = dict(headers)
        body = self._send("POST", "/v3/webhooks/subscriptions", json={"events": [event]})
        events = body.get("events") or body.get("event") if isinstance(body, Mapping) else None
        return [dict(e) for e in events] if isinstance(events, list) else []

    def delete_subscription(self, subscription_id: str) -> dict[str, Any]:
        return dict(self._send("DELETE", f"/v3/webhooks/subscriptions/{subscription_id}"))
