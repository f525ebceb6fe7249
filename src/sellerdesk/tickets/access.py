"""Which tickets a user may see: those of the seller accounts they may see. A ticket they
may not see is a 404, exactly like one that does not exist."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from sellerdesk.team.access import AnyUser, visible_accounts
from sellerdesk.tickets.models import Ticket


def visible_tickets(user: AnyUser) -> QuerySet[Ticket]:
    return Ticket.objects.filter(account__in=visible_accounts(user))


def get_ticket_for_user(user: AnyUser, ticket_id: int) -> Ticket:
    try:
        return (
            visible_tickets(user).select_related("account", "order", "customer").get(pk=ticket_id)
        )
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None
