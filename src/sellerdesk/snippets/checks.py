"""What saving a snippet checks: its syntax (unknown variables, stray braces) and the
marketplace's communication rules, on the snippet rendered for a representative order.

"A snippet that would always violate cannot be saved": the sample order is the one most
favourable to the text (shipped with the sample carrier, its tracking link legitimate, a
refund made, delivered for post-delivery snippets), so only words that break a rule on every
order block the save. Findings that depend on the order itself (the "misleading" rule: a
date, a refund, a shipment the order may or may not back) are shown as warnings here and
judged again, against the real order, when the reply is sent. Each seller account of the
snippet's marketplace has its own allow-list and switches; a save is refused only when the
text is blocked for every one of them (or, with no account yet, by the bare rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.compliance.rules import Context, Finding, OrderFacts, Severity, Verdict, check
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.snippets.catalog import POST_DELIVERY, marketplaces_of
from sellerdesk.snippets.render import OrderState, SnippetContext, render, template_problems

SAMPLE_ZONE = "America/Chicago"
SAMPLE_CARRIER = "UPS"
SAMPLE_TRACKING = "1Z999AA10123456784"
SAMPLE_ORDER_NUMBERS = {"walmart": "108829476512345", "amazon": "112-4589321-6604267"}
# Findings of these rules depend on the order, not on the words alone.
ORDER_DEPENDENT = frozenset({"misleading"})
MARKETPLACE_NAMES = {"walmart": "Walmart", "amazon": "Amazon"}


@dataclass
class SaveCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def sample_context(marketplace: str, tier: str, today: date) -> SnippetContext:
    """Every variable filled, as a typical order of that marketplace would fill it."""
    zone = ZoneInfo(SAMPLE_ZONE)
    noon = time(12, 0, tzinfo=zone)
    return SnippetContext(
        buyer_name="Jordan Lee",
        order_number=SAMPLE_ORDER_NUMBERS.get(marketplace, SAMPLE_ORDER_NUMBERS["walmart"]),
        product_name="Ceramic Table Lamp",
        sku="LAMP-CER-01",
        carrier=SAMPLE_CARRIER,
        tracking_number=SAMPLE_TRACKING,
        tracking_url=f"https://www.ups.com/track?tracknum={SAMPLE_TRACKING}",
        est_delivery=datetime.combine(today + timedelta(days=2), noon),
        ship_date=datetime.combine(today - timedelta(days=1), noon),
        refund_amount=Decimal("24.99"),
        agent_name="Sam",
        store_name="Acme Home Goods",
        time_zone=SAMPLE_ZONE,
        today=today,
        order=OrderState(shipped=True, delivered=tier == POST_DELIVERY, refunded=True),
    )


def sample_facts(tier: str, today: date) -> OrderFacts:
    return OrderFacts(
        carriers=(SAMPLE_CARRIER,),
        tracking_numbers=(SAMPLE_TRACKING,),
        shipped=True,
        delivered=tier == POST_DELIVERY,
        estimated_delivery=today + timedelta(days=2),
        refunded=True,
    )


def _contexts(marketplace: str, facts: OrderFacts, today: date) -> list[Context]:
    accounts = SellerAccount.objects.filter(marketplace=marketplace, active=True)
    contexts = [
        Context(
            marketplace=marketplace,
            order=facts,
            allow_domains=account.lines_of("compliance_allow_domains"),
            allow_phrases=account.lines_of("compliance_allow_phrases"),
            today=today,
            disabled_rules=frozenset(account.compliance_disabled_rules or ()),
        )
        for account in accounts
    ]
    return contexts or [Context(marketplace=marketplace, order=facts, today=today)]


def _blocking(verdict: Verdict) -> list[Finding]:
    return [
        f
        for f in verdict.findings
        if f.severity is Severity.BLOCK and f.rule not in ORDER_DEPENDENT
    ]


def _say(finding: Finding) -> str:
    excerpt = f" “{finding.excerpt}”" if finding.excerpt else ""
    return f"{finding.rule}{excerpt}: {finding.explanation}"


def check_snippet(
    body: str, tier: str, marketplace: str, *, clock: Clock = system_clock
) -> SaveCheck:
    result = SaveCheck(errors=template_problems(body))
    if result.errors or not body.strip():
        return result
    today = clock.now().astimezone(ZoneInfo(SAMPLE_ZONE)).date()
    facts = sample_facts(tier, today)
    for place in marketplaces_of(marketplace):
        name = MARKETPLACE_NAMES.get(place, place)
        text = render(body, sample_context(place, tier, today)).text
        verdicts = [check(text, context) for context in _contexts(place, facts, today)]
        # The account where the text fares best decides: blocked there means blocked always.
        best = min(verdicts, key=lambda v: len(_blocking(v)))
        blocking = _blocking(best)
        result.errors += [f"{name}: {_say(f)}" for f in blocking]
        result.warnings += [f"{name}: {_say(f)}" for f in best.findings if f not in blocking]
    return result
