"""The snippet pages: the composer's picker (each role, the ticket's intent first, rendered
for the ticket, missing values named) and the settings pages (admins only; saving checks
variables and the marketplace's rules; retiring)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from sellerdesk.snippets.models import Snippet
from sellerdesk.snippets.starter import STARTER_LIBRARY
from sellerdesk.tickets.models import Ticket
from tests.snippets.conftest import signed_in

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
PROMOTION = "Hi {buyer_first_name}, visit our store at example-shop.com for 10% off!"


def titles(html: str) -> list[str]:
    return re.findall(r'data-title="([^"]+)"', html)


# --- the picker ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "agent", "warehouse"])
def test_the_picker_offers_the_tickets_intent_first_rendered_for_its_order(
    shipped_ticket: Ticket, team: dict[str, User], who: str
) -> None:
    response = signed_in(team[who]).get(reverse("snippet_picker", args=[shipped_ticket.pk]), **HX)

    html = response.content.decode()
    assert response.status_code == 200
    offered = titles(html)
    wismo = sorted(s.title for s in STARTER_LIBRARY if s.intent == "where_is_my_order")
    assert offered[: len(wismo)] == wismo
    assert len(offered) == len(STARTER_LIBRARY)
    assert "<html" not in html  # a fragment for htmx
    on_its_way = html.split('data-title="Where is my order: on its way"')[1].split("</li>")[0]
    # What will be inserted: carrier and date filled in, the date in Chicago time.
    assert "left our warehouse on Friday, November 27 with UPS" in on_its_way
    assert "The estimated delivery date is Tuesday, December 1." in on_its_way
    assert 'data-missing=""' in on_its_way


def test_the_picker_names_what_a_snippet_misses_on_this_ticket(
    unshipped_ticket: Ticket, team: dict[str, User]
) -> None:
    html = (
        signed_in(team["agent"])
        .get(
            reverse("snippet_picker", args=[unshipped_ticket.pk]),
            {"q": "where is my order on its way"},
            **HX,
        )
        .content.decode()
    )

    assert titles(html) == ["Where is my order: on its way"]
    assert 'data-missing="ship date, carrier, tracking number, tracking link"' in html
    assert "[missing: tracking number]" in html
    assert "data-snippet-insert-blanks" in html
    assert "data-snippet-insert>" not in html


def test_the_picker_warns_when_a_snippet_contradicts_the_order(
    unshipped_ticket: Ticket, team: dict[str, User]
) -> None:
    html = (
        signed_in(team["agent"])
        .get(
            reverse("snippet_picker", args=[unshipped_ticket.pk]),
            {"q": "where is my order on its way"},
            **HX,
        )
        .content.decode()
    )

    assert "⚠ The order has not shipped yet, but this says it has (“on its way”)." in html
    assert "contradicts the order" in html


def test_the_picker_searches_and_leaves_out_retired_and_other_marketplace_snippets(
    shipped_ticket: Ticket, team: dict[str, User]
) -> None:
    Snippet.objects.filter(title="Damaged: refund issued").update(active=False)
    Snippet.objects.create(
        title="Amazon only note", body="Hi", tier="general", marketplace="amazon"
    )
    client = signed_in(team["agent"])

    damaged = titles(
        client.get(
            reverse("snippet_picker", args=[shipped_ticket.pk]), {"q": "damaged"}, **HX
        ).content.decode()
    )
    everything = titles(
        client.get(reverse("snippet_picker", args=[shipped_ticket.pk]), **HX).content.decode()
    )

    assert damaged == ["Damaged: sorry, a photo please"]
    assert "Amazon only note" not in everything
    assert "Damaged: refund issued" not in everything


def test_without_javascript_the_picker_is_a_whole_page(
    shipped_ticket: Ticket, team: dict[str, User]
) -> None:
    response = signed_in(team["agent"]).get(reverse("snippet_picker", args=[shipped_ticket.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Snippets for #" in html


@pytest.mark.parametrize("who", ["other_agent", "outsider"])
def test_the_picker_is_404_for_users_who_may_not_see_the_ticket(
    shipped_ticket: Ticket, team: dict[str, User], who: str
) -> None:
    response = signed_in(team[who]).get(reverse("snippet_picker", args=[shipped_ticket.pk]), **HX)

    assert response.status_code == 404


def test_the_picker_costs_the_same_queries_for_any_number_of_snippets(
    shipped_ticket: Ticket,
    team: dict[str, User],
    django_assert_num_queries: pytest.FixtureRequest,
) -> None:
    client = signed_in(team["agent"])
    url = reverse("snippet_picker", args=[shipped_ticket.pk])
    # session, user, role, ticket, order lines, snippets, the bell's unread count
    with django_assert_num_queries(7):  # type: ignore[operator]
        client.get(url, **HX)
    Snippet.objects.bulk_create(
        Snippet(title=f"Extra {n}", body="Hi {buyer_first_name}", tier="general") for n in range(10)
    )
    with django_assert_num_queries(7):  # type: ignore[operator]
        client.get(url, **HX)


# --- the settings pages -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent", "warehouse", "other_agent", "outsider"])
def test_only_admins_reach_the_snippet_settings(team: dict[str, User], who: str) -> None:
    client = signed_in(team[who])
    snippet = Snippet.objects.get(title="Missing parts")
    before = list(Snippet.objects.values_list("pk", "title", "body", "active"))

    assert client.get(reverse("snippet_list")).status_code == 404
    assert client.get(reverse("snippet_add")).status_code == 404
    assert client.get(reverse("snippet_edit", args=[snippet.pk])).status_code == 404
    assert (
        client.post(
            reverse("snippet_edit", args=[snippet.pk]),
            {"title": "X", "tier": "general", "intent": "", "marketplace": "both", "body": "Hi"},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("snippet_retire", args=[snippet.pk]), {"active": "0"}).status_code
        == 404
    )
    assert list(Snippet.objects.values_list("pk", "title", "body", "active")) == before


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    from django.test import Client

    response = Client().get(reverse("snippet_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_shows_the_library_in_constant_queries(
    team: dict[str, User], django_assert_num_queries: pytest.FixtureRequest
) -> None:
    client = signed_in(team["admin"])
    # session, user, role (the admin check, then the header's), the bell, snippets
    with django_assert_num_queries(6):  # type: ignore[operator]
        first = client.get(reverse("snippet_list"))
    Snippet.objects.bulk_create(
        Snippet(title=f"Extra {n}", body="Hi", tier="general", updated_by=team["admin"])
        for n in range(10)
    )
    with django_assert_num_queries(6):  # type: ignore[operator]
        client.get(reverse("snippet_list"))

    assert first.status_code == 200
    assert all(s.title in first.content.decode() for s in STARTER_LIBRARY)


def test_an_admin_adds_a_snippet(team: dict[str, User]) -> None:
    response = signed_in(team["admin"]).post(
        reverse("snippet_add"),
        {
            "title": "Thanks for your patience",
            "tier": "in_transit",
            "intent": "where_is_my_order",
            "marketplace": "both",
            "body": "Hi {buyer_first_name}, thanks for your patience with order {order_number}.",
        },
    )

    snippet = Snippet.objects.get(title="Thanks for your patience")
    assert response.status_code == 302
    assert response["Location"] == reverse("snippet_edit", args=[snippet.pk])
    assert (snippet.created_by, snippet.updated_by, snippet.active) == (
        team["admin"],
        team["admin"],
        True,
    )


def test_a_snippet_that_always_violates_cannot_be_saved(team: dict[str, User]) -> None:
    snippet = Snippet.objects.get(title="Missing parts")
    before = (snippet.body, snippet.updated_by_id)
    client = signed_in(team["admin"])

    added = client.post(
        reverse("snippet_add"),
        {
            "title": "Sale",
            "tier": "general",
            "intent": "",
            "marketplace": "both",
            "body": PROMOTION,
        },
    )
    edited = client.post(
        reverse("snippet_edit", args=[snippet.pk]),
        {
            "title": snippet.title,
            "tier": snippet.tier,
            "intent": snippet.intent,
            "marketplace": snippet.marketplace,
            "body": PROMOTION,
        },
    )

    assert added.status_code == edited.status_code == 422
    assert "Walmart: link “example-shop.com”" in added.content.decode()
    assert "Amazon: promotion" in edited.content.decode()
    assert not Snippet.objects.filter(title="Sale").exists()
    snippet.refresh_from_db()
    assert (snippet.body, snippet.updated_by_id) == before


def test_an_unknown_variable_cannot_be_saved(team: dict[str, User]) -> None:
    response = signed_in(team["admin"]).post(
        reverse("snippet_add"),
        {
            "title": "Typo",
            "tier": "general",
            "intent": "",
            "marketplace": "both",
            "body": "Hi {buyer_frist_name}",
        },
    )

    assert response.status_code == 422
    assert "Unknown variable {buyer_frist_name}" in response.content.decode()
    assert not Snippet.objects.filter(title="Typo").exists()


def test_an_intent_of_another_tier_is_refused(team: dict[str, User]) -> None:
    response = signed_in(team["admin"]).post(
        reverse("snippet_add"),
        {
            "title": "Mixed",
            "tier": "pre_shipment",
            "intent": "damaged_item",
            "marketplace": "both",
            "body": "Hi",
        },
    )

    assert response.status_code == 422
    assert "This intent belongs to another tier." in response.content.decode()


def test_warnings_are_shown_after_the_save(team: dict[str, User]) -> None:
    response = signed_in(team["admin"]).post(
        reverse("snippet_add"),
        {
            "title": "Review please",
            "tier": "post_delivery",
            "intent": "",
            "marketplace": "walmart",
            "body": "Hi {buyer_first_name}, please leave a review of your {product_name}.",
        },
        follow=True,
    )

    assert Snippet.objects.filter(title="Review please").exists()
    assert "Check before use: Walmart: review_request" in response.content.decode()


def test_an_admin_edits_then_retires_and_restores_a_snippet(team: dict[str, User]) -> None:
    snippet = Snippet.objects.get(title="Missing parts")
    client = signed_in(team["admin"])

    page = client.get(reverse("snippet_edit", args=[snippet.pk]))
    assert "Preview with a sample order" in page.content.decode()
    assert "Ceramic Table Lamp arrived incomplete" in page.content.decode()
    client.post(
        reverse("snippet_edit", args=[snippet.pk]),
        {
            "title": "Missing parts",
            "tier": "post_delivery",
            "intent": "missing_parts",
            "marketplace": "walmart",
            "body": "Hi {buyer_first_name}, which parts of your {product_name} are missing?",
        },
    )
    snippet.refresh_from_db()
    assert snippet.marketplace == "walmart"
    assert snippet.updated_by == team["admin"]

    client.post(reverse("snippet_retire", args=[snippet.pk]), {"active": "0"})
    snippet.refresh_from_db()
    assert snippet.active is False
    client.post(reverse("snippet_retire", args=[snippet.pk]), {"active": "1"})
    snippet.refresh_from_db()
    assert snippet.active is True
