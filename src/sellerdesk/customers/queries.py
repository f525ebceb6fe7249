"""A buyer's orders, spend, returns and refunds across the seller's accounts, for the buyer
panel. Every query takes the ids of the accounts the user may see, so nothing of an account
they may not see is counted or shown (see `workspace.panels`). A constant number of queries
whatever the buyer's history; lists are capped.

Cases and messages are tickets, a layer above this package: `workspace.panels` reads those.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import Coalesce

from sellerdesk.customers.tiers import Thresholds
from sellerdesk.orders.models import Order, OrderLine, ReturnLine
from sellerdesk.team.models import TeamSettings

CENT = Decimal("0.01")


@dataclass(frozen=True)
class BuyerFigures:
    """Orders with at least one line not cancelled, and what they came to net of refunds
    (item prices only: tax and shipping are not the buyer's value to the seller), per
    currency since accounts may sell in different ones."""

    orders: int
    spend: dict[str, Decimal] = field(default_factory=dict)

    @property
    def largest_spend(self) -> Decimal:
        return max(self.spend.values(), default=Decimal("0"))


def thresholds() -> Thresholds:
    row = TeamSettings.load()
    return Thresholds(
        returning_orders=row.returning_buyer_orders,
        loyal_orders=row.loyal_buyer_orders,
        loyal_spend=row.loyal_buyer_spend,
        problem_returns_30d=row.problem_buyer_returns_30d,
        problem_cases_30d=row.problem_buyer_cases_30d,
    )


def buyer_figures(customer_id: int, account_ids: Collection[int]) -> BuyerFigures:
    """One query: orders and net spend of the buyer on the given accounts."""
    rows = (
        OrderLine.objects.filter(order__customer_id=customer_id, order__account_id__in=account_ids)
        .exclude(status="Cancelled")
        .values("order__currency")
        .annotate(
            orders=Count("order", distinct=True),
            gross=Sum(
                ExpressionWrapper(
                    F("unit_price") * F("quantity"),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                )
            ),
            refunded=Sum("refunded_amount"),
        )
        .order_by("order__currency")
    )
    orders = 0
    spend: dict[str, Decimal] = {}
    for row in rows:
        orders += row["orders"]
        # SQLite sums decimals in floating point: round back to cents.
        net = Decimal(row["gross"] or 0) - Decimal(row["refunded"] or 0)
        spend[row["order__currency"]] = max(Decimal("0"), net).quantize(CENT)
    return BuyerFigures(orders=orders, spend=spend)


def returned_or_refunded_items(
    customer_id: int, account_ids: Collection[int], since: datetime
) -> int:
    """Order lines the buyer returned or was refunded for since `since` (two queries).

    A line both returned and refunded counts once: the refund usually follows the return,
    and a buyer should not look twice the problem for one parcel. Walmart's order JSON has
    no refund date; a refunded line counts by its status date (Walmart stamps the line when
    the refund is recorded), else by the order's last change.
    """
    items: set[tuple[object, ...]] = set()
    for account_id, po, po_line, return_id, number in ReturnLine.objects.filter(
        return_order__customer_id=customer_id,
        return_order__account_id__in=account_ids,
        return_order__return_date__gte=since,
    ).values_list(
        "return_order__account_id",
        "purchase_order_id",
        "order_line_number",
        "return_order__return_order_id",
        "line_number",
    ):
        if po and po_line is not None:
            items.add((account_id, po, str(po_line)))
        else:
            items.add((account_id, "return", return_id, number))
    refunded = (
        OrderLine.objects.filter(
            order__customer_id=customer_id,
            order__account_id__in=account_ids,
            refunded_amount__gt=0,
        )
        .annotate(refunded_at=Coalesce("status_date", "order__last_modified"))
        .filter(refunded_at__gte=since)
        .values_list("order__account_id", "order__purchase_order_id", "line_number")
    )
    items.update((account_id, po, number) for account_id, po, number in refunded)
    return len(items)


def recent_orders_of(customer_id: int, account_ids: Collection[int], limit: int) -> list[Order]:
    """The buyer's latest orders on the given accounts, newest first (one query)."""
    return list(
        Order.objects.filter(customer_id=customer_id, account_id__in=account_ids)
        .select_related("account")
        .order_by("-order_date", "-pk")[:limit]
    )


def recent_return_lines_of(
    customer_id: int, account_ids: Collection[int], limit: int
) -> list[ReturnLine]:
    """The buyer's latest returned lines, newest return first (one query)."""
    return list(
        ReturnLine.objects.filter(
            return_order__customer_id=customer_id, return_order__account_id__in=account_ids
        )
        .select_related("return_order", "return_order__account")
        .order_by(F("return_order__return_date").desc(nulls_last=True), "-pk")[:limit]
    )
