"""Snoozing hides a ticket until a time; a buyer message or the deadline going at risk (the
SLA sweep) wakes it early, each with a history row saying why."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.sla import sweeps
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import ActionError
from sellerdesk.tickets.models import Ticket, TicketEvent
from tests.factories import make_member
from tests.tickets.ticket_builders import (
    START,
    acme,
    buyer_writes,
    incoming,
    later,
    open_buyer_ticket,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def account() -> SellerAccount:
    return acme()


@pytest.fixture
def agent(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


def snoozed_rows(ticket: Ticket) -> list[tuple[str, dict[str, object]]]:
    return list(
        ticket.events.filter(kind__in=["snoozed", "unsnoozed", "woken"])
        .order_by("pk")
        .values_list("kind", "data")
    )


def test_snoozing_sets_the_time_and_writes_history_without_moving_the_version(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    ticket = open_buyer_ticket(account, clock)
    version = ticket.version
    until = START + timedelta(days=1)

    actions.snooze(ticket, until, actor=agent, clock=clock)

    ticket.refresh_from_db()
    assert (ticket.snoozed_until, ticket.version) == (until, version)
    event = ticket.events.get(kind="snoozed")
    assert (event.actor, event.data) == (agent, {"until": until.isoformat(), "previous": None})


def test_snoozing_into_the_past_or_a_closed_ticket_is_refused_and_changes_nothing(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    ticket = open_buyer_ticket(account, clock)
    closed = open_buyer_ticket(account, clock)
    actions.close(closed, "other", actor=agent, clock=clock)
    events = TicketEvent.objects.count()

    with pytest.raises(ActionError, match="in the future"):
        actions.snooze(ticket, START, actor=agent, clock=clock)
    with pytest.raises(ActionError, match="cannot be snoozed"):
        actions.snooze(closed, START + timedelta(hours=1), actor=agent, clock=clock)

    assert list(Ticket.objects.values_list("snoozed_until", flat=True)) == [None, None]
    assert TicketEvent.objects.count() == events


def test_unsnoozing_brings_the_ticket_back_once(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    ticket = open_buyer_ticket(account, clock)
    actions.snooze(ticket, START + timedelta(hours=5), actor=agent, clock=clock)

    assert actions.unsnooze(ticket, actor=agent, clock=later(clock)) is True
    assert actions.unsnooze(ticket, actor=agent, clock=later(clock)) is False

    ticket.refresh_from_db()
    assert ticket.snoozed_until is None
    assert [kind for kind, _ in snoozed_rows(ticket)] == ["snoozed", "unsnoozed"]


def test_a_buyer_message_wakes_a_snoozed_ticket_with_a_history_row(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    ticket = open_buyer_ticket(account, clock)
    until = START + timedelta(days=2)
    actions.snooze(ticket, until, actor=agent, clock=clock)

    message = buyer_writes(ticket, later(clock, 30), "Hello? Anyone?")

    ticket.refresh_from_db()
    assert ticket.snoozed_until is None
    assert snoozed_rows(ticket)[-1] == (
        "woken",
        {"reason": "buyer_message", "until": until.isoformat(), "message": message.pk},
    )
    woken = ticket.events.get(kind="woken")
    assert woken.actor is None


def test_an_auto_reply_does_not_wake_a_snoozed_ticket(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    ticket = open_buyer_ticket(account, clock)
    until = START + timedelta(days=2)
    actions.snooze(ticket, until, actor=agent, clock=clock)

    actions.add_inbound(
        ticket,
        incoming(later(clock).now(), kind="auto_reply", text="I am away"),
        counts_as_buyer=False,
        clock=clock,
    )

    ticket.refresh_from_db()
    assert ticket.snoozed_until == until
    assert not ticket.events.filter(kind="woken").exists()


def test_the_sweep_wakes_a_snoozed_ticket_when_its_deadline_goes_at_risk(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    ticket = open_buyer_ticket(account, clock)  # due 48 h later, at risk 2 h before
    until = START + timedelta(days=5)
    actions.snooze(ticket, until, actor=agent, clock=clock)
    sweeps.sweep(START + timedelta(hours=45))  # still ok: stays asleep
    ticket.refresh_from_db()
    assert ticket.snoozed_until == until

    at_risk = START + timedelta(hours=46, minutes=30)
    sweeps.sweep(at_risk)

    ticket.refresh_from_db()
    assert (ticket.snoozed_until, ticket.sla_state) == (None, "at_risk")
    woken = ticket.events.get(kind="woken")
    assert (woken.created_at, woken.actor, woken.data) == (
        at_risk,
        None,
        {"reason": "deadline_at_risk", "until": until.isoformat()},
    )


def test_a_ticket_snoozed_while_already_at_risk_sleeps_until_the_deadline_is_missed(
    account: SellerAccount, agent: User, clock: FrozenClock
) -> None:
    ticket = open_buyer_ticket(account, clock)
    sweeps.sweep(START + timedelta(hours=46, minutes=30))  # at risk, announced
    ticket.refresh_from_db()
    until = START + timedelta(days=5)
    actions.snooze(ticket, until, actor=agent, clock=FrozenClock(START + timedelta(hours=47)))

    sweeps.sweep(START + timedelta(hours=47, minutes=30))  # still at risk: no news
    ticket.refresh_from_db()
    assert ticket.snoozed_until == until

    sweeps.sweep(START + timedelta(hours=48, minutes=1))  # breached: news, wakes it
    ticket.refresh_from_db()
    assert ticket.snoozed_until is None
    assert ticket.events.get(kind="woken").data["reason"] == "deadline_breached"
