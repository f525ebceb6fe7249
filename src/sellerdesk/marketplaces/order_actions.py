"""Order actions from a ticket, through the marketplace: acknowledge, add or correct
tracking, cancel a line, refund a line in full or in part.

Each action is planned first (`plan`): local checks refuse what cannot work (a refund above
what the line still holds, a cancel of a shipped line, anything on a WFS order) with a clear
message before Walmart is asked, and the plan's summary is what the agent confirms. Then
`execute` checks again against the order as stored now, asks Walmart, and only when Walmart
accepted it re-reads the order the way the sync does (raw and fingerprinted, upserted by
`store.upsert_orders`) and writes the ticket's history. A refusal or failure from Walmart
changes nothing here and comes back as an `OrderActionRefused` in plain words.

Who may act (`may_act`): admins and agents of the account do everything; warehouse staff may
acknowledge and add or correct tracking, the fulfilment steps they do anyway, but not cancel
or refund, which are decisions about the buyer's money.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.marketplaces.base import ConnectorError, RawOrder
from sellerdesk.marketplaces.store import upsert_orders
from sellerdesk.marketplaces.walmart.client import WalmartClient
from sellerdesk.marketplaces.walmart.codes import (
    CANCEL_REASON_CODES,
    CARRIER_CODES,
    CUSTOMER_REQUESTED,
    REFUND_REASON_CODES,
)
from sellerdesk.marketplaces.walmart.connector import WalmartConnector
from sellerdesk.marketplaces.walmart.errors import WalmartAPIError
from sellerdesk.marketplaces.walmart.wire import RefundLine, ShipmentLine
from sellerdesk.orders.models import Order, OrderLine
from sellerdesk.orders.tracking import safe_web_url
from sellerdesk.runtime import leases
from sellerdesk.team.models import Role
from sellerdesk.tickets.actions import ActionError, record_order_action
from sellerdesk.tickets.models import Ticket

log = logging.getLogger(__name__)

ACKNOWLEDGE, TRACKING, CANCEL, REFUND = "acknowledge", "tracking", "cancel", "refund"
ACTIONS = (ACKNOWLEDGE, TRACKING, CANCEL, REFUND)
ALLOWED_ROLES: dict[str, frozenset[Role]] = {
    ACKNOWLEDGE: frozenset({Role.ADMIN, Role.AGENT, Role.WAREHOUSE}),
    TRACKING: frozenset({Role.ADMIN, Role.AGENT, Role.WAREHOUSE}),
    CANCEL: frozenset({Role.ADMIN, Role.AGENT}),
    REFUND: frozenset({Role.ADMIN, Role.AGENT}),
}
EVENT_KINDS = {
    ACKNOWLEDGE: "order_acknowledged",
    TRACKING: "order_tracking_set",
    CANCEL: "order_line_cancelled",
    REFUND: "order_line_refunded",
}
NOT_SHIPPED = ("Created", "Acknowledged")
SHIPPED = ("Shipped", "Delivered")
# An agent waits on the page: a couple of quick retries, never Walmart's long back-offs.
CLIENT_OPTIONS = {"timeout": 20.0, "max_retries": 2, "max_wait": 5.0}
LEASE_TTL = timedelta(minutes=2)
MAX_COMMENT = 200


class OrderActionRefused(ActionError):
    """The action was not done (refused here or by Walmart, or Walmart failed); the message
    says why in plain words. Nothing was changed locally."""


@dataclass(frozen=True)
class ActionRequest:
    """What the agent asked for. `amount` None on a refund means in full; `carrier` is one of
    Walmart's carriers, or empty with `other_carrier` and a `tracking_url`."""

    action: str
    line_number: str = ""
    reason: str = ""
    amount: Decimal | None = None
    comment: str = ""
    carrier: str = ""
    other_carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    override_cancel_request: bool = False


@dataclass(frozen=True)
class Plan:
    """What will happen, in words the agent confirms, and the history row's details."""

    request: ActionRequest
    summary: str
    notes: tuple[str, ...] = ()
    details: dict[str, str | int | bool | None] = field(default_factory=dict)


def may_act(role: Role | None, action: str) -> bool:
    return role is not None and role in ALLOWED_ROLES.get(action, frozenset())


def money(amount: Decimal, currency: str) -> str:
    value = amount.quantize(Decimal("0.01"))
    return f"${value}" if currency == "USD" else f"{value} {currency}"


def parse_amount(text: str) -> Decimal:
    """A positive amount with at most two decimals, or OrderActionRefused."""
    try:
        amount = Decimal(text.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise OrderActionRefused(f"{text!r} is not an amount.") from None
    if not amount.is_finite() or amount <= 0:
        raise OrderActionRefused("The amount must be more than zero.")
    if amount != amount.quantize(Decimal("0.01")):
        raise OrderActionRefused("The amount has at most two decimals (cents).")
    return amount


def refundable_amount(line: OrderLine) -> Decimal:
    """What may still be refunded on a line: its item price times quantity, less what was
    refunded already (never below zero)."""
    return max(Decimal("0"), line.unit_price * line.quantity - line.refunded_amount)


def _line(lines: list[OrderLine], number: str) -> OrderLine:
    for line in lines:
        if line.line_number == number:
            return line
    raise OrderActionRefused(f"The order has no line {number}.")


def _describe(line: OrderLine) -> str:
    name = line.product_name or line.sku
    return f"line {line.line_number} ({line.quantity} x {name})"


def plan(account: SellerAccount, order: Order, lines: list[OrderLine], req: ActionRequest) -> Plan:
    """Check `req` against the order as stored and say what it will do; refuse with
    OrderActionRefused what cannot work."""
    if account.marketplace != SellerAccount.Marketplace.WALMART:
        raise OrderActionRefused(
            f"Order actions on {account.get_marketplace_display()} are not available yet."
        )
    if order.is_wfs:
        raise OrderActionRefused(
            "This order is fulfilled and supported by Walmart (WFS): Walmart ships it and "
            "handles its cancellations and refunds, so it cannot be changed from here."
        )
    if req.action == ACKNOWLEDGE:
        waiting = [line for line in lines if line.status == "Created"]
        if not waiting:
            raise OrderActionRefused("No line of this order is waiting to be acknowledged.")
        return Plan(
            req,
            f"Acknowledge order {order.purchase_order_id} on Walmart: "
            f"{len(waiting)} of {len(lines)} lines move from Created to Acknowledged.",
            ("Walmart acknowledges the whole order; the buyer is told it is being prepared.",),
            {"order": order.purchase_order_id, "lines": len(waiting)},
        )
    line = _line(lines, req.line_number)
    if req.action == TRACKING:
        return _plan_tracking(order, line, req)
    if req.action == CANCEL:
        return _plan_cancel(order, line, req)
    if req.action == REFUND:
        return _plan_refund(order, line, req)
    raise OrderActionRefused(f"Unknown order action {req.action!r}.")


def _plan_tracking(order: Order, line: OrderLine, req: ActionRequest) -> Plan:
    number = req.tracking_number.strip()
    if not number or len(number) > 100:
        raise OrderActionRefused("Give the tracking number (at most 100 characters).")
    if line.status == "Cancelled":
        raise OrderActionRefused(f"Line {line.line_number} is cancelled: it cannot ship.")
    if req.carrier:
        if req.carrier not in CARRIER_CODES:
            raise OrderActionRefused(f"{req.carrier!r} is not one of Walmart's carriers.")
        carrier = req.carrier
    else:
        carrier = req.other_carrier.strip()
        if not carrier or len(carrier) > 100:
            raise OrderActionRefused("Pick a carrier, or name another one.")
        if not (req.tracking_url and safe_web_url(req.tracking_url)):
            raise OrderActionRefused(
                "Walmart needs a tracking URL (http or https) for a carrier not on its list."
            )
    url = req.tracking_url.strip()
    if url and not safe_web_url(url):
        raise OrderActionRefused("The tracking URL must start with https:// or http://.")
    correction = line.status in SHIPPED
    notes: list[str] = []
    if correction:
        summary = (
            f"Correct the tracking of {_describe(line)} on Walmart: {line.carrier or '?'} "
            f"{line.tracking_number or '(none)'} becomes {carrier} {number}."
        )
    else:
        summary = (
            f"Mark {_describe(line)} shipped on Walmart with {carrier} tracking {number}; "
            "Walmart tells the buyer."
        )
        if line.intent_to_cancel:
            if not req.override_cancel_request:
                raise OrderActionRefused(
                    f"The buyer asked to cancel line {line.line_number}. Cancel it instead, or "
                    "confirm that it ships anyway (that overrides the buyer's request)."
                )
            notes.append("The buyer asked to cancel this line: shipping it overrides that.")
    return Plan(
        req,
        summary,
        tuple(notes),
        {
            "order": order.purchase_order_id,
            "line": line.line_number,
            "carrier": carrier,
            "tracking_number": number,
            "tracking_url": url,
            "correction": correction,
        },
    )


def _plan_cancel(order: Order, line: OrderLine, req: ActionRequest) -> Plan:
    if line.status not in NOT_SHIPPED:
        raise OrderActionRefused(
            f"Line {line.line_number} is {line.status}: only a line not shipped yet can be "
            "cancelled." + (" Refund it instead." if line.status in SHIPPED else "")
        )
    if req.reason not in CANCEL_REASON_CODES:
        raise OrderActionRefused("Pick one of Walmart's cancellation reasons.")
    if req.reason == CUSTOMER_REQUESTED and not line.intent_to_cancel:
        raise OrderActionRefused(
            "Walmart accepts 'the buyer asked to cancel' only on lines where the buyer "
            "asked through Walmart; pick the reason that applies."
        )
    return Plan(
        req,
        f"Cancel {_describe(line)} on Walmart ({req.reason}). Walmart refunds the buyer for "
        "it and tells them.",
        ("A cancellation cannot be undone.",),
        {"order": order.purchase_order_id, "line": line.line_number, "reason": req.reason},
    )


def _plan_refund(order: Order, line: OrderLine, req: ActionRequest) -> Plan:
    if line.status not in SHIPPED:
        raise OrderActionRefused(
            f"Line {line.line_number} is {line.status}: Walmart refunds only lines that "
            "shipped." + (" Cancel it instead." if line.status in NOT_SHIPPED else "")
        )
    if req.reason not in REFUND_REASON_CODES:
        raise OrderActionRefused("Pick one of Walmart's refund reasons.")
    if len(req.comment) > MAX_COMMENT:
        raise OrderActionRefused(f"The comment has at most {MAX_COMMENT} characters.")
    left = refundable_amount(line)
    charged = line.unit_price * line.quantity
    if left <= 0:
        raise OrderActionRefused(
            f"Line {line.line_number} was refunded in full already "
            f"({money(line.refunded_amount, order.currency)})."
        )
    full = req.amount is None or req.amount == left
    amount = left if req.amount is None else req.amount
    if amount > left:
        raise OrderActionRefused(
            f"At most {money(left, order.currency)} can be refunded on line "
            f"{line.line_number}: {money(charged, order.currency)} charged, "
            f"{money(line.refunded_amount, order.currency)} refunded already."
        )
    notes = []
    if full:
        notes.append(
            "A full refund: Walmart also refunds the line's tax and any shipping charged for it."
        )
    else:
        notes.append(
            f"A partial refund of the item price; {money(left - amount, order.currency)} "
            "would remain refundable. Tax is not included."
        )
    return Plan(
        replace(req, amount=None if full else amount),
        f"Refund {money(amount, order.currency)} on {_describe(line)} to the buyer through "
        f"Walmart, reason {req.reason}.",
        tuple(notes),
        {
            "order": order.purchase_order_id,
            "line": line.line_number,
            "amount": str(amount),
            "currency": order.currency,
            "full": full,
            "reason": req.reason,
        },
    )


def explain(error: ConnectorError, action: str) -> str:
    """A marketplace failure in words an agent can act on; always says nothing changed."""
    what = {ACKNOWLEDGE: "acknowledgement", TRACKING: "tracking update"}.get(action, action)
    unchanged = "Nothing was changed."
    if isinstance(error, WalmartAPIError):
        if error.is_auth_error:
            return (
                "Walmart did not accept this account's API credentials; an admin can check "
                f"them in the account's settings. {unchanged}"
            )
        if error.status == 429:
            return f"Walmart is limiting requests right now; try again in a minute. {unchanged}"
        if error.status >= 500:
            return (
                f"Walmart had a problem (HTTP {error.status}) and did not do the {what}. "
                f"{unchanged} Try again in a few minutes."
            )
        if error.is_not_found:
            return f"Walmart does not know this order. {unchanged}"
        return f"Walmart refused the {what}: {error.description} {unchanged}"
    if error.code == "TRANSPORT_ERROR" and action == REFUND:
        return (
            "Walmart's answer never arrived, so the refund may or may not have gone through. "
            "Nothing was changed here; check the order after the next sync before trying again."
        )
    return f"The {what} could not be done: {error.description} {unchanged}"


def _call(
    client: WalmartClient, order: Order, req: ActionRequest, line: OrderLine | None, now: datetime
) -> None:
    po = order.purchase_order_id
    if req.action == ACKNOWLEDGE:
        client.acknowledge(po)
    elif req.action == TRACKING and line is not None:
        correction = line.status in SHIPPED
        client.ship(
            po,
            [
                ShipmentLine(
                    line_number=line.line_number,
                    tracking_number=req.tracking_number.strip(),
                    ship_time=line.ship_date if correction and line.ship_date else now,
                    carrier=req.carrier or None,
                    other_carrier=None if req.carrier else req.other_carrier.strip(),
                    tracking_url=req.tracking_url.strip() or None,
                    method_code=order.ship_method or "Standard",
                    quantity=line.quantity,
                    intent_to_cancel_override=bool(line.intent_to_cancel and not correction),
                )
            ],
            process_mode="PARTIAL_UPDATE" if correction else None,
        )
    elif req.action == CANCEL and line is not None:
        client.cancel(po, [line.line_number], req.reason, quantity=line.quantity)
    elif req.action == REFUND and line is not None:
        full = req.amount is None
        amount = refundable_amount(line) if full else req.amount
        assert amount is not None
        client.refund(
            po,
            [
                RefundLine(
                    line_number=line.line_number,
                    amount=amount,
                    reason=req.reason,
                    comments=req.comment,
                    currency=order.currency,
                )
            ],
            full=full,
        )


def execute(
    ticket: Ticket,
    req: ActionRequest,
    *,
    actor: AbstractBaseUser,
    seen_version: str | None = None,
    connector: WalmartConnector | None = None,
    clock: Clock = system_clock,
) -> Plan:
    """Do `req` on the ticket's order through Walmart and record it. `seen_version` is the
    order's content hash the agent reviewed: if the order changed since, nothing is done
    (a double click, a sync or a teammate got there first). Returns the plan carried out."""
    if ticket.order_id is None:
        raise OrderActionRefused("The ticket has no linked order.")
    name = f"order-action:{ticket.order_id}"
    with leases.held(name, LEASE_TTL, clock=clock) as mine:
        if not mine:
            raise OrderActionRefused(
                "Another action on this order is in progress; wait a moment and review again."
            )
        order = Order.objects.select_related("account").get(pk=ticket.order_id)
        if seen_version is not None and order.content_hash != seen_version:
            raise OrderActionRefused(
                "The order changed since you reviewed this action (a sync or a teammate's "
                "action). Review it again."
            )
        lines = list(OrderLine.objects.filter(order=order))
        done = plan(order.account, order, lines, req)
        line = _line(lines, req.line_number) if req.action != ACKNOWLEDGE else None
        try:
            connector = connector or WalmartConnector.for_account(order.account, **CLIENT_OPTIONS)
        except ConnectorError as error:
            raise OrderActionRefused(explain(error, req.action)) from error
        try:
            try:
                _call(connector.client, order, done.request, line, clock.now())
            except ConnectorError as error:
                log.info("order action %s on %s refused: %s", req.action, order, error)
                raise OrderActionRefused(explain(error, req.action)) from error
            _refresh_and_record(ticket, order, connector, done, actor, clock)
        finally:
            connector.close()
    return done


def _refresh_and_record(
    ticket: Ticket,
    order: Order,
    connector: WalmartConnector,
    done: Plan,
    actor: AbstractBaseUser,
    clock: Clock,
) -> None:
    """Walmart accepted: read the order back as the sync would, and write the history, in
    one transaction. If the re-read fails the action still happened; the history says so
    and the next sync brings the order up to date."""
    try:
        fresh: RawOrder | None = connector.get_order(order.purchase_order_id)
    except ConnectorError as error:
        log.warning("re-reading %s after %s failed: %s", order, done.request.action, error)
        fresh = None
    with transaction.atomic():
        if fresh is not None:
            upsert_orders(order.account, [fresh], now=clock.now())
        record_order_action(
            ticket,
            EVENT_KINDS[done.request.action],
            {**done.details, "refreshed": fresh is not None},
            actor=actor,
            clock=clock,
        )
