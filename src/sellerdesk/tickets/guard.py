"""The compliance guard on the way out: every reply is checked against the marketplace's
communication rules (the pure checker in `compliance.rules`) before it can be queued.

The context is what makes a check fair: the order's own carrier and tracking number make
its tracking link legitimate, and the account's allow-list (its registered support line,
its own help pages) is never flagged.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sellerdesk.compliance.rules import Context, OrderFacts, Verdict, check
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.orders.models import Order
from sellerdesk.tickets.models import Ticket

SHIPPED_STATES = frozenset({"Shipped", "Delivered"})


def order_facts(order: Order) -> OrderFacts:
    lines = list(order.lines.all())
    estimated = order.estimated_delivery_date
    zone = ZoneInfo(order.account.time_zone)
    return OrderFacts(
        carriers=tuple(sorted({line.carrier for line in lines if line.carrier})),
        tracking_numbers=tuple(
            sorted({line.tracking_number for line in lines if line.tracking_number})
        ),
        shipped=any(line.status in SHIPPED_STATES for line in lines),
        delivered=bool(lines) and all(line.status == "Delivered" for line in lines),
        estimated_delivery=estimated.astimezone(zone).date() if estimated else None,
        refunded=order.refunded_total > 0 or any(line.refunded_amount > 0 for line in lines),
    )


def context_for(ticket: Ticket, *, clock: Clock = system_clock) -> Context:
    account = ticket.account
    return Context(
        marketplace=account.marketplace,
        # Every reply from the ticket page answers a thread the buyer (or marketplace) began.
        proactive=False,
        order=order_facts(ticket.order) if ticket.order_id and ticket.order else None,
        allow_domains=account.lines_of("compliance_allow_domains"),
        allow_phrases=account.lines_of("compliance_allow_phrases"),
        subject=ticket.subject,
        today=clock.now().astimezone(ZoneInfo(account.time_zone)).date(),
        disabled_rules=frozenset(account.compliance_disabled_rules or ()),
    )


def check_reply(ticket: Ticket, text: str, *, clock: Clock = system_clock) -> Verdict:
    return check(text, context_for(ticket, clock=clock))
