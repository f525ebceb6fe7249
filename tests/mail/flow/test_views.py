"""Ticket pages for each role and an outsider; replying and relinking through the pages;
mail HTML and attachments served so that nothing from a buyer runs in our origin."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail.ingest import ingest
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Attachment, Message, Outbox, Ticket, TicketEvent
from tests.factories import make_account, make_member, make_outsider
from tests.mail.flow.conftest import SENDER, WALMART_RELAY, fixture, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(account: SellerAccount) -> Ticket:
    return Ticket.objects.get(pk=ingest(fixture("walmart_relay_damaged_item")).ticket_id)


@pytest.fixture
def team(account: SellerAccount) -> dict[str, User]:
    other = make_account("Trailhead")
    return {
        "admin": make_member("ada", Role.ADMIN),
        "agent": make_member("alice", Role.AGENT, [account]),
        "other_agent": make_member("oscar", Role.AGENT, [other]),
        "outsider": make_outsider(),
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snapshot(ticket: Ticket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.order_id,
        ticket.order_number,
        ticket.version,
        Message.objects.count(),
        Outbox.objects.count(),
        TicketEvent.objects.count(),
    )


@pytest.mark.parametrize(("who", "sees"), [("admin", True), ("agent", True)])
def test_allowed_users_see_the_ticket_in_the_list_and_its_page(
    ticket: Ticket, team: dict[str, User], who: str, sees: bool
) -> None:
    client = signed_in(team[who])

    listing = client.get(reverse("ticket_list"))
    page = client.get(reverse("ticket_detail", args=[ticket.pk]))

    assert listing.status_code == 200
    assert ticket.subject in listing.content.decode()
    assert page.status_code == 200
    assert WALMART_RELAY in page.content.decode()
    assert "IMG_2041.JPG" in page.content.decode()
    # Scripts only from our own origin (htmx for the live compliance check), never inline.
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"


@pytest.mark.parametrize("who", ["other_agent", "outsider"])
def test_users_without_the_account_get_404_and_an_empty_list(
    ticket: Ticket, team: dict[str, User], who: str
) -> None:
    client = signed_in(team[who])
    attachment = Attachment.objects.get()
    message = Message.objects.get()

    listing = client.get(reverse("ticket_list"))

    assert listing.status_code in (200, 403)
    assert ticket.subject not in listing.content.decode()
    for url in (
        reverse("ticket_detail", args=[ticket.pk]),
        reverse("message_html", args=[ticket.pk, message.pk]),
        reverse("attachment_download", args=[ticket.pk, attachment.pk]),
    ):
        assert client.get(url).status_code == 404
    before = snapshot(ticket)
    assert client.post(reverse("ticket_reply", args=[ticket.pk]), {"text": "hi"}).status_code == 404
    assert (
        client.post(reverse("ticket_update", args=[ticket.pk]), {"status": "closed"}).status_code
        == 404
    )
    assert snapshot(ticket) == before


def test_anonymous_is_sent_to_sign_in(ticket: Ticket) -> None:
    client = Client()
    for url in (reverse("ticket_list"), reverse("ticket_detail", args=[ticket.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    before = snapshot(ticket)
    assert client.post(reverse("ticket_reply", args=[ticket.pk]), {"text": "hi"}).status_code == 302
    assert snapshot(ticket) == before


def test_reply_from_the_page_queues_exactly_one_outbox_to_the_relay(
    ticket: Ticket, team: dict[str, User]
) -> None:
    client = signed_in(team["agent"])

    response = client.post(reverse("ticket_reply", args=[ticket.pk]), {"text": " On its way. "})

    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_detail", args=[ticket.pk])
    outbox = Outbox.objects.get()
    assert (outbox.state, outbox.sender, outbox.recipients) == ("queued", SENDER, [WALMART_RELAY])
    assert outbox.message.text == "On its way."
    assert outbox.message.author == team["agent"]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_empty_reply_is_refused_and_changes_nothing(ticket: Ticket, team: dict[str, User]) -> None:
    before = snapshot(ticket)

    response = signed_in(team["agent"]).post(
        reverse("ticket_reply", args=[ticket.pk]), {"text": "  "}
    )

    assert response.status_code == 302
    assert snapshot(ticket) == before


def test_agent_relinks_the_order_from_the_page_with_an_event(
    account: SellerAccount, team: dict[str, User]
) -> None:
    linked = make_order(account, "2345678901234")
    other = make_order(account, "5555555555555", "200055555555555")
    ticket = Ticket.objects.get(pk=ingest(fixture("walmart_relay_damaged_item")).ticket_id)
    assert ticket.order == linked
    client = signed_in(team["agent"])

    response = client.post(
        reverse("ticket_update", args=[ticket.pk]), {"order_number": "200055555555555"}
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.order, ticket.order_number) == (other, "5555555555555")
    event = TicketEvent.objects.get(ticket=ticket, kind="order_linked")
    assert event.actor == team["agent"]
    assert event.data == {"previous": "2345678901234", "order": "5555555555555"}


def test_relinking_to_an_unknown_order_changes_nothing(
    account: SellerAccount, team: dict[str, User]
) -> None:
    make_order(account, "2345678901234")
    ticket = Ticket.objects.get(pk=ingest(fixture("walmart_relay_damaged_item")).ticket_id)
    assert ticket.order is not None
    before = snapshot(ticket)

    signed_in(team["agent"]).post(
        reverse("ticket_update", args=[ticket.pk]), {"order_number": "0000000000000"}
    )

    assert snapshot(ticket) == before


def test_message_html_is_sandboxed_and_loads_remote_images_only_when_asked(
    account: SellerAccount, team: dict[str, User]
) -> None:
    ticket_id = ingest(fixture("spam_marketing")).ticket_id
    message = Message.objects.get(ticket_id=ticket_id)
    assert "data-remote-src=" in message.html
    client = signed_in(team["agent"])
    url = reverse("message_html", args=[ticket_id, message.pk])

    blocked = client.get(url)
    shown = client.get(url + "?images=1")

    assert blocked.status_code == shown.status_code == 200
    csp = blocked["Content-Security-Policy"]
    assert "sandbox" in csp and "img-src data:" in csp and "script-src" not in csp
    assert re.search(rb"\ssrc=[\"']https?:", blocked.content) is None
    assert "sandbox" in shown["Content-Security-Policy"]
    assert "img-src https: http:" in shown["Content-Security-Policy"]
    assert re.search(rb"\ssrc=[\"']https?:", shown.content) is not None


def test_hostile_html_page_holds_no_script_or_event_handler(
    account: SellerAccount, team: dict[str, User]
) -> None:
    ticket_id = ingest(fixture("html_hostile"), account=account).ticket_id
    message = Message.objects.get(ticket_id=ticket_id)

    body = signed_in(team["agent"]).get(reverse("message_html", args=[ticket_id, message.pk]))

    html = body.content.decode().lower()
    assert "<script" not in html
    assert re.search(r"<[^>]*\son[a-z]+\s*=", html) is None


def test_attachment_downloads_as_opaque_bytes(ticket: Ticket, team: dict[str, User]) -> None:
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as handle:
        stored = handle.read()

    response = signed_in(team["agent"]).get(
        reverse("attachment_download", args=[ticket.pk, attachment.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="IMG_2041.JPG"'
    assert b"".join(response.streaming_content) == stored  # type: ignore[attr-defined]
