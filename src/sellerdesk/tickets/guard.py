"""The compliance guard on the way out: every reply is checked against the marketplace's
communication rules (the pure checker in `compliance.rules`) before it can be queued.

The context is what makes a check fair: the order's own carrier and tracking number make
its tracking link legitimate, and the account's allow-list (its registered support line,
its own help pages) is never flagged.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sellerdesk.compliance.rules import Context, Finding, OrderFacts, Severity, Verdict, check
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.orders.models import Order
from sellerdesk.snippets.render import VARIABLE_LABELS, unfilled_variables
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
        order_numbers=tuple(n for n in (order.purchase_order_id, order.customer_order_id) if n),
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


# A snippet variable left in a reply ("Hi {buyer_first_name}") had no value for this
# ticket. It is never a judgement call, so no override lets it through (see do_reply).
UNFILLED_VARIABLE = "snippet_variable"
NOT_OVERRIDABLE = frozenset({UNFILLED_VARIABLE})


def unfilled_findings(text: str) -> list[Finding]:
    return [
        Finding(
            UNFILLED_VARIABLE,
            Severity.BLOCK,
            start,
            end,
            text[start:end],
            f"Missing {VARIABLE_LABELS[name]}: the snippet variable {{{name}}} has no value "
            "for this ticket.",
            f"Write the {VARIABLE_LABELS[name]} in its place, or take the sentence out.",
        )
        for start, end, name in unfilled_variables(text)
    ]


def check_reply(ticket: Ticket, text: str, *, clock: Clock = system_clock) -> Verdict:
    verdict = check(text, context_for(ticket, clock=clock))
    findings = [*unfilled_findings(text), *verdict.findings]
    if any(f.severity is Severity.BLOCK for f in findings):
        outcome = "block"
    else:
        outcome = "warn" if findings else "ok"
    return Verdict(outcome, tuple(findings))
