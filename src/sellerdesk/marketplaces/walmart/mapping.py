"""Walmart JSON → neutral connector dataclasses. Pure: no Django, no HTTP.

Walmart's order JSON dates are epoch milliseconds; returns use ISO-8601 strings. Missing
optional fields map to ``None`` or zero; a missing or malformed *required* field raises
:class:`MappingError` naming its path, so a bad payload is diagnosed rather than half-stored.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sellerdesk.marketplaces.base import (
    Address,
    MappingError,
    OrderData,
    OrderLineData,
    Page,
    RawOrder,
    ReturnData,
    ReturnLineData,
    TrackingEventData,
)

# Walmart shows this instead of the relay address until it is known; never write to it.
PLACEHOLDER_EMAILS = frozenset({"nocxemail@walmartone.com"})

# Order of progress used to pick a line's "latest" status when a line is split across
# several partial statuses. Cancelled sits below Shipped so a line with one unit shipped
# and one cancelled reads as Shipped; Refund is an accounting marker, not a progress step.
_STATUS_RANK = {
    "Refund": 0,
    "Created": 1,
    "Acknowledged": 2,
    "Cancelled": 3,
    "Shipped": 4,
    "Delivered": 5,
}

_ZERO = Decimal("0")


# --- primitive readers -------------------------------------------------------------------


# The `type(...) is dict/list/str` fast paths matter: decoded JSON only ever holds those, and
# an isinstance check against the Mapping ABC costs several times more; a sync maps millions
# of fields. The ABC check stays as the fallback for callers passing other mappings.


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if type(value) is dict:
        return value
    if not isinstance(value, Mapping):
        raise MappingError(path, f"expected an object, got {type(value).__name__}")
    return value


def _opt_obj(parent: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = parent.get(key)
    if value is None:
        return {}
    return _obj(value, f"{path}.{key}" if path else key)


def _list(value: Any, path: str) -> Sequence[Any]:
    # Walmart's XML heritage means a one-element list sometimes arrives as a bare object.
    if type(value) is list:
        return value
    if value is None:
        return ()
    if isinstance(value, Mapping):
        return (value,)
    if not isinstance(value, list):
        raise MappingError(path, f"expected a list, got {type(value).__name__}")
    return value


def _req_str(parent: Mapping[str, Any], key: str, path: str) -> str:
    value = parent.get(key)
    if type(value) is str and value:
        return value
    where = f"{path}.{key}" if path else key
    if value is None or value == "":
        raise MappingError(where, "required field is missing")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MappingError(where, f"expected a string, got {type(value).__name__}")
    return str(value)


def _opt_str(parent: Mapping[str, Any], key: str) -> str | None:
    value = parent.get(key)
    if type(value) is str:
        return value or None
    if value is None or isinstance(value, Mapping | list) or value == "":
        return None
    return str(value)


def _decimal(value: Any, path: str) -> Decimal:
    if value is None or value == "":
        return _ZERO
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise MappingError(path, f"expected a number, got {type(value).__name__}")
    try:
        # str() first: Decimal(0.1) would carry binary float noise into money.
        result = Decimal(str(value))
    except InvalidOperation:
        raise MappingError(path, f"not a number: {value!r}") from None
    if not result.is_finite():
        raise MappingError(path, f"not a finite number: {value!r}")
    return result


def ms_to_datetime(value: Any, path: str) -> datetime:
    """Epoch milliseconds (int, or digits in a string) → aware UTC datetime."""
    if isinstance(value, bool):
        raise MappingError(path, "expected epoch milliseconds, got a boolean")
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int | float):
        raise MappingError(path, f"expected epoch milliseconds, got {value!r}")
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MappingError(path, f"epoch milliseconds out of range: {value!r}") from None


def _opt_ms(parent: Mapping[str, Any], key: str, path: str) -> datetime | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    return ms_to_datetime(value, f"{path}.{key}")


def parse_iso_datetime(value: Any, path: str) -> datetime:
    """ISO-8601 string (``Z`` or offset; naive taken as UTC) → aware UTC datetime."""
    if not isinstance(value, str):
        raise MappingError(path, f"expected an ISO-8601 date-time, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MappingError(path, f"not an ISO-8601 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _opt_iso(parent: Mapping[str, Any], key: str, path: str) -> datetime | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    return parse_iso_datetime(value, f"{path}.{key}")


def _quantity(value: Any, path: str) -> int:
    amount = _decimal(value, path)
    if amount != amount.to_integral_value():
        raise MappingError(path, f"expected a whole quantity, got {value!r}")
    return int(amount)


# --- identity helpers ----------------------------------------------------------------------

_PUNCT = re.compile(r"[.,#'\"]")
_SPACE = re.compile(r"\s+")
_COUNTRY_ALIASES = {"usa": "us", "united states": "us", "united states of america": "us"}


def _norm(text: str) -> str:
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.casefold())).strip()


def address_fingerprint(address: Address) -> str:
    """sha256 hex of the normalized name and address.

    Case, punctuation and spacing are ignored, ZIP+4 is cut to the ZIP, and ``USA`` equals
    ``US``, so the same buyer at the same door matches across orders even when Walmart
    formats the address slightly differently.
    """
    country = _norm(address.country)
    postal = _norm(address.postal_code)
    country = _COUNTRY_ALIASES.get(country, country)
    if country == "us":
        postal = postal[:5]
    parts = (
        _norm(address.name),
        _norm(address.address1),
        _norm(address.address2),
        _norm(address.city),
        _norm(address.state),
        postal,
        country,
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def relay_email(raw: str | None) -> str | None:
    """The buyer's relay address, or ``None`` while Walmart shows a stand-in address."""
    if not raw:
        return None
    email = raw.strip().lower()
    if "@" not in email or email in PLACEHOLDER_EMAILS:
        return None
    return email


# --- orders --------------------------------------------------------------------------------


def unwrap_order(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accept an order bare (as orders.json's schema says) or wrapped in ``{"order": ...}``
    (as the live API and the action responses answer)."""
    inner = raw.get("order")
    if isinstance(inner, Mapping) and "purchaseOrderId" not in raw:
        return inner
    return raw


def _map_line(raw_line: Any, path: str, default_currency: str) -> OrderLineData:
    line = _obj(raw_line, path)
    line_number = _req_str(line, "lineNumber", path)
    item = _obj(line.get("item"), f"{path}.item")
    sku = _req_str(item, "sku", f"{path}.item")

    unit_price = shipping = tax = _ZERO
    currency = default_currency
    charges_path = f"{path}.charges.charge"
    for i, raw_charge in enumerate(
        _list(_opt_obj(line, "charges", path).get("charge"), charges_path)
    ):
        cpath = f"{charges_path}[{i}]"
        charge = _obj(raw_charge, cpath)
        amount_obj = _opt_obj(charge, "chargeAmount", cpath)
        amount = _decimal(amount_obj.get("amount"), f"{cpath}.chargeAmount.amount")
        currency = _opt_str(amount_obj, "currency") or currency
        kind = (_opt_str(charge, "chargeType") or "").upper()
        if kind == "PRODUCT":
            # Walmart sends one PRODUCT charge per unit-priced line; discounts arrive as
            # further PRODUCT charges with negative amounts, so sum them.
            unit_price += amount
        elif kind == "SHIPPING":
            shipping += amount
        tax_obj = _opt_obj(charge, "tax", cpath)
        tax += _decimal(
            _opt_obj(tax_obj, "taxAmount", f"{cpath}.tax").get("amount"),
            f"{cpath}.tax.taxAmount.amount",
        )

    quantity_obj = _opt_obj(line, "orderLineQuantity", path)
    quantity = _quantity(quantity_obj.get("amount", 1), f"{path}.orderLineQuantity.amount")

    statuses_path = f"{path}.orderLineStatuses.orderLineStatus"
    entries = _list(_opt_obj(line, "orderLineStatuses", path).get("orderLineStatus"), statuses_path)
    best: Mapping[str, Any] | None = None
    best_rank = -1
    splits: list[tuple[str, int]] = []
    tracking: Mapping[str, Any] = {}
    cancellation_reason: str | None = None
    for i, raw_status in enumerate(entries):
        spath = f"{statuses_path}[{i}]"
        entry = _obj(raw_status, spath)
        status = _req_str(entry, "status", spath)
        qty_obj = _opt_obj(entry, "statusQuantity", spath)
        splits.append(
            (status, _quantity(qty_obj.get("amount", 0), f"{spath}.statusQuantity.amount"))
        )
        rank = _STATUS_RANK.get(status, -1)
        if rank > best_rank or best is None:
            best, best_rank = entry, rank
        info = _opt_obj(entry, "trackingInfo", spath)
        # A split shipment may track only one of the entries; keep the most advanced one's.
        if info and (not tracking or entry is best):
            tracking = info
        cancellation_reason = _opt_str(entry, "cancellationReason") or cancellation_reason
    status_name = _req_str(best, "status", statuses_path) if best is not None else "Created"

    carrier_obj = _opt_obj(tracking, "carrierName", f"{path}.trackingInfo")
    carrier = _opt_str(carrier_obj, "carrier") or _opt_str(carrier_obj, "otherCarrier")

    refunded = refunded_tax = _ZERO
    reasons: list[str] = []
    refund = _opt_obj(line, "refund", path)
    rpath = f"{path}.refund.refundCharges.refundCharge"
    for i, raw_rc in enumerate(
        _list(_opt_obj(refund, "refundCharges", f"{path}.refund").get("refundCharge"), rpath)
    ):
        rc = _obj(raw_rc, f"{rpath}[{i}]")
        charge = _opt_obj(rc, "charge", f"{rpath}[{i}]")
        amount = _decimal(
            _opt_obj(charge, "chargeAmount", "").get("amount"),
            f"{rpath}[{i}].charge.chargeAmount.amount",
        )
        tax_amount = _decimal(
            _opt_obj(_opt_obj(charge, "tax", ""), "taxAmount", "").get("amount"),
            f"{rpath}[{i}].charge.tax.taxAmount.amount",
        )
        # Walmart records refunds as negative charges; we keep money given back as positive.
        refunded += abs(amount)
        refunded_tax += abs(tax_amount)
        reason = _opt_str(rc, "refundReason")
        if reason:
            reasons.append(reason)

    return OrderLineData(
        line_number=line_number,
        sku=sku,
        product_name=_opt_str(item, "productName") or "",
        image_url=_opt_str(item, "imageUrl"),
        quantity=quantity,
        unit_price=unit_price,
        currency=currency,
        status=status_name,
        status_date=_opt_ms(line, "statusDate", path),
        status_quantities=tuple(splits),
        shipping_charge=shipping,
        tax=tax,
        carrier=carrier,
        tracking_number=_opt_str(tracking, "trackingNumber"),
        tracking_url=_opt_str(tracking, "trackingURL"),
        ship_date=_opt_ms(tracking, "shipDateTime", f"{path}.trackingInfo"),
        ship_method=_opt_str(tracking, "methodCode"),
        cancellation_reason=cancellation_reason,
        # Documented as a string; "Y"/"true" mean the buyer asked to cancel.
        intent_to_cancel=str(line.get("intentToCancel") or "").strip().upper()
        in {"Y", "YES", "TRUE"},
        refunded_amount=refunded,
        refunded_tax=refunded_tax,
        refund_reasons=tuple(reasons),
        return_order_id=_opt_str(line, "returnOrderId"),
    )


def map_order(raw: Mapping[str, Any]) -> OrderData:
    """Map one Walmart purchase order (bare or ``{"order": ...}``) to :class:`OrderData`.

    Walmart's order JSON carries no last-modified time, so ``last_modified`` is derived as
    the latest of the order date, every line's ``statusDate`` and every ship time: those are
    the moments Walmart changes an order, and the value only moves forward, which is what an
    incremental sync's high-water mark needs.
    """
    order = unwrap_order(_obj(raw, "order"))
    po = _req_str(order, "purchaseOrderId", "")
    path = f"order[{po}]"
    customer_order_id = _req_str(order, "customerOrderId", path)
    if order.get("orderDate") is None:
        raise MappingError(f"{path}.orderDate", "required field is missing")
    order_date = ms_to_datetime(order["orderDate"], f"{path}.orderDate")

    shipping = _opt_obj(order, "shippingInfo", path)
    postal = _opt_obj(shipping, "postalAddress", f"{path}.shippingInfo")
    address: Address | None = None
    if postal:
        address = Address(
            name=_opt_str(postal, "name") or "",
            address1=_opt_str(postal, "address1") or "",
            address2=_opt_str(postal, "address2") or "",
            city=_opt_str(postal, "city") or "",
            state=_opt_str(postal, "state") or "",
            postal_code=_opt_str(postal, "postalCode") or "",
            country=_opt_str(postal, "country") or "",
            address_type=_opt_str(postal, "addressType") or "",
        )

    lines_obj = order.get("orderLines")
    if lines_obj is None:
        raise MappingError(f"{path}.orderLines", "required field is missing")
    raw_lines = _list(
        _obj(lines_obj, f"{path}.orderLines").get("orderLine"), f"{path}.orderLines.orderLine"
    )
    summary = _opt_obj(order, "orderSummary", path)
    total_obj = _opt_obj(summary, "totalAmount", f"{path}.orderSummary")
    default_currency = _opt_str(total_obj, "currencyUnit") or "USD"
    lines = tuple(
        _map_line(raw_line, f"{path}.orderLines.orderLine[{i}]", default_currency)
        for i, raw_line in enumerate(raw_lines)
    )

    product_total = sum((ln.unit_price * ln.quantity for ln in lines), _ZERO)
    shipping_total = sum((ln.shipping_charge for ln in lines), _ZERO)
    tax_total = sum((ln.tax for ln in lines), _ZERO)
    if total_obj:
        order_total = _decimal(
            total_obj.get("currencyAmount"), f"{path}.orderSummary.totalAmount.currencyAmount"
        )
    else:
        order_total = product_total + shipping_total + tax_total

    moments = [order_date]
    moments.extend(ln.status_date for ln in lines if ln.status_date is not None)
    moments.extend(ln.ship_date for ln in lines if ln.ship_date is not None)

    # Some of Walmart's own examples send ``"shipNode": []``; take the first node if any.
    nodes = _list(order.get("shipNode"), f"{path}.shipNode")
    node = _obj(nodes[0], f"{path}.shipNode[0]") if nodes else {}
    return OrderData(
        order_id=po,
        customer_order_id=customer_order_id,
        order_date=order_date,
        last_modified=max(moments),
        buyer_email=relay_email(_opt_str(order, "customerEmailId")),
        shipping_name=address.name if address else "",
        shipping_address=address,
        shipping_phone=_opt_str(shipping, "phone"),
        address_fingerprint=address_fingerprint(address) if address else None,
        estimated_ship_date=_opt_ms(shipping, "estimatedShipDate", f"{path}.shippingInfo"),
        estimated_delivery_date=_opt_ms(shipping, "estimatedDeliveryDate", f"{path}.shippingInfo"),
        ship_method=_opt_str(shipping, "methodCode"),
        # Absent shipNode means the default the API filters on: seller fulfilled.
        ship_node_type=_opt_str(node, "type") or "SellerFulfilled",
        currency=lines[0].currency if lines else default_currency,
        product_total=product_total,
        shipping_total=shipping_total,
        tax_total=tax_total,
        order_total=order_total,
        refunded_total=sum((ln.refunded_amount + ln.refunded_tax for ln in lines), _ZERO),
        lines=lines,
        order_type=_opt_str(order, "orderType"),
    )


def _cursor(meta: Mapping[str, Any]) -> str | None:
    cursor = meta.get("nextCursor")
    if not isinstance(cursor, str) or not cursor.strip():
        return None
    return cursor


def _total(meta: Mapping[str, Any]) -> int | None:
    value = meta.get("totalCount")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# Part of every order fingerprint. Bump it whenever `map_order` maps the same JSON
# differently (a field newly read, a rule changed): every stored fingerprint then differs, so
# the next sync remaps and rewrites each order once instead of keeping stale mappings.
MAPPING_VERSION = b"walmart-order-1:"


def order_fingerprint(order: Mapping[str, Any]) -> str:
    """sha256 hex of an (unwrapped) raw order as decoded from JSON, and `MAPPING_VERSION`.

    A pickle is a faithful serialisation of decoded JSON (str, int, float, bool, None, list,
    dict in their received key order) and measured about twice as fast as ``json.dumps`` or
    ``repr``, which matters since a sync fingerprints every order it reads. Its bytes also
    reflect which equal strings are one object (memo references); ``json.loads`` shares
    equal keys within a document and nothing else, so the same order decodes to the same
    bytes from a listing and from a single-order fetch. Should bytes ever differ for equal
    content (another Python, another decoder), the only cost is one needless rewrite: the
    fingerprint only decides whether a write may be skipped, and unequal content never
    pickles to equal bytes.
    """
    return hashlib.sha256(MAPPING_VERSION + pickle.dumps(order, protocol=5)).hexdigest()


def raw_order(raw: Any, path: str) -> RawOrder:
    """One order (bare or wrapped) kept raw, with its id and fingerprint; see `RawOrder`."""
    order = unwrap_order(_obj(raw, path))
    return RawOrder(
        order_id=_req_str(order, "purchaseOrderId", ""),
        fingerprint=order_fingerprint(order),
        raw=order,
        mapper=map_order,
    )


def _order_elements(raw: Mapping[str, Any]) -> tuple[Sequence[Any], Mapping[str, Any]]:
    listing = _obj(_obj(raw, "response").get("list"), "list")
    meta = _opt_obj(listing, "meta", "list")
    elements = _opt_obj(listing, "elements", "list")
    return _list(elements.get("order"), "list.elements.order"), meta


def map_raw_orders_page(raw: Mapping[str, Any]) -> Page[RawOrder]:
    """A ``GET /v3/orders`` answer with its orders left raw, for the sync to map only those
    it has not stored already."""
    elements, meta = _order_elements(raw)
    orders = tuple(raw_order(o, f"list.elements.order[{i}]") for i, o in enumerate(elements))
    return Page(items=orders, next_cursor=_cursor(meta), total_count=_total(meta))


def map_orders_page(raw: Mapping[str, Any]) -> Page[OrderData]:
    """Map a ``GET /v3/orders`` answer (``{"list": {"meta", "elements": {"order": []}}}``)."""
    elements, meta = _order_elements(raw)
    orders = tuple(map_order(_obj(o, f"list.elements.order[{i}]")) for i, o in enumerate(elements))
    return Page(items=orders, next_cursor=_cursor(meta), total_count=_total(meta))


# --- returns -------------------------------------------------------------------------------


def _money(obj: Mapping[str, Any], path: str) -> tuple[Decimal, str | None]:
    return _decimal(obj.get("currencyAmount"), f"{path}.currencyAmount"), _opt_str(
        obj, "currencyUnit"
    )


def _map_return_line(
    raw_line: Any, path: str, return_id: str, customer_order_id: str
) -> ReturnLineData:
    line = _obj(raw_line, path)
    number = line.get("returnOrderLineNumber")
    if number is None:
        raise MappingError(f"{path}.returnOrderLineNumber", "required field is missing")
    item = _opt_obj(line, "item", path)
    unit_price, currency = _money(_opt_obj(line, "unitPrice", path), f"{path}.unitPrice")
    line_total = unit_price
    for i, raw_total in enumerate(_list(line.get("chargeTotals"), f"{path}.chargeTotals")):
        total = _obj(raw_total, f"{path}.chargeTotals[{i}]")
        if total.get("name") == "lineTotal":
            line_total, cur = _money(
                _opt_obj(total, "value", ""), f"{path}.chargeTotals[{i}].value"
            )
            currency = currency or cur
    events: list[TrackingEventData] = []
    for i, raw_event in enumerate(
        _list(line.get("returnTrackingDetail"), f"{path}.returnTrackingDetail")
    ):
        epath = f"{path}.returnTrackingDetail[{i}]"
        event = _obj(raw_event, epath)
        seq = event.get("sequenceNo")
        events.append(
            TrackingEventData(
                sequence=_quantity(seq, f"{epath}.sequenceNo") if seq is not None else None,
                tag=_opt_str(event, "eventTag") or "",
                description=_opt_str(event, "eventDescription") or "",
                time=_opt_iso(event, "eventTime", epath),
            )
        )
    # Walmart lists events newest first in its example; keep them in journey order.
    events.sort(
        key=lambda e: (
            e.sequence if e.sequence is not None else -1,
            e.time or datetime.min.replace(tzinfo=UTC),
        )
    )
    po_line = line.get("purchaseOrderLineNumber")
    return ReturnLineData(
        return_order_id=return_id,
        line_number=_quantity(number, f"{path}.returnOrderLineNumber"),
        purchase_order_id=_opt_str(line, "purchaseOrderId"),
        purchase_order_line_number=_quantity(po_line, f"{path}.purchaseOrderLineNumber")
        if po_line is not None
        else None,
        customer_order_id=customer_order_id,
        sku=_opt_str(item, "sku"),
        product_name=_opt_str(item, "productName"),
        reason=_opt_str(line, "returnReason"),
        status=_opt_str(line, "status"),
        status_time=_opt_iso(line, "statusTime", path),
        current_delivery_status=_opt_str(line, "currentDeliveryStatus"),
        current_refund_status=_opt_str(line, "currentRefundStatus"),
        refund_channel=_opt_str(line, "refundChannel"),
        quantity=_decimal(
            _opt_obj(line, "quantity", path).get("measurementValue"),
            f"{path}.quantity.measurementValue",
        ),
        refunded_quantity=_decimal(line.get("refundedQty"), f"{path}.refundedQty"),
        unit_price=unit_price,
        line_total=line_total,
        currency=currency or "USD",
        tracking_events=tuple(events),
    )


def map_return(raw: Mapping[str, Any]) -> ReturnData:
    """Map one Walmart return order to :class:`ReturnData`.

    ``last_modified`` is the latest of the return date, line status times and tracking
    event times, for the same reason as orders: the API carries no such field.
    """
    ret = _obj(raw, "returnOrder")
    return_id = _req_str(ret, "returnOrderId", "")
    path = f"returnOrder[{return_id}]"
    customer_order_id = _opt_str(ret, "customerOrderId") or ""
    name_obj = _opt_obj(ret, "customerName", path)
    name = " ".join(
        p for p in (_opt_str(name_obj, "firstName"), _opt_str(name_obj, "lastName")) if p
    )
    total, currency = _money(_opt_obj(ret, "totalRefundAmount", path), f"{path}.totalRefundAmount")
    lines = tuple(
        _map_return_line(raw_line, f"{path}.returnOrderLines[{i}]", return_id, customer_order_id)
        for i, raw_line in enumerate(_list(ret.get("returnOrderLines"), f"{path}.returnOrderLines"))
    )
    labels: list[tuple[str, str]] = []
    for g, raw_group in enumerate(_list(ret.get("returnLineGroups"), f"{path}.returnLineGroups")):
        gpath = f"{path}.returnLineGroups[{g}]"
        for li, raw_label in enumerate(
            _list(_obj(raw_group, gpath).get("labels"), f"{gpath}.labels")
        ):
            lpath = f"{gpath}.labels[{li}]"
            for c, raw_carrier in enumerate(
                _list(_obj(raw_label, lpath).get("carrierInfoList"), f"{lpath}.carrierInfoList")
            ):
                carrier = _obj(raw_carrier, f"{lpath}.carrierInfoList[{c}]")
                number = _opt_str(carrier, "trackingNo")
                if number:
                    labels.append((_opt_str(carrier, "carrierName") or "", number))
    return_date = _opt_iso(ret, "returnOrderDate", path)
    moments = [m for m in (return_date,) if m is not None]
    moments.extend(ln.status_time for ln in lines if ln.status_time is not None)
    moments.extend(e.time for ln in lines for e in ln.tracking_events if e.time is not None)
    return ReturnData(
        return_order_id=return_id,
        customer_order_id=customer_order_id,
        buyer_email=relay_email(_opt_str(ret, "customerEmailId")),
        customer_name=name,
        return_date=return_date,
        return_by_date=_opt_iso(ret, "returnByDate", path),
        last_modified=max(moments) if moments else None,
        refund_mode=_opt_str(ret, "refundMode"),
        return_type=_opt_str(ret, "returnType"),
        total_refund_amount=total,
        currency=currency or (lines[0].currency if lines else "USD"),
        lines=lines,
        label_tracking=tuple(labels),
    )


def map_returns_page(raw: Mapping[str, Any]) -> Page[ReturnData]:
    """Map a ``GET /v3/returns`` answer (``{"meta": {...}, "returnOrders": [...]}``)."""
    body = _obj(raw, "response")
    meta = _opt_obj(body, "meta", "")
    returns = tuple(
        map_return(_obj(r, f"returnOrders[{i}]"))
        for i, r in enumerate(_list(body.get("returnOrders"), "returnOrders"))
    )
    return Page(items=returns, next_cursor=_cursor(meta), total_count=_total(meta))
