"""The fixed scenario the figures are checked against, by hand.

Times are hours before NOW (`ago(5)` is five hours earlier). Two accounts: "Acme Home" on
Walmart (48 h deadlines) and "Trailhead" on Amazon (24 h).

inquiry  ticket  received  due   answered (by)     closed   outcome as of NOW
I1       T1      100       52    99 (alice)        -        in time, 1 h
I2       T1      90        42    88 (bob)          -        in time, 2 h
I3       T2      200       152   140 (bob)         -        late, 60 h: breached
I4       T3      30        -18   -                 -        pending (due in 18 h)
I5       T4      60        12    -                 -        open past due: breached
I6       T5      80        32    -                 70       closed without reply before due
I7       T6      120       72    -                 60       closed without reply after due: breached
I8       T7      10        -14   -                 9        excluded (no response needed)
I9       T8      960       912   950 (bob)         -        outside the 30-day window
I11      T9      50        26    45 (alice)        -        in time, 5 h (Trailhead)

ticket  created  intent / root cause                assignee  resolved at (how)            reopened
T1      100      where_is_my_order / carrier_delay  alice     98 (solved; again at 80)     90
T2      200      return / damaged                   bob       130 (closed_at, no event)    -
T3      30       where_is_my_order / -              -         -                            -
T4      60       cancel / buyer_remorse             -         -                            -
T5      80       cancel / buyer_remorse             -         70 (closed)                  -
T6      120      return / damaged                   -         60 (solved)                  50
T7      10       other / -                          -         9 (solved)                   -
T8      960      return / damaged                   bob       (outside the window)
T9      50       where_is_my_order / carrier_delay  alice     44 (solved)                  -
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Inquiry, Ticket, TicketEvent
from tests.factories import make_account, make_member, make_outsider

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


@dataclass
class Scenario:
    acme: SellerAccount
    trail: SellerAccount
    admin: User
    alice: User
    bob: User
    outsider: User


def ticket(
    account: SellerAccount,
    created: float,
    intent: str,
    root_cause: str = "",
    *,
    assignee: User | None = None,
    closed: float | None = None,
    status: str = Ticket.Status.OPEN,
) -> Ticket:
    return Ticket.objects.create(
        account=account,
        kind="buyer_walmart",
        intent=intent,
        root_cause=root_cause,
        assignee=assignee,
        status=status,
        created_at=ago(created),
        last_message_at=ago(created),
        closed_at=ago(closed) if closed is not None else None,
    )


def decided(
    due: float, *, answered: float | None, closed: float | None, excluded: bool
) -> bool | None:
    """What the clock would have stored (the figures recompute it from the timestamps)."""
    if excluded:
        return None
    if answered is not None:
        return answered >= due  # hours ago: answered earlier than (or when) it was due
    if closed is not None or due > 0:
        return False
    return None


def inquiry(
    t: Ticket,
    received: float,
    due: float,
    *,
    answered: float | None = None,
    by: User | None = None,
    closed: float | None = None,
    excluded: bool = False,
) -> Inquiry:
    return Inquiry.objects.create(
        ticket=t,
        account=t.account,
        policy="walmart",
        received_at=ago(received),
        due_at=ago(due),
        answered_at=ago(answered) if answered is not None else None,
        answered_by=by,
        closed_at=ago(closed) if closed is not None else None,
        closed_reason="no_response_needed" if excluded else ("status" if closed else ""),
        in_time=decided(due, answered=answered, closed=closed, excluded=excluded),
        excluded=excluded,
    )


def event(t: Ticket, at: float, kind: str, **data: str) -> None:
    TicketEvent.objects.create(ticket=t, kind=kind, data=data, created_at=ago(at))


def solved(t: Ticket, at: float, status: str = "solved") -> None:
    event(t, at, "status_changed", previous="open", status=status)


@pytest.fixture
def scenario(db: None) -> Scenario:
    acme = make_account("Acme Home")
    trail = make_account("Trailhead", marketplace=SellerAccount.Marketplace.AMAZON)
    admin = make_member("ada", Role.ADMIN)
    alice = make_member("alice", Role.AGENT, [acme, trail])
    bob = make_member("bob", Role.AGENT, [acme])
    outsider = make_outsider()

    t1 = ticket(acme, 100, "where_is_my_order", "carrier_delay", assignee=alice)
    inquiry(t1, 100, 52, answered=99, by=alice)
    inquiry(t1, 90, 42, answered=88, by=bob)
    solved(t1, 98)
    event(t1, 90, "reopened", previous_status="solved")
    solved(t1, 80)
    # A status change to something else must not count as a resolution.
    event(t1, 99, "status_changed", previous="new", status="pending")

    t2 = ticket(acme, 200, "return", "damaged", assignee=bob, closed=130, status="closed")
    inquiry(t2, 200, 152, answered=140, by=bob)

    t3 = ticket(acme, 30, "where_is_my_order")
    inquiry(t3, 30, -18)

    t4 = ticket(acme, 60, "cancel", "buyer_remorse")
    inquiry(t4, 60, 12)

    t5 = ticket(acme, 80, "cancel", "buyer_remorse", closed=70, status="closed")
    inquiry(t5, 80, 32, closed=70)
    solved(t5, 70, status="closed")

    t6 = ticket(acme, 120, "return", "damaged")
    inquiry(t6, 120, 72, closed=60)
    solved(t6, 60)
    event(t6, 50, "reopened", previous_status="solved")

    t7 = ticket(acme, 10, "other", status="solved")
    inquiry(t7, 10, -14, closed=9, excluded=True)
    solved(t7, 9)

    t8 = ticket(acme, 960, "return", "damaged", assignee=bob, closed=900, status="closed")
    inquiry(t8, 960, 912, answered=950, by=bob)

    t9 = ticket(trail, 50, "where_is_my_order", "carrier_delay", assignee=alice, status="solved")
    inquiry(t9, 50, 26, answered=45, by=alice)
    solved(t9, 44)

    return Scenario(acme=acme, trail=trail, admin=admin, alice=alice, bob=bob, outsider=outsider)
