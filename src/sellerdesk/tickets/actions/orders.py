"""Order actions taken from a ticket (acknowledge, tracking, cancel, refund), as the ticket's
history records them.

The marketplace call itself happens in the channel (`marketplaces.order_actions`), which
calls this only once the marketplace has accepted the action: a refused or failed call
leaves no trace here, so the history never claims a refund that did not happen. An order
action does not change the conversation, so the ticket's version stays (no `_bump`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.tickets.actions.core import ActionError, _event
from sellerdesk.tickets.models import Ticket

# TicketEvent kinds, one per action, so the history and reports can tell them apart.
ORDER_ACTION_KINDS = frozenset(
    {
        "order_acknowledged",
        "order_tracking_set",
        "order_line_cancelled",
        "order_line_refunded",
    }
)

_Scalar = str | int | bool | None


@transaction.atomic
def record_order_action(
    ticket: Ticket,
    kind: str,
    details: Mapping[str, _Scalar],
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> None:
    """Write the history row of an order action the marketplace accepted. `details` holds
    plain values (amounts as strings, so no float ever rounds money)."""
    if kind not in ORDER_ACTION_KINDS:
        raise ActionError(f"Unknown order action {kind!r}.")
    if ticket.order_id is None:
        raise ActionError("The ticket has no linked order.")
    _event(ticket, kind, clock.now(), actor=actor, **dict(details))
