"""The order and buyer panels beside the conversation: what the ticket page adds to its
context for `_order_panel.html` and `_buyer_panel.html`.

A constant number of queries whatever the number of order lines, returns and buyer orders
(the ticket page's tests pin it).

The buyer panel shows only what comes from the accounts the user may see: orders, spend,
tier, returns, refunds, cases and the timeline are all computed over those accounts. An
agent of one account therefore sees the buyer as that account knows them (a loyal buyer on
another account may look new to them); an admin sees every account. Counting the hidden
accounts in the tier alone would still tell the agent that the buyer bought elsewhere, and
how much: the panel does not leak that.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from sellerdesk.customers import queries as buyers
from sellerdesk.customers.tiers import ProblemFlag, Thresholds, Tier, buyer_tier, problem_flag
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.mail.classify import Kind
from sellerdesk.marketplaces.order_actions import (
    ACKNOWLEDGE,
    CANCEL,
    NOT_SHIPPED,
    REFUND,
    SHIPPED,
    TRACKING,
    may_act,
    refundable_amount,
)
from sellerdesk.orders.models import Order, OrderLine, ReturnLine
from sellerdesk.orders.queries import order_details
from sellerdesk.orders.tracking import LineFacts, Progress, line_progress, tracking_link
from sellerdesk.team.access import role_of, visible_accounts
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Message, Ticket

# Marketplace cases and escalations, and complaints to the BBB or an Attorney General: what
# the problem-buyer flag counts as "cases".
CASE_KINDS = (
    Kind.WALMART_CASE.value,
    Kind.WALMART_ESCALATION.value,
    Kind.AMAZON_ATOZ.value,
    Kind.COMPLAINT_BBB_AG.value,
)
WINDOW = timedelta(days=30)
TIMELINE_EACH = 8
TIMELINE_LENGTH = 15
IMAGE_SCHEMES = ("https://",)


def account_zone(name: str) -> tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@dataclass(frozen=True)
class ReturnView:
    """A returned line with its return shipment's journey (times parsed for the page)."""

    line: ReturnLine
    events: list[tuple[str, datetime | None]]


@dataclass(frozen=True)
class LinePanel:
    line: OrderLine
    image_url: str | None
    progress: Progress
    tracking_link: str | None
    refundable: Decimal
    returns: list[ReturnView]
    may_track: bool
    may_cancel: bool
    may_refund: bool


@dataclass(frozen=True)
class OrderPanel:
    order: Order
    lines: list[LinePanel]
    # Returned lines that name no line of this order (Walmart sent no line number).
    other_returns: list[ReturnView]
    intent_to_cancel: bool
    may_acknowledge: bool
    # The buyer's other orders on this ticket's account, to switch the link with one click.
    switch_to: list[Order] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # order, return, message_in, message_out
    title: str
    detail: str
    account: str
    url: str = ""


@dataclass(frozen=True)
class BuyerPanel:
    name: str
    tier: Tier
    orders: int
    spend: dict[str, Decimal]
    returns_30d: int
    cases_30d: int
    cases_total: int
    problem: ProblemFlag
    thresholds: Thresholds
    timeline: list[TimelineEntry]
    accounts_seen: int
    is_admin: bool


def _when(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def return_view(line: ReturnLine) -> ReturnView:
    events = [
        (str(e.get("description") or e.get("tag") or ""), _when(e.get("time")))
        for e in line.tracking_events or ()
        if isinstance(e, dict)
    ]
    return ReturnView(line, events)


def _image(url: str) -> str | None:
    # The ticket page's CSP lets images load from https: only (see workspace.views).
    return url if url.startswith(IMAGE_SCHEMES) else None


def order_panel(
    ticket: Ticket, order: Order, role: Role | None, switch_to: list[Order], now: datetime
) -> OrderPanel:
    details = order_details(order)
    by_line: dict[str, list[ReturnView]] = {}
    loose = []
    for returned in details.return_lines:
        if returned.order_line_number is None:
            loose.append(return_view(returned))
        else:
            by_line.setdefault(str(returned.order_line_number), []).append(return_view(returned))
    actionable = not order.is_wfs and ticket.account.marketplace == "walmart"
    lines = []
    for line in details.lines:
        facts = LineFacts(
            status=line.status,
            status_date=line.status_date,
            order_date=order.order_date,
            ship_date=line.ship_date,
            estimated_delivery=order.estimated_delivery_date,
            status_quantities=[(str(s), int(n)) for s, n in line.status_quantities or ()],
        )
        refundable = refundable_amount(line)
        lines.append(
            LinePanel(
                line=line,
                image_url=_image(line.image_url),
                progress=line_progress(facts, now),
                tracking_link=tracking_link(line.carrier, line.tracking_number, line.tracking_url)
                if line.tracking_number
                else None,
                refundable=refundable,
                returns=by_line.get(line.line_number, []),
                may_track=actionable and may_act(role, TRACKING) and line.status != "Cancelled",
                may_cancel=actionable and may_act(role, CANCEL) and line.status in NOT_SHIPPED,
                may_refund=actionable
                and may_act(role, REFUND)
                and line.status in SHIPPED
                and refundable > 0,
            )
        )
    numbers = {line.line_number for line in details.lines}
    loose += [view for key, views in by_line.items() if key not in numbers for view in views]
    return OrderPanel(
        order=order,
        lines=lines,
        other_returns=loose,
        intent_to_cancel=any(p.line.intent_to_cancel for p in lines),
        may_acknowledge=actionable
        and may_act(role, ACKNOWLEDGE)
        and any(p.line.status == "Created" for p in lines),
        switch_to=switch_to,
    )


def _timeline(
    orders: list[Order], returns: list[ReturnLine], messages: list[Message]
) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            at=order.order_date,
            kind="order",
            title=f"Order {order.purchase_order_id}",
            detail=f"{order.order_total} {order.currency}" + (" · WFS" if order.is_wfs else ""),
            account=order.account.name,
        )
        for order in orders
    ]
    for returned in returns:
        head = returned.return_order
        at = head.return_date or returned.status_time
        if at is None:
            continue
        entries.append(
            TimelineEntry(
                at=at,
                kind="return",
                title=f"Return of {returned.product_name or returned.sku or 'an item'}",
                detail=" · ".join(
                    part
                    for part in (returned.reason, returned.status, returned.refund_status)
                    if part
                ),
                account=head.account.name,
            )
        )
    for message in messages:
        inbound = message.direction == Message.Direction.INBOUND
        entries.append(
            TimelineEntry(
                at=message.received_at,
                kind="message_in" if inbound else "message_out",
                title=("Buyer wrote" if inbound else "We replied") + f" on #{message.ticket_id}",
                detail=message.subject or message.ticket.subject,
                account=message.ticket.account.name,
                url=reverse("ticket_detail", args=[message.ticket_id]),
            )
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:TIMELINE_LENGTH]


def _buyer_tickets(customer_id: int, account_ids: list[int]) -> list[Ticket]:
    """The buyer's tickets on the given accounts: those tied to the buyer, and those tied to
    one of the buyer's orders. Two indexed lookups joined by UNION: the same condition as one
    OR across the join makes both databases scan every ticket of the accounts."""
    by_buyer = Ticket.objects.filter(customer_id=customer_id, account_id__in=account_ids)
    by_order = Ticket.objects.filter(order__customer_id=customer_id, account_id__in=account_ids)
    fields = ("pk", "kind", "created_at")
    return list(by_buyer.only(*fields).union(by_order.only(*fields)))


def buyer_panel(
    customer_id: int,
    name: str,
    account_ids: list[int],
    role: Role | None,
    orders: list[Order],
    now: datetime,
) -> BuyerPanel:
    since = now - WINDOW
    limits = buyers.thresholds()
    figures = buyers.buyer_figures(customer_id, account_ids)
    returns_30d = buyers.returned_or_refunded_items(customer_id, account_ids, since)
    tickets = _buyer_tickets(customer_id, account_ids)
    cases = [t for t in tickets if t.kind in CASE_KINDS]
    recent_cases = sum(1 for t in cases if t.created_at >= since)
    messages = list(
        Message.objects.filter(ticket_id__in=[t.pk for t in tickets])
        .select_related("ticket", "ticket__account")
        .order_by("-received_at", "-pk")[:TIMELINE_EACH]
    )
    returns = buyers.recent_return_lines_of(customer_id, account_ids, TIMELINE_EACH)
    return BuyerPanel(
        name=name,
        tier=buyer_tier(figures.orders, figures.largest_spend, limits),
        orders=figures.orders,
        spend=figures.spend,
        returns_30d=returns_30d,
        cases_30d=recent_cases,
        cases_total=len(cases),
        problem=problem_flag(returns_30d, recent_cases, limits),
        thresholds=limits,
        timeline=_timeline(orders[:TIMELINE_EACH], returns, messages),
        accounts_seen=len(account_ids),
        is_admin=role == Role.ADMIN,
    )


def panel_context(
    ticket: Ticket, user: AbstractBaseUser, *, clock: Clock = system_clock
) -> dict[str, object]:
    now = clock.now()
    role = role_of(user)
    order = ticket.order
    customer_id = ticket.customer_id or (order.customer_id if order else None)
    account_ids: list[int] = []
    recent: list[Order] = []
    if customer_id is not None:
        account_ids = list(visible_accounts(user).values_list("pk", flat=True))
        recent = buyers.recent_orders_of(customer_id, account_ids, TIMELINE_EACH * 2)
    switch_to = [o for o in recent if o.account_id == ticket.account_id and o.pk != ticket.order_id]
    context: dict[str, object] = {
        "panel_tz": account_zone(ticket.account.time_zone),
        "order_panel": order_panel(ticket, order, role, switch_to, now) if order else None,
        # Linking another order goes through the ticket's side form (`ticket_update`), which
        # admins and agents use; warehouse staff read the order but do not relink tickets.
        "order_switch_to": switch_to if role in (Role.ADMIN, Role.AGENT) else [],
        "buyer_panel": None,
    }
    if customer_id is not None:
        name = (ticket.customer.name if ticket.customer else "") or (
            order.shipping_name if order else ""
        )
        context["buyer_panel"] = buyer_panel(customer_id, name, account_ids, role, recent, now)
    return context
