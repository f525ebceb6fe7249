"""Who is on the other end of a socket, and what they may see, asked again on every message.

A socket lives for hours; its user may sign out, be deactivated, change their password or
lose an account meanwhile. So the consumers do not trust what was true at connect: before
acting on any message they read the session again (a signed-out session is gone from the
store) and ask `tickets.access` / `team.access` again, exactly as a page request would.
Sync functions: the consumers call them through `database_sync_to_async`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import User

from sellerdesk.team.access import visible_accounts
from sellerdesk.tickets.access import get_ticket_for_user, visible_tickets
from sellerdesk.tickets.models import Ticket


def signed_in_user(scope: dict[str, Any]) -> User | None:
    """The socket's user if their session is still valid now, else None. The session is
    read afresh from the store (the one in the scope was loaded at connect)."""
    opened_by = scope.get("user")
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if opened_by is None or not opened_by.is_authenticated or not key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    # auth.get_user checks the backend, that the user is active and the session hash (a
    # password change signs every other session out), as for a page request.
    user = auth.get_user(cast(Any, SimpleNamespace(session=store)))
    if not user.is_authenticated or user.pk != opened_by.pk:
        return None
    return cast(User, user)


@dataclass(frozen=True)
class TicketAccess:
    """What a ticket socket needs to know, read in one light query (this runs for every
    message a browser sends, typing included)."""

    user: User
    ticket_id: int
    account_id: int
    assignee_id: int | None
    version: int

    @property
    def name(self) -> str:
        return self.user.get_username()

    def ticket(self) -> Ticket:
        """The whole ticket, for an action (the claim's assignment)."""
        return get_ticket_for_user(self.user, self.ticket_id)


def ticket_access(scope: dict[str, Any], ticket_id: int) -> TicketAccess | None:
    """None unless the socket's user is signed in and may see the ticket."""
    user = signed_in_user(scope)
    if user is None:
        return None
    row = (
        visible_tickets(user)
        .filter(pk=ticket_id)
        .values_list("account_id", "assignee_id", "version")
        .first()
    )
    if row is None:
        return None
    return TicketAccess(user, ticket_id, *row)


@dataclass(frozen=True)
class InboxAccess:
    user: User
    accounts: frozenset[int]


def inbox_access(scope: dict[str, Any]) -> InboxAccess | None:
    """None unless the socket's user is signed in and may see at least one account."""
    user = signed_in_user(scope)
    if user is None:
        return None
    accounts = frozenset(visible_accounts(user).values_list("pk", flat=True))
    if not accounts:
        return None
    return InboxAccess(user, accounts)


def visible_ticket_ids(user: User, ticket_ids: tuple[int, ...]) -> frozenset[int]:
    if not ticket_ids:
        return frozenset()
    return frozenset(visible_tickets(user).filter(pk__in=ticket_ids).values_list("pk", flat=True))
