"""The emulator's seller state and the Walmart operations on it (no HTTP here).

Every operation returns ``(status, body)`` where ``body`` is JSON-ready or pre-rendered
bytes. One lock guards the state: the HTTP server is threaded, and the live mode mutates
orders from its own thread.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from sellerdesk.marketplaces.walmart.codes import (
    CANCEL_REASON_CODES,
    CARRIER_CODES,
    REFUND_REASON_CODES,
)
from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.marketplaces.walmart.emulator.extras import (
    BadRequest,
    Result,
    SellerExtras,
    parse_query_date,
)
from sellerdesk.marketplaces.walmart.errors import (
    CONTENT_NOT_FOUND,
    MAX_ORDERS_PER_QUERY,
    TOO_MANY_ORDERS,
    service_error_body,
)

ORDER_FILTERS = (
    "createdStartDate",
    "createdEndDate",
    "lastModifiedStartDate",
    "lastModifiedEndDate",
    "status",
    "sku",
    "purchaseOrderId",
    "customerOrderId",
    "shipNodeType",
    "productInfo",
)
# Walmart's enums from orders.json, shared with the order actions (one list, tested against
# the OpenAPI file).
KNOWN_CARRIERS = CARRIER_CODES
REFUND_REASONS = REFUND_REASON_CODES
CANCEL_REASONS = CANCEL_REASON_CODES


class EmulatorState(SellerExtras):
    """Catalog, buyers, orders, returns, inventory and webhook subscriptions of one seller."""

    def __init__(self, *, seed: int, orders: int, now_ms: int, clock_ms: Callable[[], int]) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.clock_ms = clock_ms
        self.rng = random.Random(f"state:{seed}")
        self.products = cat.make_catalog(seed)
        self.buyers = cat.make_buyers(seed, max(8, orders // 3))
        self.inventory = {p.sku: self.rng.randrange(0, 250) for p in self.products}
        self.orders: list[cat.Order] = []
        self.by_po: dict[str, cat.Order] = {}
        self.returns: list[cat.Return] = []
        self.returns_by_id: dict[str, cat.Return] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.version = 0
        self._query_cache: dict[tuple[Any, ...], tuple[int, list[cat.Order]]] = {}
        self.listeners: list[Callable[[str, cat.Order], None]] = []
        span = 90 * cat.DAY_MS
        # Evenly spread order times (with jitter) keep windowed walks predictable.
        step = span / max(1, orders)
        for i in range(orders):
            order_ms = now_ms - span + int(i * step + self.rng.random() * step)
            self._add(
                cat.make_order(
                    self.rng,
                    seed,
                    i,
                    min(order_ms, now_ms - 1000),
                    now_ms,
                    len(self.buyers),
                    len(self.products),
                )
            )
        for order in self.orders[:: max(1, 25)]:
            ret = cat.make_return(self.rng, seed, len(self.returns), order, now_ms)
            if ret is not None:
                self.returns.append(ret)
                self.returns_by_id[ret.return_order_id] = ret
                if ret.lines[0].refund_status == "REFUNDED":
                    line = order.lines[ret.lines[0].po_line - 1]
                    price = self.products[line.product].price_cents
                    line.refunds.append(
                        (price, cat.line_tax_cents(price, 1), "Customer returned item")
                    )

    def _add(self, order: cat.Order) -> None:
        self.orders.append(order)
        self.by_po[order.po] = order

    def add_order(self, now_ms: int) -> cat.Order:
        """A new order (live mode)."""
        with self.lock:
            order = cat.make_order(
                self.rng,
                self.seed,
                len(self.orders),
                now_ms,
                now_ms,
                len(self.buyers),
                len(self.products),
            )
            self._add(order)
            self.changed(order, "PO_CREATED")
            return order

    def changed(self, order: cat.Order, event: str) -> None:
        order.touch(self.clock_ms())
        self.version += 1
        self._query_cache.clear()
        for listener in self.listeners:
            listener(event, order)

    # --- order reads -------------------------------------------------------------------

    def order_bytes(self, order: cat.Order, product_info: bool) -> bytes:
        cached = order.rendered.get(product_info)
        if cached is None:
            cached = json.dumps(
                cat.render_order(order, self.buyers, self.products, product_info),
                separators=(",", ":"),
            ).encode()
            order.rendered[product_info] = cached
        return cached

    def _matching(self, q: Mapping[str, str]) -> list[cat.Order]:
        key = tuple(q.get(k) for k in ORDER_FILTERS if k != "productInfo")
        hit = self._query_cache.get(key)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        lo_c = (
            parse_query_date(q["createdStartDate"], "createdStartDate")
            if q.get("createdStartDate")
            else None
        )
        hi_c = (
            parse_query_date(q["createdEndDate"], "createdEndDate")
            if q.get("createdEndDate")
            else None
        )
        lo_m = (
            parse_query_date(q["lastModifiedStartDate"], "lastModifiedStartDate")
            if q.get("lastModifiedStartDate")
            else None
        )
        hi_m = (
            parse_query_date(q["lastModifiedEndDate"], "lastModifiedEndDate")
            if q.get("lastModifiedEndDate")
            else None
        )
        node = q.get("shipNodeType") or "SellerFulfilled"
        status, sku, po, co = (
            q.get("status"),
            q.get("sku"),
            q.get("purchaseOrderId"),
            q.get("customerOrderId"),
        )
        oldest = self.clock_ms() - 180 * cat.DAY_MS
        out = []
        for o in self.orders:
            if o.ship_node != node or o.order_ms < oldest:
                continue
            if (lo_c is not None and o.order_ms < lo_c) or (hi_c is not None and o.order_ms > hi_c):
                continue
            if (lo_m is not None and o.last_modified_ms < lo_m) or (
                hi_m is not None and o.last_modified_ms > hi_m
            ):
                continue
            if (po and o.po != po) or (co and o.customer_order_id != co):
                continue
            if status and not any(ln.status == status for ln in o.lines):
                continue
            if sku and not any(self.products[ln.product].sku == sku for ln in o.lines):
                continue
            out.append(o)
        # Newest first, as Walmart lists them; ties broken by id for a stable paging order.
        out.sort(key=lambda o: (-o.order_ms, o.po))
        self._query_cache[key] = (self.version, out)
        return out

    def list_orders(self, q: dict[str, str]) -> Result:
        with self.lock:
            if q.get("shipNodeType", "SellerFulfilled") not in (
                "SellerFulfilled",
                "WFSFulfilled",
                "3PLFulfilled",
            ):
                raise BadRequest("Invalid shipNodeType", field="shipNodeType")
            try:
                limit = int(q.get("limit") or 100)
                offset = int(q.get("poIndex") or 0)
            except ValueError:
                raise BadRequest("limit must be a number", field="limit") from None
            if not 1 <= limit <= 200:
                raise BadRequest("limit cannot be larger than 200", field="limit")
            if "hasMoreElements" not in q:
                # A first query: apply Walmart's default window and pin the open end, so
                # later pages see the same set even while new orders arrive.
                now_iso = cat.iso_ms(self.clock_ms())
                narrowing = (
                    "createdStartDate",
                    "lastModifiedStartDate",
                    "purchaseOrderId",
                    "customerOrderId",
                )
                if not any(q.get(k) for k in narrowing):
                    q["createdStartDate"] = cat.iso_ms(self.clock_ms() - 7 * cat.DAY_MS)
                if q.get("createdStartDate") and not q.get("createdEndDate"):
                    q["createdEndDate"] = now_iso
                if q.get("lastModifiedStartDate") and not q.get("lastModifiedEndDate"):
                    q["lastModifiedEndDate"] = now_iso
            matched = self._matching(q)
            if len(matched) > MAX_ORDERS_PER_QUERY:
                raise BadRequest(
                    f"Requested {len(matched)} orders; a query may fetch at most {MAX_ORDERS_PER_QUERY}. Narrow the date range.",
                    code=TOO_MANY_ORDERS,
                )
            if not matched:
                raise BadRequest(
                    "No orders found for the given criteria.", code=CONTENT_NOT_FOUND, status=404
                )
            page = matched[offset : offset + limit]
            product_info = q.get("productInfo", "false").lower() == "true"
            meta: dict[str, Any] = {"totalCount": len(matched), "limit": limit}
            if offset + limit < len(matched):
                cursor = {
                    "limit": str(limit),
                    "hasMoreElements": "true",
                    "soIndex": str(len(matched)),
                    "poIndex": str(offset + limit),
                    "sellerId": str(self.seed),
                }
                cursor.update({k: q[k] for k in ORDER_FILTERS if q.get(k)})
                meta["nextCursor"] = "?" + urlencode(cursor, safe=":")
            head = json.dumps({"meta": meta}, separators=(",", ":"))[:-1].encode()
            body = (
                b'{"list":'
                + head
                + b',"elements":{"order":['
                + b",".join(self.order_bytes(o, product_info) for o in page)
                + b"]}}}"
            )
            return 200, body

    def get_order(self, po: str, product_info: bool) -> Result:
        with self.lock:
            order = self._order(po)
            return 200, b'{"order":' + self.order_bytes(order, product_info) + b"}"

    def _order(self, po: str) -> cat.Order:
        order = self.by_po.get(po)
        if order is None:
            raise BadRequest(f"Purchase order {po} not found.", code=CONTENT_NOT_FOUND, status=404)
        return order

    # --- order actions -------------------------------------------------------------------

    def _writable(self, po: str) -> cat.Order:
        order = self._order(po)
        if order.ship_node == "WFSFulfilled":
            raise BadRequest(
                "WFS orders are fulfilled by Walmart and cannot be changed.",
                field="purchaseOrderId",
            )
        return order

    @staticmethod
    def _lines(body: Any, root: str) -> list[Mapping[str, Any]]:
        try:
            lines = body[root]["orderLines"]["orderLine"]
        except (KeyError, TypeError):
            raise BadRequest(f"Body must hold {root}.orderLines.orderLine", field=root) from None
        if (
            not isinstance(lines, list)
            or not lines
            or not all(isinstance(x, Mapping) for x in lines)
        ):
            raise BadRequest(f"{root}.orderLines.orderLine must be a non-empty list", field=root)
        return lines

    @staticmethod
    def _line(order: cat.Order, number: Any) -> cat.Line:
        for line in order.lines:
            if str(line.number) == str(number):
                return line
        raise BadRequest(f"Line {number} does not exist in order {order.po}.", field="lineNumber")

    def acknowledge(self, po: str) -> Result:
        with self.lock:
            order = self._writable(po)
            created = [ln for ln in order.lines if ln.status == "Created"]
            if not created and not any(ln.status == "Acknowledged" for ln in order.lines):
                raise BadRequest(f"Order {po} has no line in Created status to acknowledge.")
            if created:
                now = self.clock_ms()
                for line in created:
                    line.status, line.status_ms = "Acknowledged", now
                self.changed(order, "PO_ACKNOWLEDGED")
            return self.get_order(po, True)

    def ship(self, po: str, body: Any) -> Result:
        with self.lock:
            order = self._writable(po)
            partial = (
                isinstance(body, Mapping)
                and isinstance(body.get("orderShipment"), Mapping)
                and body["orderShipment"].get("processMode") == "PARTIAL_UPDATE"
            )
            updates = []
            for raw in self._lines(body, "orderShipment"):
                line = self._line(order, raw.get("lineNumber"))
                try:
                    info = raw["orderLineStatuses"]["orderLineStatus"][0]["trackingInfo"]
                    number, ship_ms = str(info["trackingNumber"]), int(info["shipDateTime"])
                    carrier_obj = info["carrierName"]
                except (KeyError, TypeError, IndexError, ValueError):
                    raise BadRequest(
                        "trackingInfo needs trackingNumber, shipDateTime and carrierName",
                        field="trackingInfo",
                    ) from None
                carrier, other, url = (
                    carrier_obj.get("carrier"),
                    carrier_obj.get("otherCarrier"),
                    info.get("trackingURL"),
                )
                if carrier and carrier not in KNOWN_CARRIERS:
                    raise BadRequest(
                        f"Unknown carrier {carrier!r}; use otherCarrier with a trackingURL.",
                        field="carrier",
                    )
                if not carrier and not (other and url):
                    raise BadRequest("otherCarrier requires trackingURL.", field="trackingURL")
                allowed = ("Shipped", "Delivered") if partial else ("Created", "Acknowledged")
                if line.status not in allowed:
                    raise BadRequest(
                        f"Line {line.number} is {line.status} and cannot be shipped.",
                        field="status",
                    )
                if line.intent_to_cancel and not raw.get("intentToCancelOverride"):
                    raise BadRequest(
                        f"Line {line.number} has a customer cancellation request; set intentToCancelOverride to ship it.",
                        field="intentToCancelOverride",
                    )
                updates.append(
                    (
                        line,
                        carrier,
                        other,
                        url,
                        number,
                        ship_ms,
                        str(info.get("methodCode") or "Standard"),
                    )
                )
            now = self.clock_ms()
            for line, carrier, other, url, number, ship_ms, method in updates:
                if line.status != "Delivered":
                    line.status = "Shipped"
                line.carrier, line.other_carrier, line.tracking_url, line.tracking_number = (
                    carrier,
                    other,
                    url,
                    number,
                )
                line.ship_ms, line.method_code, line.status_ms, line.intent_to_cancel = (
                    ship_ms,
                    method,
                    now,
                    False,
                )
            self.changed(order, "PO_SHIPPED")
            return self.get_order(po, True)

    def cancel(self, po: str, body: Any) -> Result:
        with self.lock:
            order = self._writable(po)
            updates = []
            for raw in self._lines(body, "orderCancellation"):
                line = self._line(order, raw.get("lineNumber"))
                try:
                    reason = raw["orderLineStatuses"]["orderLineStatus"][0]["cancellationReason"]
                except (KeyError, TypeError, IndexError):
                    raise BadRequest(
                        "cancellationReason is required", field="cancellationReason"
                    ) from None
                if reason not in CANCEL_REASONS:
                    raise BadRequest(
                        f"Invalid cancellationReason {reason!r}", field="cancellationReason"
                    )
                if reason == "CUSTOMER_REQUESTED_SELLER_TO_CANCEL" and not line.intent_to_cancel:
                    raise BadRequest(
                        "CUSTOMER_REQUESTED_SELLER_TO_CANCEL is only for lines the customer asked to cancel.",
                        field="cancellationReason",
                    )
                if line.status not in ("Created", "Acknowledged"):
                    raise BadRequest(
                        f"Line {line.number} is {line.status} and cannot be cancelled.",
                        field="status",
                    )
                updates.append((line, reason))
            now = self.clock_ms()
            for line, reason in updates:
                line.status, line.cancellation_reason, line.status_ms, line.intent_to_cancel = (
                    "Cancelled",
                    reason,
                    now,
                    False,
                )
            self.changed(order, "PO_LINE_CANCELLED")
            return self.get_order(po, True)

    def refund(self, po: str, body: Any) -> Result:
        with self.lock:
            order = self._writable(po)
            refund_root = body.get("orderRefund") if isinstance(body, Mapping) else None
            if (
                isinstance(refund_root, Mapping)
                and str(refund_root.get("purchaseOrderId", po)) != po
            ):
                raise BadRequest(
                    "purchaseOrderId in the body does not match the path.",
                    field="purchaseOrderId",
                )
            updates = []
            lines = self._lines(body, "orderRefund")
            # orders.json: "all order lines should either be of full refund scenario or
            # partial refund but not both".
            if len({raw.get("isFullRefund") is True for raw in lines}) > 1:
                raise BadRequest(
                    "Refund every line of a request in full or every line in part, not both.",
                    field="isFullRefund",
                )
            for raw in lines:
                line = self._line(order, raw.get("lineNumber"))
                if line.status not in ("Shipped", "Delivered"):
                    raise BadRequest(
                        f"Line {line.number} is {line.status}; only shipped or delivered lines can be refunded.",
                        field="status",
                    )
                try:
                    charges = [
                        rc
                        for refund in raw["refunds"]["refund"]
                        for rc in refund["refundCharges"]["refundCharge"]
                    ]
                except (KeyError, TypeError):
                    raise BadRequest(
                        "refunds.refund[].refundCharges.refundCharge[] is required", field="refunds"
                    ) from None
                item_price = self.products[line.product].price_cents * line.quantity
                price = item_price + line.shipping_cents
                refundable = price - sum(c for c, _, _ in line.refunds)
                tax_left = cat.line_tax_cents(
                    self.products[line.product].price_cents, line.quantity
                ) - sum(t for _, t, _ in line.refunds)
                for rc in charges:
                    try:
                        reason = rc["refundReason"]
                        cents = round(float(rc["charge"]["chargeAmount"]["amount"]) * 100)
                        tax = round(
                            float(rc["charge"].get("tax", {}).get("taxAmount", {}).get("amount", 0))
                            * 100
                        )
                    except (KeyError, TypeError, ValueError, AttributeError):
                        raise BadRequest(
                            "refundCharge needs refundReason and charge.chargeAmount.amount",
                            field="refundCharge",
                        ) from None
                    if reason not in REFUND_REASONS:
                        raise BadRequest(f"Invalid refundReason {reason!r}", field="refundReason")
                    if cents >= 0 or tax > 0:
                        raise BadRequest("Refund amounts must be negative.", field="chargeAmount")
                    # orders.json: a full refund (isFullRefund, or the full item price sent)
                    # gives back every charge of the line, tax and shipping included.
                    full = raw.get("isFullRefund") is True or (
                        -cents == item_price and not line.refunds
                    )
                    if refundable <= 0:
                        raise BadRequest(
                            f"Line {line.number} has been refunded in full already.",
                            field="chargeAmount",
                        )
                    if full:
                        cents, tax = -refundable, -max(0, tax_left)
                    elif -cents > refundable:
                        raise BadRequest(
                            f"Refund exceeds the refundable amount of line {line.number}.",
                            field="chargeAmount",
                        )
                    refundable += cents
                    tax_left += tax
                    updates.append((line, -cents, -tax, reason))
            now = self.clock_ms()
            for line, cents, tax, reason in updates:
                line.refunds.append((cents, tax, reason))
                line.status_ms = now
            self.changed(order, "PO_REFUNDED")
            return self.get_order(po, True)


def error_result(exc: BadRequest) -> Result:
    return exc.status, service_error_body(exc.code, exc.description, field=exc.field)
