"""Triage actions: assign, tag and untag; each writes one history row, leaves the
conversation version alone, and a refused call changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Tag, Ticket, TicketEvent
from tests.factories import make_account, make_member, make_outsider
from tests.workspace.inbox_data import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def account() -> SellerAccount:
    return make_account("Cedar Goods")


@pytest.fixture
def ticket(account: SellerAccount) -> Ticket:
    return make_ticket(account)


@pytest.fixture
def lead(account: SellerAccount) -> User:
    return make_member("lena", Role.AGENT, [account])


def state(ticket: Ticket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (
        ticket.assignee_id,
        ticket.version,
        sorted(ticket.tags.values_list("name", flat=True)),
        list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "data")),
        Tag.objects.count(),
    )


def test_assign_sets_the_assignee_records_who_and_keeps_the_version(
    ticket: Ticket, lead: User, account: SellerAccount
) -> None:
    agent = make_member("alice", Role.AGENT, [account])

    changed = actions.assign(ticket, agent, actor=lead)

    ticket.refresh_from_db()
    assert changed is True
    assert ticket.assignee_id == agent.pk
    assert ticket.version == 1
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.actor_id) == ("assigned", lead.pk)
    assert event.data == {
        "previous": None,
        "previous_name": None,
        "assignee": agent.pk,
        "assignee_name": "alice",
    }


def test_unassign_records_the_previous_assignee(
    ticket: Ticket, lead: User, account: SellerAccount
) -> None:
    agent = make_member("alice", Role.AGENT, [account])
    actions.assign(ticket, agent, actor=lead)

    assert actions.assign(ticket, None, actor=lead) is True

    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    event = TicketEvent.objects.filter(ticket=ticket).latest("pk")
    assert event.kind == "unassigned"
    assert event.data["previous"] == agent.pk
    assert event.data["previous_name"] == "alice"


def test_assigning_the_current_assignee_again_writes_nothing(ticket: Ticket, lead: User) -> None:
    actions.assign(ticket, lead, actor=lead)
    before = state(ticket)

    assert actions.assign(ticket, lead, actor=lead) is False
    assert state(ticket) == before


def test_admins_may_be_assigned_any_ticket(ticket: Ticket, lead: User) -> None:
    admin = make_member("ada", Role.ADMIN)

    assert actions.assign(ticket, admin, actor=lead) is True
    ticket.refresh_from_db()
    assert ticket.assignee_id == admin.pk


@pytest.mark.parametrize("who", ["agent_of_another_account", "outsider", "inactive_agent"])
def test_assigning_someone_who_may_not_see_the_account_is_refused_and_changes_nothing(
    ticket: Ticket, lead: User, account: SellerAccount, who: str
) -> None:
    if who == "agent_of_another_account":
        assignee = make_member("oscar", Role.AGENT, [make_account("Trailhead")])
    elif who == "outsider":
        assignee = make_outsider()
    else:
        assignee = make_member("ivan", Role.AGENT, [account])
        assignee.is_active = False
        assignee.save()
    before = state(ticket)

    with pytest.raises(actions.ActionError, match="may not see Cedar Goods"):
        actions.assign(ticket, assignee, actor=lead)

    assert state(ticket) == before


def test_add_tags_normalizes_names_creates_missing_tags_and_skips_duplicates(
    ticket: Ticket, lead: User
) -> None:
    Tag.objects.create(name="vip")

    added = actions.add_tags(ticket, ["VIP", "  late   carrier ", "vip", "q3/promo"], actor=lead)

    assert added == ["vip", "late carrier", "q3/promo"]
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["late carrier", "q3/promo", "vip"]
    assert Tag.objects.count() == 3
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.actor_id, event.data) == (
        "tags_added",
        lead.pk,
        {"tags": ["vip", "late carrier", "q3/promo"]},
    )
    ticket.refresh_from_db()
    assert ticket.version == 1


def test_adding_tags_the_ticket_already_has_writes_nothing(ticket: Ticket, lead: User) -> None:
    actions.add_tags(ticket, ["vip"], actor=lead)
    before = state(ticket)

    assert actions.add_tags(ticket, ["Vip"], actor=lead) == []
    assert state(ticket) == before


@pytest.mark.parametrize(
    ("names", "reason"),
    [
        ([""], "needs a name"),
        (["   "], "needs a name"),
        (["x" * 41], "at most 40 characters"),
        (["<script>alert(1)</script>"], "letters, digits"),
        (['vip" onmouseover="x'], "letters, digits"),
        (["-leading-dash"], "starting with a letter"),
        (["zero\u200bwidth"], "letters, digits"),
    ],
)
def test_bad_tag_names_are_refused_and_nothing_is_tagged(
    ticket: Ticket, lead: User, names: list[str], reason: str
) -> None:
    before = state(ticket)

    with pytest.raises(actions.ActionError, match=reason):
        # A good name next to the bad one is not applied either: the call is all or nothing.
        actions.add_tags(ticket, ["fine", *names], actor=lead)

    assert state(ticket) == before


def test_an_empty_list_of_tags_is_refused(ticket: Ticket, lead: User) -> None:
    before = state(ticket)

    with pytest.raises(actions.ActionError, match="at least one tag"):
        actions.add_tags(ticket, [], actor=lead)

    assert state(ticket) == before


def test_whitespace_inside_a_tag_name_collapses_to_one_space(ticket: Ticket, lead: User) -> None:
    assert actions.add_tags(ticket, ["tab\there"], actor=lead) == ["tab here"]


def test_a_tag_of_exactly_forty_characters_is_accepted(ticket: Ticket, lead: User) -> None:
    assert actions.add_tags(ticket, ["a" * 40], actor=lead) == ["a" * 40]


def test_remove_tag_takes_it_off_and_records_it(ticket: Ticket, lead: User) -> None:
    actions.add_tags(ticket, ["vip", "wfs"], actor=lead)

    assert actions.remove_tag(ticket, "VIP", actor=lead) is True

    assert list(ticket.tags.values_list("name", flat=True)) == ["wfs"]
    # The tag itself stays for other tickets and for filtering.
    assert Tag.objects.filter(name="vip").exists()
    event = TicketEvent.objects.filter(ticket=ticket).latest("pk")
    assert (event.kind, event.actor_id, event.data) == ("tag_removed", lead.pk, {"tag": "vip"})
    ticket.refresh_from_db()
    assert ticket.version == 1


def test_removing_a_tag_the_ticket_does_not_have_writes_nothing(ticket: Ticket, lead: User) -> None:
    actions.add_tags(ticket, ["vip"], actor=lead)
    Tag.objects.create(name="wfs")
    before = state(ticket)

    assert actions.remove_tag(ticket, "wfs", actor=lead) is False
    assert actions.remove_tag(ticket, "never-existed", actor=lead) is False
    assert state(ticket) == before


def test_tags_on_one_ticket_do_not_touch_another(
    account: SellerAccount, ticket: Ticket, lead: User
) -> None:
    other = make_ticket(account)
    actions.add_tags(ticket, ["vip"], actor=lead)
    actions.add_tags(other, ["vip"], actor=lead)

    actions.remove_tag(ticket, "vip", actor=lead)

    assert list(other.tags.values_list("name", flat=True)) == ["vip"]
    assert Tag.objects.filter(name="vip").count() == 1
