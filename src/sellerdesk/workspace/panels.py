"""The order and buyer panels beside the conversation: what the ticket page adds to its
context for `_order_panel.html` and `_buyer_panel.html`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from sellerdesk.tickets.models import Ticket


def panel_context(ticket: Ticket, user: AbstractBaseUser) -> dict[str, object]:
    # Filled in by the order-context work (issue 7); the page renders without it meanwhile.
    return {}
