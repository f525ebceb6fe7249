"""Returns, inventory, items and webhook subscriptions of the emulated seller.

Kept apart from the order operations (``state.py``) to keep both modules small; the
``EmulatorState`` class mixes this in and owns the data these methods read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sellerdesk.marketplaces.walmart.emulator import catalog as cat
from sellerdesk.marketplaces.walmart.errors import INVALID_REQUEST

Result = tuple[int, Any]


class BadRequest(Exception):
    """A refused operation; becomes HTTP 400 in the ``{"errors": {"error": [...]}}`` shape."""

    def __init__(
        self, description: str, field: str = "", code: str = INVALID_REQUEST, status: int = 400
    ) -> None:
        super().__init__(description)
        self.description, self.field, self.code, self.status = description, field, code, status


def parse_query_date(text: str, name: str) -> int:
    """Walmart accepts ``yyyy-MM-dd`` and ISO date-times (with or without milliseconds)."""
    value = text.strip()
    try:
        if len(value) == 10:
            parsed = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(f"Invalid date for {name}: {text!r}", field=name) from None
    return int(parsed.timestamp() * 1000)


class SellerExtras:
    """Operations on returns, inventory, items and subscriptions (mixed into the state)."""

    lock: threading.RLock
    seed: int
    clock_ms: Callable[[], int]
    products: list[cat.Product]
    buyers: list[cat.Buyer]
    inventory: dict[str, int]
    by_po: dict[str, cat.Order]
    returns: list[cat.Return]
    returns_by_id: dict[str, cat.Return]
    subscriptions: dict[str, dict[str, Any]]
    # Like the attributes above, provided by the state class this is mixed into.
    changed: Callable[[cat.Order, str], None]

    # --- returns -------------------------------------------------------------------------

    def list_returns(self, q: dict[str, str]) -> Result:
        with self.lock:
            try:
                limit, offset = int(q.get("limit") or 10), int(q.get("offset") or 0)
            except ValueError:
                raise BadRequest("limit and offset must be numbers", field="limit") from None
            if not 1 <= limit <= 200:
                raise BadRequest("limit cannot be larger than 200", field="limit")
            bounds = {
                k: parse_query_date(q[k], k)
                for k in (
                    "returnCreationStartDate",
                    "returnCreationEndDate",
                    "returnLastModifiedStartDate",
                    "returnLastModifiedEndDate",
                )
                if q.get(k)
            }
            out = []
            for r in self.returns:
                if q.get("returnOrderId") and r.return_order_id != q["returnOrderId"]:
                    continue
                if q.get("customerOrderId") and r.customer_order_id != q["customerOrderId"]:
                    continue
                if q.get("status") and not any(rl.status == q["status"] for rl in r.lines):
                    continue
                if r.created_ms < bounds.get(
                    "returnCreationStartDate", r.created_ms
                ) or r.created_ms > bounds.get("returnCreationEndDate", r.created_ms):
                    continue
                if r.last_modified_ms < bounds.get(
                    "returnLastModifiedStartDate", r.last_modified_ms
                ) or r.last_modified_ms > bounds.get(
                    "returnLastModifiedEndDate", r.last_modified_ms
                ):
                    continue
                out.append(r)
            out.sort(key=lambda r: (-r.created_ms, r.return_order_id))
            page = out[offset : offset + limit]
            cursor = ""
            if offset + limit < len(out):
                params = {k: v for k, v in q.items() if k not in ("offset", "limit") and v}
                cursor = "?" + urlencode(
                    {
                        "sellerId": str(self.seed),
                        "limit": str(limit),
                        "offset": str(offset + limit),
                        **params,
                    },
                    safe=":",
                )
            return 200, {
                "meta": {"totalCount": len(out), "limit": limit, "nextCursor": cursor},
                "returnOrders": [
                    cat.render_return(r, self.by_po.get(r.po), self.buyers, self.products)
                    for r in page
                ],
            }

    def refund_return(self, return_order_id: str, body: Any) -> Result:
        with self.lock:
            ret = self.returns_by_id.get(return_order_id)
            if ret is None:
                raise BadRequest(
                    f"Return order {return_order_id} not found.",
                    code="CONTENT_NOT_FOUND.GMP_RETURNS_API",
                    status=404,
                )
            if (
                not isinstance(body, Mapping)
                or str(body.get("customerOrderId")) != ret.customer_order_id
            ):
                raise BadRequest(
                    "customerOrderId does not match the return order.", field="customerOrderId"
                )
            numbers = [
                x.get("returnOrderLineNumber")
                for x in body.get("refundLines") or []
                if isinstance(x, Mapping)
            ]
            if not numbers and len(ret.lines) == 1:
                numbers = [ret.lines[0].number]
            targets = []
            for number in numbers:
                line = next((rl for rl in ret.lines if rl.number == number), None)
                if line is None:
                    raise BadRequest(
                        f"Return line {number} does not exist.", field="returnOrderLineNumber"
                    )
                if line.refund_status == "REFUNDED":
                    raise BadRequest(
                        f"Return line {number} is already refunded.", field="returnOrderLineNumber"
                    )
                targets.append(line)
            if not targets:
                raise BadRequest(
                    "refundLines is required when the return has several lines.",
                    field="refundLines",
                )
            now = self.clock_ms()
            order = self.by_po.get(ret.po)
            for line in targets:
                line.refund_status, line.status, line.status_ms = "REFUNDED", "COMPLETED", now
                line.events.append(("REFUND_ISSUED", "Refund issued by seller", now))
                if order is not None:
                    order_line = order.lines[line.po_line - 1]
                    price = self.products[order_line.product].price_cents
                    order_line.refunds.append(
                        (price, cat.line_tax_cents(price, 1), "Customer returned item")
                    )
                    order_line.status_ms = now
            ret.last_modified_ms = now
            if order is not None:
                self.changed(order, "RETURN_REFUNDED")
            return 200, {
                "returnOrderId": ret.return_order_id,
                "customerOrderId": ret.customer_order_id,
                "refundLines": [{"returnOrderLineNumber": rl.number} for rl in targets],
            }

    # --- inventory, items, subscriptions ---------------------------------------------------

    def _product(self, sku: str, api: str) -> cat.Product:
        for product in self.products:
            if product.sku == sku:
                return product
        raise BadRequest(
            f"SKU {sku} not found.", code=f"CONTENT_NOT_FOUND.GMP_{api}_API", status=404
        )

    def get_inventory(self, sku: str) -> Result:
        with self.lock:
            self._product(sku, "INVENTORY")
            return 200, {"sku": sku, "quantity": {"unit": "EACH", "amount": self.inventory[sku]}}

    def set_inventory(self, sku: str, body: Any) -> Result:
        with self.lock:
            self._product(sku, "INVENTORY")
            try:
                amount = body["quantity"]["amount"]
                unit = body["quantity"].get("unit", "EACH")
            except (KeyError, TypeError, AttributeError):
                raise BadRequest("Body must hold quantity.amount", field="quantity") from None
            if body.get("sku") not in (None, sku):
                raise BadRequest("sku in the body does not match the query.", field="sku")
            if (
                isinstance(amount, bool)
                or not isinstance(amount, int | float)
                or amount < 0
                or amount != int(amount)
                or unit != "EACH"
            ):
                raise BadRequest(
                    "quantity.amount must be a whole number ≥ 0 in unit EACH",
                    field="quantity.amount",
                )
            self.inventory[sku] = int(amount)
            return 200, {"sku": sku, "quantity": {"unit": "EACH", "amount": int(amount)}}

    def get_item(self, sku: str) -> Result:
        with self.lock:
            p = self._product(sku, "ITEM")
            record = {
                "mart": "WALMART_US",
                "sku": p.sku,
                "wpid": cat._hex(self.seed, "wpid", p.sku)[:12].upper(),
                "productName": p.name,
                "productType": "General",
                "price": {"currency": "USD", "amount": p.price_cents / 100},
                "publishedStatus": "PUBLISHED" if self.inventory[sku] > 0 else "UNPUBLISHED",
                "lifecycleStatus": "ACTIVE",
            }
            return 200, {"ItemResponse": [record], "totalItems": 1}

    def list_subscriptions(self, q: Mapping[str, str]) -> Result:
        with self.lock:
            events = [
                s
                for s in self.subscriptions.values()
                if all(
                    not q.get(k) or s.get(k) == q[k]
                    for k in ("subscriptionId", "eventType", "resourceName", "status")
                )
            ]
            return 200, {"events": events}

    def create_subscriptions(self, body: Any) -> Result:
        with self.lock:
            events = body.get("events") if isinstance(body, Mapping) else None
            if not isinstance(events, list) or not events:
                raise BadRequest("events is required", field="events")
            created = []
            for event in events:
                missing = [
                    k
                    for k in ("eventType", "eventVersion", "resourceName", "eventUrl", "status")
                    if not isinstance(event, Mapping) or not event.get(k)
                ]
                if missing:
                    raise BadRequest(f"Missing {', '.join(missing)}", field=missing[0])
                sub_id = cat._hex(self.seed, "sub", len(self.subscriptions), event["eventType"])
                sub = {
                    k: event[k]
                    for k in ("eventType", "eventVersion", "resourceName", "eventUrl", "status")
                }
                sub.update(
                    {
                        "subscriptionId": f"{sub_id[:8]}-{sub_id[8:12]}-{sub_id[12:16]}-{sub_id[16:20]}-{sub_id[20:32]}",
                        "partnerId": str(10_000_000_000 + self.seed),
                    }
                )
                for extra in ("authDetails", "headers"):
                    if isinstance(event.get(extra), Mapping):
                        sub[extra] = dict(event[extra])
                self.subscriptions[sub["subscriptionId"]] = sub
                created.append(sub)
            return 200, {"events": created}

    def delete_subscription(self, sub_id: str) -> Result:
        with self.lock:
            if self.subscriptions.pop(sub_id, None) is None:
                raise BadRequest(
                    f"Subscription {sub_id} not found.",
                    code="CONTENT_NOT_FOUND.GMP_NOTIFICATION_API",
                    status=404,
                )
            return 200, {"subscriptionId": sub_id, "message": "Successfully deleted subscription"}
