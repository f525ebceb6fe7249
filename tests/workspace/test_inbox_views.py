"""The inbox page for every role, its htmx fragment, its query count, and the bulk actions:
what each user may see and change, and that a refused ticket changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Tag, Ticket, TicketEvent
from sellerdesk.tickets.queries import PAGE_SIZE
from tests.factories import PASSWORD, make_account, make_member, make_outsider
from tests.workspace.inbox_data import add_message, make_ticket

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


@pytest.fixture
def account() -> SellerAccount:
    return make_account("Cedar Goods")


@pytest.fixture
def other_account() -> SellerAccount:
    return make_account("Trailhead")


@pytest.fixture
def team(account: SellerAccount, other_account: SellerAccount) -> dict[str, User]:
    return {
        "admin": make_member("ada", Role.ADMIN),
        "agent": make_member("alice", Role.AGENT, [account]),
        "other_agent": make_member("oscar", Role.AGENT, [other_account]),
        "warehouse": make_member("wanda", Role.WAREHOUSE, [account]),
        "outsider": make_outsider(),
    }


@pytest.fixture
def tickets(account: SellerAccount, other_account: SellerAccount) -> dict[str, Ticket]:
    return {
        "ours": make_ticket(account, due_in=5 * H, subject="Cedar lamp arrived broken"),
        "ours_warehouse": make_ticket(
            account, status=Ticket.Status.WAITING_ON_WAREHOUSE, subject="Cedar parcel check"
        ),
        "theirs": make_ticket(other_account, due_in=5 * H, subject="Trailhead tent question"),
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(response: Any, tickets: dict[str, Ticket]) -> set[str]:
    html = response.content.decode()
    return {name for name, t in tickets.items() if f'data-ticket="{t.pk}"' in html}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"ours", "ours_warehouse", "theirs"}),
        ("agent", {"ours", "ours_warehouse"}),
        ("other_agent", {"theirs"}),
        ("outsider", set()),
    ],
)
def test_each_role_sees_exactly_the_tickets_of_its_accounts(
    team: dict[str, User], tickets: dict[str, Ticket], who: str, expected: set[str]
) -> None:
    response = signed_in(team[who]).get(reverse("ticket_list"))

    assert response.status_code == 200
    assert shown(response, tickets) == expected
    for name in {"ours", "ours_warehouse", "theirs"} - expected:
        assert tickets[name].subject not in response.content.decode()


def test_warehouse_staff_land_on_waiting_on_warehouse_and_may_look_at_the_rest(
    team: dict[str, User], tickets: dict[str, Ticket]
) -> None:
    client = signed_in(team["warehouse"])

    landing = client.get(reverse("ticket_list"))
    everything = client.get(reverse("ticket_list") + "?view=all")

    assert shown(landing, tickets) == {"ours_warehouse"}
    assert shown(everything, tickets) == {"ours", "ours_warehouse"}
    # They read tickets and write notes; assigning and status are the agents'.
    assert 'id="bulk"' not in landing.content.decode()
    assert 'name="ticket"' not in landing.content.decode()


def test_anonymous_is_sent_to_sign_in(tickets: dict[str, Ticket]) -> None:
    for response in (
        Client().get(reverse("ticket_list")),
        Client().post(reverse("ticket_bulk"), {"ticket": [tickets["ours"].pk], "do": "assign"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_pinned_and_breached_rows_are_marked(account: SellerAccount, team: dict[str, User]) -> None:
    pinned = make_ticket(account, due_in=1 * H)
    breached = make_ticket(account, due_in=-3 * H)
    calm = make_ticket(account, due_in=20 * H)

    html = signed_in(team["agent"]).get(reverse("ticket_list")).content.decode()

    assert f'<tr data-ticket="{pinned.pk}" class="pinned">' in html
    assert f'<tr data-ticket="{breached.pk}" class="breached">' in html
    assert f'<tr data-ticket="{calm.pk}" class="">' in html
    assert 'class="sla-breached">breached · overdue 3 h' in html
    assert html.index(f'data-ticket="{pinned.pk}"') < html.index(f'data-ticket="{breached.pk}"')
    assert html.index(f'data-ticket="{breached.pk}"') < html.index(f'data-ticket="{calm.pk}"')


def test_htmx_requests_get_the_rows_and_the_counts_only(
    team: dict[str, User], tickets: dict[str, Ticket]
) -> None:
    response = signed_in(team["agent"]).get(reverse("ticket_list"), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert html.lstrip().startswith('<tbody id="inbox-rows">')
    assert (
        '<nav id="inbox-views" class="inbox-views" aria-label="Saved views" hx-swap-oob="true">'
        in html
    )
    assert shown(response, tickets) == {"ours", "ours_warehouse"}
    assert "HX-Request" in response["Vary"]


def test_the_full_page_includes_the_live_inbox_and_our_script_only(
    team: dict[str, User], tickets: dict[str, Ticket]
) -> None:
    response = signed_in(team["agent"]).get(reverse("ticket_list"))

    html = response.content.decode()
    assert '<tbody id="inbox-rows">' in html
    assert '<script src="/static/workspace/inbox.js" defer></script>' in html
    assert "<script>" not in html
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"


def test_markup_in_subject_sender_and_message_is_shown_as_text(
    account: SellerAccount, team: dict[str, User]
) -> None:
    ticket = make_ticket(account, due_in=5 * H, subject='<script>alert("s")</script>')
    add_message(ticket, "<img src=x onerror=alert(1)> hi", sender_name="<b>Mallory</b>")

    html = signed_in(team["agent"]).get(reverse("ticket_list")).content.decode()

    assert "&lt;script&gt;alert(&quot;s&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt; hi" in html
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert "<img src=x" not in html and "<b>Mallory" not in html


def _fill(account: SellerAccount, count: int, user: User) -> None:
    for n in range(count):
        ticket = make_ticket(
            account,
            due_in=(n - 3) * H,
            assignee=user if n % 2 else None,
            order_number=str(1000 + n) if n % 3 else "",
        )
        add_message(ticket, f"message {n}")
        actions.add_tags(ticket, [f"tag{n % 4}", "vip"], actor=user)


@pytest.mark.parametrize("htmx", [False, True])
def test_query_count_is_the_same_for_3_and_40_rows(
    account: SellerAccount,
    team: dict[str, User],
    django_assert_num_queries: Callable[..., Any],
    htmx: bool,
) -> None:
    client = signed_in(team["agent"])
    headers = {"HX-Request": "true"} if htmx else {}
    # session, user, role (for the page), role (for visible tickets), page keys, rows,
    # tags, latest messages, counts, the bell; the full page adds its choices: role (for
    # visible accounts), accounts, tags, assignable teammates.
    expected = 10 if htmx else 14
    _fill(account, 3, team["agent"])
    with django_assert_num_queries(expected):
        few = client.get(reverse("ticket_list"), headers=headers)
    _fill(account, 37, team["agent"])
    with django_assert_num_queries(expected):
        many = client.get(reverse("ticket_list"), headers=headers)

    assert few.content.decode().count("data-ticket=") == 3
    assert many.content.decode().count("data-ticket=") == 40


def test_a_long_inbox_pages_by_keyset_with_a_next_link(
    account: SellerAccount, team: dict[str, User]
) -> None:
    for n in range(PAGE_SIZE + 5):
        make_ticket(account, due_in=(n + 3) * H)
    client = signed_in(team["agent"])

    first = client.get(reverse("ticket_list") + "?intent=other").content.decode()
    link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(link).content.decode()

    assert first.count("data-ticket=") == PAGE_SIZE
    assert "intent=other" in link and "after=" in link and "offset" not in link
    assert second.count("data-ticket=") == 5
    assert 'rel="next"' not in second


# --- bulk -------------------------------------------------------------------------------


def history(*ts: Ticket) -> list[tuple[int, str]]:
    return list(
        TicketEvent.objects.filter(ticket__in=ts).order_by("pk").values_list("ticket_id", "kind")
    )


def test_bulk_assign_gives_every_checked_ticket_to_the_teammate(
    account: SellerAccount, team: dict[str, User]
) -> None:
    one, two = make_ticket(account, due_in=H), make_ticket(account, due_in=2 * H)
    bob = make_member("bob", Role.AGENT, [account])

    response = signed_in(team["agent"]).post(
        reverse("ticket_bulk"),
        {"ticket": [one.pk, two.pk], "do": "assign", "assignee": bob.pk, "back": "view=mine"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_list") + "?view=mine"
    assert set(Ticket.objects.values_list("assignee_id", flat=True)) == {bob.pk}
    assert history(one, two) == [(one.pk, "assigned"), (two.pk, "assigned")]


def test_bulk_assign_refused_for_one_ticket_applies_the_others_and_names_the_refused(
    account: SellerAccount, other_account: SellerAccount, team: dict[str, User]
) -> None:
    admin = team["admin"]
    ours = make_ticket(account, due_in=H)
    theirs = make_ticket(other_account, due_in=H)
    # alice may see Cedar Goods only: she can take ours, not Trailhead's.
    client = signed_in(admin)

    response = client.post(
        reverse("ticket_bulk"),
        {"ticket": [ours.pk, theirs.pk], "do": "assign", "assignee": team["agent"].pk},
        follow=True,
    )

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.assignee_id == team["agent"].pk
    assert theirs.assignee_id is None
    assert history(theirs) == []
    text = response.content.decode()
    assert "Done for 1 ticket." in text
    assert f"#{theirs.pk}: alice may not see Trailhead" in text


def test_bulk_on_a_ticket_the_user_may_not_see_changes_nothing_and_does_not_reveal_it(
    account: SellerAccount, other_account: SellerAccount, team: dict[str, User]
) -> None:
    ours = make_ticket(account, due_in=H)
    theirs = make_ticket(other_account, due_in=H)

    response = signed_in(team["agent"]).post(
        reverse("ticket_bulk"),
        {"ticket": [ours.pk, theirs.pk, 999999], "do": "status", "status": "pending"},
        follow=True,
    )

    text = response.content.decode()
    assert Ticket.objects.get(pk=ours.pk).status == Ticket.Status.PENDING
    assert Ticket.objects.get(pk=theirs.pk).status == Ticket.Status.OPEN
    assert history(theirs) == []
    assert f"#{theirs.pk}: not found" in text and "#999999: not found" in text
    assert "Trailhead" not in text


def test_bulk_tag_and_untag(account: SellerAccount, team: dict[str, User]) -> None:
    one, two = make_ticket(account, due_in=H), make_ticket(account, due_in=2 * H)
    client = signed_in(team["agent"])

    client.post(reverse("ticket_bulk"), {"ticket": [one.pk, two.pk], "do": "tag", "tag": "VIP"})
    assert list(one.tags.values_list("name", flat=True)) == ["vip"]
    assert list(two.tags.values_list("name", flat=True)) == ["vip"]

    client.post(reverse("ticket_bulk"), {"ticket": [two.pk], "do": "untag", "tag": "vip"})
    assert list(one.tags.values_list("name", flat=True)) == ["vip"]
    assert list(two.tags.values_list("name", flat=True)) == []
    assert history(one, two) == [
        (one.pk, "tags_added"),
        (two.pk, "tags_added"),
        (two.pk, "tag_removed"),
    ]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"do": "tag", "tag": "<b>x</b>"}, "use letters, digits"),
        ({"do": "status", "status": "closed"}, "closing needs a root cause"),
        ({"do": "status", "status": "nonsense"}, "Choose a status"),
        ({"do": "assign", "assignee": "424242"}, "No such teammate"),
        ({"do": "explode"}, "Choose what to do"),
    ],
)
def test_bad_bulk_forms_change_nothing(
    account: SellerAccount, team: dict[str, User], form: dict[str, str], message: str
) -> None:
    ticket = make_ticket(account, due_in=H)

    response = signed_in(team["agent"]).post(
        reverse("ticket_bulk"), {"ticket": [ticket.pk], **form}, follow=True
    )

    assert message in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id) == (Ticket.Status.OPEN, None)
    assert history(ticket) == []
    assert Tag.objects.count() == 0


def test_bulk_with_nothing_checked_says_so(team: dict[str, User]) -> None:
    response = signed_in(team["agent"]).post(
        reverse("ticket_bulk"), {"do": "assign", "assignee": "me"}, follow=True
    )

    assert "Select at least one ticket." in response.content.decode()


@pytest.mark.parametrize("who", ["warehouse", "outsider"])
def test_bulk_is_forbidden_to_warehouse_staff_and_outsiders(
    tickets: dict[str, Ticket], team: dict[str, User], who: str
) -> None:
    ticket = tickets["ours"]

    response = signed_in(team[who]).post(
        reverse("ticket_bulk"), {"ticket": [ticket.pk], "do": "assign", "assignee": "me"}
    )

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    assert history(ticket) == []


def test_the_back_field_only_ever_leads_to_the_inbox(
    account: SellerAccount, team: dict[str, User]
) -> None:
    ticket = make_ticket(account, due_in=H)
    client = signed_in(team["agent"])

    for back, location in (
        ("//evil.example/x", "/tickets/"),
        ("https://evil.example/?view=mine", "/tickets/"),
        (
            "view=cases&tag=vip&after=2.1700000000000000.5&junk=1",
            "/tickets/?view=cases&tag=vip&after=2.1700000000000000.5",
        ),
    ):
        response = client.post(
            reverse("ticket_bulk"),
            {"ticket": [ticket.pk], "do": "assign", "assignee": "me", "back": back},
        )
        assert response["Location"] == location


def test_signing_in_lands_in_the_inbox(account: SellerAccount) -> None:
    make_member("alice", Role.AGENT, [account])
    client = Client()

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_list")
