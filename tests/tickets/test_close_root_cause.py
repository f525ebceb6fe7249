"""Closing (and solving) needs a root cause from the account's taxonomy, which is seeded on
first use and edited by admins."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import ActionError
from sellerdesk.tickets.models import DEFAULT_ROOT_CAUSES, RootCause, Ticket, TicketEvent
from tests.factories import make_member
from tests.tickets.ticket_builders import START, acme, later, open_buyer_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def account() -> SellerAccount:
    return acme()


@pytest.fixture
def agent(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


def test_the_taxonomy_is_seeded_once_per_account_from_the_defaults(account: SellerAccount) -> None:
    other = acme("Trailhead", support_address="help@trail.example")

    first = actions.root_causes(account)
    again = actions.root_causes(account)

    assert [(c.code, c.label, c.active) for c in first] == [
        (code, label, True) for code, label in DEFAULT_ROOT_CAUSES
    ]
    assert [c.pk for c in again] == [c.pk for c in first]
    assert RootCause.objects.filter(account=other).count() == 0


@pytest.mark.parametrize("status", ["closed", "solved"])
def test_closing_records_the_root_cause_and_stops_the_deadline(
    account: SellerAccount, agent: User, status: str
) -> None:
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    assert ticket.due_at is not None

    actions.close(ticket, "damaged_in_shipping", actor=agent, status=status, clock=later(clock))

    ticket.refresh_from_db()
    assert (ticket.status, ticket.root_cause, ticket.due_at) == (
        status,
        "damaged_in_shipping",
        None,
    )
    assert ticket.closed_at == (clock.now() if status == "closed" else None)
    event = ticket.events.get(kind="status_changed")
    assert (event.actor, event.data) == (
        agent,
        {
            "previous": "new",
            "status": status,
            "root_cause": "damaged_in_shipping",
            "root_cause_label": "Damaged in shipping",
            "previous_root_cause": None,
        },
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [("", "Pick a root cause"), ("made_up", "not a root cause"), ("buyer_remorse", "retired")],
)
def test_closing_without_a_current_root_cause_is_refused_and_changes_nothing(
    account: SellerAccount, agent: User, code: str, reason: str
) -> None:
    ticket = open_buyer_ticket(account, FrozenClock(START))
    retired = next(c for c in actions.root_causes(account) if c.code == "buyer_remorse")
    actions.set_root_cause_active(retired, False)
    events = TicketEvent.objects.count()

    with pytest.raises(ActionError, match=reason):
        actions.close(ticket, code, actor=agent)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.root_cause) == (Ticket.Status.NEW, "")
    assert TicketEvent.objects.count() == events


def test_a_root_cause_of_another_account_is_refused(account: SellerAccount, agent: User) -> None:
    other = acme("Trailhead", support_address="help@trail.example")
    actions.add_root_cause(other, "Trailhead only")
    ticket = open_buyer_ticket(account, FrozenClock(START))

    with pytest.raises(ActionError, match="not a root cause of Acme"):
        actions.close(ticket, "trailhead_only", actor=agent)


def test_admins_add_rename_and_retire_entries_keeping_codes(account: SellerAccount) -> None:
    added = actions.add_root_cause(account, "  Carrier   lost it ")
    actions.rename_root_cause(added, "Lost by the carrier")

    added.refresh_from_db()
    assert (added.code, added.label, added.position) == (
        "carrier_lost_it",
        "Lost by the carrier",
        len(DEFAULT_ROOT_CAUSES),
    )
    with pytest.raises(ActionError, match="already has"):
        actions.add_root_cause(account, "Carrier lost it")
    with pytest.raises(ActionError, match="needs a name"):
        actions.rename_root_cause(added, "   ")


def test_the_last_active_root_cause_cannot_be_retired(account: SellerAccount) -> None:
    causes = actions.root_causes(account)
    for cause in causes[1:]:
        actions.set_root_cause_active(cause, False)

    with pytest.raises(ActionError, match="at least one"):
        actions.set_root_cause_active(causes[0], False)

    assert RootCause.objects.filter(account=account, active=True).count() == 1
