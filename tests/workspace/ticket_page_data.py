"""Shared pieces of the ticket-page view tests: a team with every role, a ticket with a
conversation of any length (buyer messages, our replies, internal notes), signed-in clients."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import FrozenClock
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import IncomingFile
from sellerdesk.tickets.models import Message, Note, Outbox, Ticket, TicketEvent
from tests.factories import make_member, make_outsider
from tests.tickets.ticket_builders import START, acme, buyer_writes, open_buyer_ticket

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def make_team(account: SellerAccount) -> dict[str, User]:
    """Allowed users (admin, the account's agent), the other role (the account's warehouse
    member), and people who may not see the account (another account's agent, an outsider)."""
    other = acme("Trailhead", support_address="help@trail.example")
    return {
        "admin": make_member("ada", Role.ADMIN),
        "agent": make_member("alice", Role.AGENT, [account]),
        "teammate": make_member("bob", Role.AGENT, [account]),
        "warehouse": make_member("wes", Role.WAREHOUSE, [account]),
        "other_agent": make_member("oscar", Role.AGENT, [other]),
        "outsider": make_outsider(),
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def conversation(account: SellerAccount, author: User, rounds: int) -> Ticket:
    """A ticket with `rounds` rounds of: a buyer message (with an attachment), our reply,
    an internal note; plus the history all that writes."""
    clock = FrozenClock(START)
    ticket = open_buyer_ticket(account, clock)
    for index in range(rounds):
        clock.advance(timedelta(minutes=10))
        buyer_writes(
            ticket,
            clock,
            f"Buyer message {index}",
            attachments=(IncomingFile(f"photo{index}.jpg", "image/jpeg", b"jpeg"),),
        )
        clock.advance(timedelta(minutes=10))
        actions.do_reply(ticket, author=author, text=f"Our reply {index}", clock=clock)
        clock.advance(timedelta(minutes=10))
        actions.add_note(ticket, f"Note {index} for @bob", author=author, clock=clock)
    ticket.refresh_from_db()
    return ticket


def snapshot(*tickets: Ticket) -> list[tuple[object, ...]]:
    """What any ticket form may change, to prove a refused one changed nothing."""
    rows: list[tuple[object, ...]] = []
    for ticket in tickets:
        ticket.refresh_from_db()
        rows.append(
            (
                ticket.status,
                ticket.root_cause,
                ticket.assignee_id,
                ticket.snoozed_until,
                ticket.merged_into_id,
                ticket.version,
                sorted(ticket.tags.values_list("name", flat=True)),
                sorted(ticket.messages.values_list("pk", flat=True)),
            )
        )
    rows.append(
        (
            Ticket.objects.count(),
            Message.objects.count(),
            Note.objects.count(),
            Outbox.objects.count(),
            TicketEvent.objects.count(),
        )
    )
    return rows
