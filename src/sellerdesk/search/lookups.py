"""Exact, indexed lookups: an order number or tracking number finds its orders and tickets,
a ticket number its ticket, a relay address or a name its buyer. Each is one query on an
index, limited to the seller accounts the user may see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from sellerdesk.customers.models import Customer
from sellerdesk.orders.models import Order, OrderLine
from sellerdesk.search.terms import Query
from sellerdesk.tickets.models import Ticket

MAX_ROWS = 20
TICKETS_PER_BUYER = 5
# Buyers of one name looked at for a user limited to some accounts (see `buyers`).
MAX_NAMED = 1_000


@dataclass(frozen=True)
class ExactHits:
    orders: list[Order]
    tickets: list[Ticket]
    matched_tracking: bool


def _orders(query: Query, account_ids: Sequence[int]) -> tuple[list[Order], bool]:
    if not query.identifier:
        return [], False
    number = query.identifier
    found = Q()
    if query.order_number:
        found |= Q(purchase_order_id=number) | Q(customer_order_id=number)
    if query.tracking_number:
        # Carriers print tracking numbers in capitals; people type them any way. A query of
        # its own: as a subquery inside the OR, PostgreSQL scans every order instead.
        tracked = list(
            OrderLine.objects.filter(
                tracking_number__in={number, number.upper()}, order__account_id__in=account_ids
            ).values_list("order_id", flat=True)[:MAX_ROWS]
        )
        if tracked:
            found |= Q(pk__in=tracked)
    if not found:
        return [], False
    # `account_id IN (...)` first: the unique (account, purchase_order_id) index serves it.
    orders = list(
        Order.objects.filter(account_id__in=account_ids)
        .filter(found)
        .select_related("account")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("line_number")))
        .order_by("-order_date")[:MAX_ROWS]
    )
    by_tracking = any(
        line.tracking_number.upper() == number.upper() for o in orders for line in o.lines.all()
    )
    return orders, by_tracking


def exact_hits(query: Query, tickets: QuerySet[Ticket], account_ids: Sequence[int]) -> ExactHits:
    orders, by_tracking = _orders(query, account_ids)
    wanted: list[Q] = []
    if orders:
        # Tickets linked to the order, and those that only named it (linked later, or never).
        numbers = {n for o in orders for n in (o.purchase_order_id, o.customer_order_id) if n}
        wanted += [Q(order__in=[o.pk for o in orders]), Q(order_number__in=sorted(numbers))]
    if query.order_number:
        wanted.append(Q(order_number=query.identifier))
    if query.ticket_id is not None:
        wanted.append(Q(pk=query.ticket_id))
    if query.address:
        wanted.append(Q(relay_address__in={query.address, query.address.lower()}))
    if not wanted:
        return ExactHits(orders, [], by_tracking)
    found = wanted[0]
    for condition in wanted[1:]:
        found |= condition
    hits = list(
        tickets.filter(found)
        .select_related("account", "order", "customer")
        .order_by("-last_message_at", "-pk")[:MAX_ROWS]
    )
    return ExactHits(orders, hits, by_tracking)


def buyers(
    query: Query, tickets: QuerySet[Ticket], account_ids: Sequence[int] | None
) -> list[Customer]:
    """Buyers by relay address (exact, indexed) or by name (a part of it, over the customer
    table: names are short and there is one row per buyer, not per message), seen in an
    account the user may see, each with their latest visible tickets."""
    if query.address:
        customers = Customer.objects.filter(
            addresses__address__in={query.address, query.address.lower()}
        )
    elif query.name and len(query.name) >= 2:
        customers = Customer.objects.filter(name__icontains=query.name)
    else:
        return []
    if account_ids is not None:
        # Two steps: the buyers so named first, then which of them the user may see. In one
        # query PostgreSQL prices the visibility test for every buyer in the table and
        # spends a quarter second compiling it (JIT) for a 10 ms query.
        # The visibility subqueries name the buyers too, so each reads only their rows by
        # the customer index (left open, PostgreSQL reads every ticket and order).
        named = list(customers.order_by("name", "pk").values_list("pk", flat=True)[:MAX_NAMED])
        seen = Ticket.objects.filter(customer_id__in=named, account_id__in=account_ids)
        bought = Order.objects.filter(customer_id__in=named, account_id__in=account_ids)
        customers = Customer.objects.filter(pk__in=named).filter(
            Q(pk__in=seen.values("customer_id")) | Q(pk__in=bought.values("customer_id"))
        )
    found: list[Customer] = list(
        customers.distinct()
        .prefetch_related(
            "addresses",
            Prefetch(
                "tickets",
                queryset=tickets.select_related("account").order_by("-last_message_at", "-pk"),
                to_attr="visible_tickets",
            ),
        )
        .order_by("name", "pk")[:MAX_ROWS]
    )
    for customer in found:
        customer.visible_tickets = customer.visible_tickets[:TICKETS_PER_BUYER]  # type: ignore[attr-defined]
    return found
