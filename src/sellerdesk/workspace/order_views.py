"""Order actions from the ticket's order panel: acknowledge, add or correct tracking, cancel
a line, refund a line. Each is two steps on one URL, and works without JavaScript:

1. GET (or POST with "edit"): the form, prefilled from the panel's link;
2. POST: the review — what will happen, in words, with a "Confirm" button;
3. POST with "confirm": done through Walmart, then back to the ticket.

A refusal (here or by Walmart) comes back on the form with the reason and changes nothing.
The review carries the order's content hash, so a second click on "Confirm" (or a sync that
changed the order meanwhile) is refused instead of refunding twice.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sellerdesk.marketplaces import order_actions as oa
from sellerdesk.marketplaces.walmart.codes import (
    CANCEL_REASONS,
    CARRIERS,
    CUSTOMER_REQUESTED,
    REFUND_REASONS,
)
from sellerdesk.orders.models import OrderLine
from sellerdesk.orders.queries import line_sort_key
from sellerdesk.team.access import acting, role_of
from sellerdesk.tickets.access import get_ticket_for_user
from sellerdesk.tickets.models import Ticket
from sellerdesk.workspace.views import TICKET_PAGE_CSP

TITLES = {
    oa.ACKNOWLEDGE: "Acknowledge the order",
    oa.TRACKING: "Add or correct tracking",
    oa.CANCEL: "Cancel a line",
    oa.REFUND: "Refund a line",
}
# The refund reason that fits what the buyer wrote about, offered first.
REFUND_REASON_FOR_INTENT = {
    "damaged_item": "DamagedItem",
    "wrong_item": "IncorrectItemReceived",
    "not_as_described": "ItemNotAsAdvertised",
    "missing_parts": "Missing Parts / Instructions",
    "where_is_my_order": "ItemNotReceivedByCustomer",
    "return_request": "Customer returned item",
    "refund_status": "Customer returned item",
    "cancel_request": "Buyer canceled",
}
FIELDS = (
    "line",
    "reason",
    "mode",
    "amount",
    "comment",
    "carrier",
    "other_carrier",
    "tracking_number",
    "tracking_url",
    "override_cancel_request",
)


def _values(ticket: Ticket, action: str, data: QueryDict, lines: list[OrderLine]) -> dict[str, str]:
    values = {name: data.get(name, "").strip() for name in FIELDS}
    line = next((ln for ln in lines if ln.line_number == values["line"]), None)
    if data.get("mode") is None:
        values["mode"] = "full"
    if action == oa.REFUND and not values["reason"]:
        values["reason"] = REFUND_REASON_FOR_INTENT.get(ticket.intent, "")
    if action == oa.CANCEL and not values["reason"] and line and line.intent_to_cancel:
        values["reason"] = CUSTOMER_REQUESTED
    if action == oa.TRACKING and line and not values["tracking_number"] and "line" in data:
        # Correcting: start from what Walmart has.
        if line.carrier in CARRIERS:
            values["carrier"] = line.carrier
        elif line.carrier:
            values["other_carrier"] = line.carrier
        values["tracking_number"] = line.tracking_number
        values["tracking_url"] = line.tracking_url
    return values


def _request(action: str, values: dict[str, str]) -> oa.ActionRequest:
    amount = None
    if action == oa.REFUND and values["mode"] == "partial":
        amount = oa.parse_amount(values["amount"])
    carrier = "" if values["carrier"] == "other" else values["carrier"]
    return oa.ActionRequest(
        action=action,
        line_number=values["line"],
        reason=values["reason"],
        amount=amount,
        comment=values["comment"],
        carrier=carrier,
        other_carrier=values["other_carrier"] if not carrier else "",
        tracking_number=values["tracking_number"],
        tracking_url=values["tracking_url"],
        override_cancel_request=values["override_cancel_request"] in ("1", "on", "true"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    if action not in oa.ACTIONS:
        raise Http404("No such order action.")
    if not oa.may_act(role_of(request.user), action):
        raise PermissionDenied("Your role may not do this order action.")
    order = ticket.order
    if order is None:
        flash.error(request, "The ticket has no linked order.")
        return redirect("ticket_detail", ticket_id=ticket.pk)
    lines = sorted(
        OrderLine.objects.filter(order=order), key=lambda ln: line_sort_key(ln.line_number)
    )
    data = request.POST if request.method == "POST" else request.GET
    values = _values(ticket, action, data, lines)
    stage, plan, refusal, status = "form", None, "", 200
    if request.method == "POST" and "edit" not in request.POST:
        try:
            req = _request(action, values)
            if "confirm" in request.POST:
                done = oa.execute(
                    ticket, req, actor=acting(request), seen_version=request.POST.get("seen")
                )
                flash.success(request, f"Done: {done.summary}")
                return redirect(reverse("ticket_detail", args=[ticket.pk]) + "#order-panel")
            plan = oa.plan(ticket.account, order, lines, req)
            stage = "review"
        except oa.OrderActionRefused as refused:
            refusal, status = str(refused), 422
            # What Walmart or a teammate changed shows on the form at once.
            order.refresh_from_db()
            lines = sorted(
                OrderLine.objects.filter(order=order), key=lambda ln: line_sort_key(ln.line_number)
            )
    line = next((ln for ln in lines if ln.line_number == values["line"]), None)
    response = render(
        request,
        "workspace/order_action.html",
        {
            "ticket": ticket,
            "order": order,
            "lines": lines,
            "line": line,
            "action": action,
            "title": TITLES[action],
            "values": values,
            "stage": stage,
            "plan": plan,
            "refusal": refusal,
            "seen": order.content_hash,
            "carriers": CARRIERS,
            "cancel_reasons": [
                (code, label)
                for code, label in CANCEL_REASONS
                if code != CUSTOMER_REQUESTED or (line is not None and line.intent_to_cancel)
            ],
            "refund_reasons": REFUND_REASONS,
            "refundable": oa.refundable_amount(line) if line is not None else None,
            "role": role_of(request.user),
        },
        status=status,
    )
    response["Content-Security-Policy"] = TICKET_PAGE_CSP
    return response
