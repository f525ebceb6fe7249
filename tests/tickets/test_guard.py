"""The compliance guard wired into replies: a blocked reply never reaches the outbox, an
override needs the permission and a reason and is recorded, and the composer shows findings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from sellerdesk.lib.clock import FrozenClock
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import IncomingMessage
from sellerdesk.tickets.models import Outbox, Ticket, TicketEvent
from tests.factories import make_account, make_member

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
RELAY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9@relay.walmart.com"
BLOCKED = "Visit our store at example-shop.com for 10% off"
FINE = "Your UPS tracking number is 1Z999AA10123456784"


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@pytest.fixture
def ticket() -> Ticket:
    account = make_account(
        "Acme", support_address="care@acme.example", sender_address="care@acme.example"
    )
    ticket, _ = actions.open_ticket(
        account=account,
        incoming=IncomingMessage(
            kind="buyer_walmart",
            sender=RELAY,
            sender_name="Jane",
            recipients=["care@acme.example"],
            subject="Where is my order?",
            text="Where is it?",
            new_text="Where is it?",
            html="",
            truncated=False,
            message_id="q1@relay",
            in_reply_to="",
            references=[],
            received_at=NOW,
            raw=b"raw",
        ),
        kind="buyer_walmart",
        intent="where_is_my_order",
        relay_address=RELAY,
        customer=None,
        order=None,
        order_number="",
        needs_reply=True,
        one_hour_deadline=False,
        clock=FrozenClock(NOW),
    )
    return ticket


def test_a_blocked_reply_is_refused_and_nothing_is_queued(ticket: Ticket) -> None:
    with pytest.raises(actions.ComplianceBlocked) as refused:
        actions.do_reply(ticket, author=None, text=BLOCKED)
    assert refused.value.verdict.verdict == "block"
    assert {f.rule for f in refused.value.verdict.findings} >= {"link"}
    assert not Outbox.objects.exists()
    assert not ticket.messages.filter(direction="out").exists()
    assert not TicketEvent.objects.filter(kind="replied").exists()


def test_a_compliant_reply_is_queued(ticket: Ticket) -> None:
    reply = actions.do_reply(ticket, author=None, text=FINE)
    assert reply.outbox.state == "queued"


def test_an_override_needs_the_permission_and_a_reason(ticket: Ticket) -> None:
    agent = make_member("alice", Role.AGENT, [ticket.account])
    with pytest.raises(actions.ComplianceBlocked):
        actions.do_reply(ticket, author=agent, text=BLOCKED, override_reason="the buyer asked")
    agent.user_permissions.add(Permission.objects.get(codename="override_compliance"))
    agent = type(agent).objects.get(pk=agent.pk)  # permissions are cached per instance
    with pytest.raises(actions.ComplianceBlocked):
        actions.do_reply(ticket, author=agent, text=BLOCKED, override_reason="  ")
    reply = actions.do_reply(ticket, author=agent, text=BLOCKED, override_reason="the buyer asked")
    assert reply.outbox.state == "queued"
    event = TicketEvent.objects.get(kind="compliance_override")
    assert event.actor_id == agent.pk
    assert event.data["reason"] == "the buyer asked"
    assert "link" in {f["rule"] for f in event.data["findings"]}


def test_the_composer_shows_findings_as_the_agent_types(ticket: Ticket) -> None:
    agent = make_member("alice", Role.AGENT, [ticket.account])
    client = Client()
    client.force_login(agent)
    url = reverse("ticket_check", args=[ticket.pk])
    blocked = client.post(url, {"text": BLOCKED}).content.decode()
    assert "Blocked" in blocked
    assert '<mark class="block">example-shop.com</mark>' in blocked
    fine = client.post(url, {"text": FINE}).content.decode()
    assert "No problems found" in fine
    assert "<mark" not in fine


def test_a_blocked_send_comes_back_with_the_draft_and_the_findings(ticket: Ticket) -> None:
    agent = make_member("alice", Role.AGENT, [ticket.account])
    client = Client()
    client.force_login(agent)
    page = client.post(reverse("ticket_reply", args=[ticket.pk]), {"text": BLOCKED})
    assert page.status_code == 422
    text = page.content.decode()
    assert BLOCKED in text  # the draft, kept in the textarea
    assert '<mark class="block">' in text
    assert not Outbox.objects.exists()


def test_the_check_endpoint_is_404_for_a_ticket_of_another_account(ticket: Ticket) -> None:
    other = make_member("bob", Role.AGENT, [make_account("Other")])
    client = Client()
    client.force_login(other)
    assert client.post(reverse("ticket_check", args=[ticket.pk]), {"text": FINE}).status_code == 404


def test_compliance_settings_are_for_admins_and_switch_warn_rules_only(ticket: Ticket) -> None:
    admin = make_member("ada", Role.ADMIN)
    agent = make_member("alice", Role.AGENT, [ticket.account])
    url = reverse("compliance_settings")
    agent_client = Client()
    agent_client.force_login(agent)
    assert agent_client.get(url).status_code == 404
    client = Client()
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "Acme" in page
    assert "always" in page  # block-level rules cannot be switched off
    # Everything unticked: only the warn-level rules go off.
    assert client.post(url, {"account": ticket.account.pk}).status_code == 302
    ticket.account.refresh_from_db()
    assert ticket.account.compliance_disabled_rules == ["review_request"]
