"""Read queries for pages: a constant number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.orders.models import Order, OrderLine, ReturnLine, SyncState


@dataclass(frozen=True)
class AccountSummary:
    account: SellerAccount
    order_count: int
    return_count: int
    sync_states: list[SyncState]

    @property
    def sync_outcome(self) -> str:
        outcomes = {state.last_outcome for state in self.sync_states}
        if not outcomes:
            return SyncState.Outcome.NEVER
        if SyncState.Outcome.FAILED in outcomes:
            return SyncState.Outcome.FAILED
        return (
            SyncState.Outcome.OK if outcomes == {SyncState.Outcome.OK} else SyncState.Outcome.NEVER
        )


def account_summaries(accounts: QuerySet[SellerAccount]) -> list[AccountSummary]:
    rows = accounts.annotate(
        n_orders=Count("orders", distinct=True), n_returns=Count("returns", distinct=True)
    ).prefetch_related(Prefetch("sync_states", queryset=SyncState.objects.order_by("resource")))
    return [
        AccountSummary(
            account=row,
            order_count=row.n_orders,
            return_count=row.n_returns,
            sync_states=list(row.sync_states.all()),
        )
        for row in rows
    ]


def recent_orders(account: SellerAccount, limit: int = 50) -> list[Order]:
    return list(
        Order.objects.filter(account=account)
        .select_related("customer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("line_number")))
        .order_by("-order_date")[:limit]
    )


def line_sort_key(line_number: str) -> tuple[int, str]:
    # Walmart numbers lines "1", "2", ... "10" as strings: sort them as numbers.
    return (int(line_number), "") if line_number.isdigit() else (1 << 30, line_number)


@dataclass(frozen=True)
class OrderDetails:
    """An order with its lines (in line order) and every returned line that refers to it."""

    order: Order
    lines: list[OrderLine]
    return_lines: list[ReturnLine]


def order_details(order: Order) -> OrderDetails:
    """Two queries, whatever the number of lines and returns."""
    lines = sorted(
        OrderLine.objects.filter(order=order), key=lambda line: line_sort_key(line.line_number)
    )
    return_lines = list(
        ReturnLine.objects.filter(order=order)
        .select_related("return_order")
        .order_by("return_order__return_date", "return_order_id", "line_number")
    )
    return OrderDetails(order=order, lines=lines, return_lines=return_lines)
