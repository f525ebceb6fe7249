"""The inbox query: triage order, snoozed and merged tickets, filters, saved views and their
counts, keyset pages, and what each row says about its latest buyer message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Ticket
from sellerdesk.tickets.queries import (
    Cursor,
    InboxFilters,
    Segment,
    first_line,
    inbox_page,
    view_counts,
)
from tests.factories import make_account, make_member
from tests.workspace.inbox_data import add_message, make_ticket

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


@pytest.fixture
def account() -> SellerAccount:
    return make_account("Cedar Goods")


@pytest.fixture
def agent(account: SellerAccount) -> User:
    return make_member("alice", Role.AGENT, [account])


def page_ids(user: User, filters: InboxFilters | None = None, **kwargs: object) -> list[int]:
    page = inbox_page(user, filters or InboxFilters(), now=timezone.now(), **kwargs)  # type: ignore[arg-type]
    return [t.pk for t in page.tickets]


def test_triage_order_pins_under_two_hours_then_breached_then_by_deadline_then_newest(
    account: SellerAccount, agent: User
) -> None:
    now = timezone.now()
    later_far = make_ticket(account, due_in=30 * H)
    breached_recent = make_ticket(account, due_in=-1 * H)
    pinned_late = make_ticket(account, due_in=1.5 * H)
    later_near = make_ticket(account, due_in=3 * H)
    breached_old = make_ticket(account, due_in=-20 * H)
    pinned_soon = make_ticket(account, due_in=0.25 * H)
    owes_nothing_old = make_ticket(
        account, status=Ticket.Status.PENDING, last_message_at=now - 30 * H
    )
    owes_nothing_new = make_ticket(
        account, status=Ticket.Status.PENDING, last_message_at=now - 2 * H
    )

    page = inbox_page(agent, InboxFilters(), now=now)

    assert [t.pk for t in page.tickets] == [
        pinned_soon.pk,
        pinned_late.pk,
        breached_old.pk,
        breached_recent.pk,
        later_near.pk,
        later_far.pk,
        owes_nothing_new.pk,
        owes_nothing_old.pk,
    ]
    assert [t.inbox_segment for t in page.tickets] == [  # type: ignore[attr-defined]
        Segment.PINNED,
        Segment.PINNED,
        Segment.BREACHED,
        Segment.BREACHED,
        Segment.LATER,
        Segment.LATER,
        Segment.NO_DEADLINE,
        Segment.NO_DEADLINE,
    ]
    assert page.next_cursor is None


def test_default_inbox_shows_open_work_only(account: SellerAccount, agent: User) -> None:
    shown = [
        make_ticket(account, status=status, due_in=5 * H)
        for status in ("new", "open", "pending", "waiting_on_warehouse")
    ]
    make_ticket(account, status=Ticket.Status.SOLVED)
    make_ticket(account, status=Ticket.Status.CLOSED)

    assert sorted(page_ids(agent)) == sorted(t.pk for t in shown)
    assert len(page_ids(agent, InboxFilters(status="all"))) == 6
    assert len(page_ids(agent, InboxFilters(status="closed"))) == 1


def test_snoozed_tickets_show_only_in_the_snoozed_view(account: SellerAccount, agent: User) -> None:
    now = timezone.now()
    awake = make_ticket(account, due_in=1 * H, assignee=agent)
    snoozed = make_ticket(account, due_in=1 * H, assignee=agent, kind="walmart_case")
    actions.snooze(snoozed, now + 5 * H, actor=agent)
    # A snooze that has run out is no snooze: the ticket is back everywhere.
    expired = make_ticket(account, due_in=1 * H, snoozed_until=now - 1 * H)

    for view in ("", "mine", "unassigned", "breaching", "cases", "warehouse"):
        assert snoozed.pk not in page_ids(agent, InboxFilters(view=view)), view
    assert page_ids(agent, InboxFilters(view="snoozed")) == [snoozed.pk]
    assert sorted(page_ids(agent)) == sorted([awake.pk, expired.pk])


def test_merged_tickets_never_show(account: SellerAccount, agent: User) -> None:
    survivor = make_ticket(account, due_in=3 * H)
    merged = make_ticket(account, due_in=1 * H, merged_into=survivor)

    for filters in (InboxFilters(), InboxFilters(status="all"), InboxFilters(view="breaching")):
        assert merged.pk not in page_ids(agent, filters)
    assert page_ids(agent) == [survivor.pk]
    assert view_counts(agent, now=timezone.now())["unassigned"] == 1


def test_saved_views_select_their_tickets_and_count_them(
    account: SellerAccount, agent: User
) -> None:
    now = timezone.now()
    other = make_member("bob", Role.AGENT, [account])
    mine = make_ticket(account, due_in=10 * H, assignee=agent)
    mine_pending = make_ticket(account, status=Ticket.Status.PENDING, assignee=agent)
    make_ticket(account, status=Ticket.Status.SOLVED, assignee=agent)
    theirs = make_ticket(account, due_in=10 * H, assignee=other)
    soon = make_ticket(account, due_in=1 * H)
    late = make_ticket(account, due_in=-3 * H)
    case = make_ticket(account, kind="walmart_escalation", due_in=40 * H)
    bbb = make_ticket(account, kind="complaint_bbb_ag", due_in=5 * H, assignee=other)
    warehouse = make_ticket(account, status=Ticket.Status.WAITING_ON_WAREHOUSE)
    snoozed = make_ticket(account, due_in=30 * H, snoozed_until=now + 2 * H)

    def view(name: str) -> set[int]:
        return set(page_ids(agent, InboxFilters(view=name)))

    assert view("mine") == {mine.pk, mine_pending.pk}
    assert view("unassigned") == {soon.pk, late.pk, case.pk, warehouse.pk}
    assert view("breaching") == {soon.pk, late.pk}
    assert view("cases") == {case.pk, bbb.pk}
    assert view("warehouse") == {warehouse.pk}
    assert view("snoozed") == {snoozed.pk}
    assert theirs.pk not in view("mine")
    assert view_counts(agent, now=now) == {
        "mine": 2,
        "unassigned": 4,
        "breaching": 2,
        "cases": 2,
        "warehouse": 1,
        "snoozed": 1,
    }


def test_filters_narrow_to_exactly_the_matching_tickets(
    account: SellerAccount, agent: User
) -> None:
    amazon = make_account("Harbor", marketplace=SellerAccount.Marketplace.AMAZON)
    agent.team_member.accounts.add(amazon)
    walmart_late = make_ticket(account, due_in=-2 * H, intent="damaged_item", order_number="1")
    walmart_soon = make_ticket(account, due_in=1 * H, intent="where_is_my_order", assignee=agent)
    amazon_later = make_ticket(amazon, due_in=20 * H, intent="damaged_item", kind="buyer_amazon")
    actions.add_tags(amazon_later, ["vip"], actor=agent)
    actions.add_tags(walmart_late, ["wfs"], actor=agent)

    def ids(**kwargs: object) -> set[int]:
        return set(page_ids(agent, InboxFilters(**kwargs)))  # type: ignore[arg-type]

    assert ids(account=amazon.pk) == {amazon_later.pk}
    assert ids(marketplace="walmart") == {walmart_late.pk, walmart_soon.pk}
    assert ids(marketplace="amazon") == {amazon_later.pk}
    assert ids(assignee="me") == {walmart_soon.pk}
    assert ids(assignee="none") == {walmart_late.pk, amazon_later.pk}
    assert ids(intent="damaged_item") == {walmart_late.pk, amazon_later.pk}
    assert ids(tag="vip") == {amazon_later.pk}
    assert ids(sla="at_risk") == {walmart_soon.pk}
    assert ids(sla="breached") == {walmart_late.pk}
    assert ids(sla="urgent") == {walmart_late.pk, walmart_soon.pk}
    assert ids(order="with") == {walmart_late.pk}
    assert ids(order="without") == {walmart_soon.pk, amazon_later.pk}
    assert ids(marketplace="walmart", intent="damaged_item", sla="breached") == {walmart_late.pk}


def test_an_account_filter_cannot_reach_an_account_the_user_may_not_see(
    account: SellerAccount, agent: User
) -> None:
    hidden = make_account("Trailhead")
    make_ticket(hidden, due_in=1 * H)

    assert page_ids(agent, InboxFilters(account=hidden.pk)) == []
    assert view_counts(agent, now=timezone.now())["unassigned"] == 0


def test_unknown_filter_values_are_dropped() -> None:
    filters = InboxFilters.from_query(
        {
            "view": "everything",
            "account": "12; drop table",
            "status": "bogus",
            "sla": "x",
            "order": "y",
            "assignee": "someone",
            "marketplace": "ebay",
            "intent": "damaged_item",
        }
    )

    assert filters == InboxFilters(intent="damaged_item")
    assert filters.as_query() == {"intent": "damaged_item"}


def test_keyset_pages_walk_every_segment_without_gaps_or_repeats(
    account: SellerAccount, agent: User
) -> None:
    now = timezone.now()
    # Several tickets per segment, with equal deadlines to exercise the id tie-break.
    same_due = now + 30 * H
    for due_in in (0.5, 1, 1.5, -1, -5, -5, 10, 10):
        make_ticket(account, due_in=due_in * H, now=now)
    for _ in range(3):
        make_ticket(account, due_at=same_due, sla_state="ok")
    for hours in (1, 2, 2, 3):
        make_ticket(account, status=Ticket.Status.PENDING, last_message_at=now - hours * H)
    whole = [t.pk for t in inbox_page(agent, InboxFilters(), now=now, size=100).tickets]

    walked: list[int] = []
    after = None
    pages = 0
    while True:
        page = inbox_page(agent, InboxFilters(), now=now, after=after, size=3)
        walked += [t.pk for t in page.tickets]
        pages += 1
        if page.next_cursor is None:
            break
        after = Cursor.decode(page.next_cursor.encode())

    assert len(whole) == 15
    assert walked == whole
    assert pages == 5


def test_cursor_round_trips_and_garbage_starts_at_the_first_page() -> None:
    cursor = Cursor(Segment.LATER, datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC), 42)

    assert Cursor.decode(cursor.encode()) == cursor
    for garbage in ("", "x", "9.1.1", "1.2", "1.abc.3", "1.99999999999999999999999.3"):
        assert Cursor.decode(garbage) is None


def test_rows_show_the_first_line_of_the_latest_buyer_message_and_the_buyer(
    account: SellerAccount, agent: User
) -> None:
    now = timezone.now()
    customer = Customer.objects.create(name="Dana Buyer")
    named = make_ticket(account, due_in=5 * H, customer=customer)
    add_message(named, "Old question", received_at=now - 5 * H)
    add_message(named, "\n\n  Still waiting for my parcel  \nSecond line", received_at=now - 2 * H)
    # Our reply and an auto-reply are later, but they are not the buyer's latest word.
    add_message(named, "We are on it", inbound=False, received_at=now - 1 * H)
    add_message(named, "I am out of office", kind="auto_reply", received_at=now - 0.5 * H)
    anonymous = make_ticket(account, due_in=6 * H)
    add_message(anonymous, "Hello", sender_name="Walmart Customer", received_at=now - 1 * H)
    bare = make_ticket(account, due_in=7 * H, relay_address="x1@relay.walmart.com")

    rows = {t.pk: t for t in inbox_page(agent, InboxFilters(), now=now).tickets}

    assert rows[named.pk].preview == "Still waiting for my parcel"  # type: ignore[attr-defined]
    assert rows[named.pk].buyer == "Dana Buyer"  # type: ignore[attr-defined]
    assert rows[anonymous.pk].buyer == "Walmart Customer"  # type: ignore[attr-defined]
    assert rows[bare.pk].buyer == "x1@relay.walmart.com"  # type: ignore[attr-defined]
    assert rows[bare.pk].preview == ""  # type: ignore[attr-defined]


def test_first_line_skips_blank_lines_and_shortens_long_ones() -> None:
    assert first_line("\n \n hello \nworld") == "hello"
    assert first_line("") == ""
    long = first_line("a" * 500)
    assert len(long) == 160
    assert long.endswith("…")
