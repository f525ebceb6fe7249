"""The ticket stream over the real ASGI application: presence and typing between two
agents, permissions on connect and on every message, the soft claim, and live changes."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session

from sellerdesk.realtime import presence
from sellerdesk.runtime.server import build_application
from sellerdesk.team.models import Role, TeamMember, TeamSettings
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Ticket, TicketEvent
from tests.factories import make_member, make_outsider
from tests.realtime.sockets import Socket, is_presence, presence_of, session_cookie
from tests.realtime.support import buyer_writes, fresh, open_ticket, shop

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app() -> Any:
    return build_application(run_consumer=False)


def page(app: Any, ticket: Ticket, user: User | None) -> Socket:
    return Socket(app, f"/ws/tickets/{ticket.pk}/", session_cookie(user) if user else "")


def test_two_agents_see_each_other_viewing_typing_and_leaving(app: Any) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.AGENT, [account])
    ticket = open_ticket(account)

    a, b = page(app, ticket, alice), page(app, ticket, bob)

    async def scenario() -> list[dict[str, Any]]:
        assert await a.connect()
        hello = await a.receive()
        await a.until(is_presence({"alice": "viewing"}))
        assert await b.connect()
        seen = [hello]
        seen.append(await b.until(is_presence({"alice": "viewing", "bob": "viewing"})))
        await a.until(is_presence({"alice": "viewing", "bob": "viewing"}))
        await a.send({"type": "typing", "ticket": ticket.pk, "kind": "reply"})
        seen.append(await b.until(is_presence({"alice": "reply", "bob": "viewing"})))
        await a.send({"type": "typing", "ticket": ticket.pk, "kind": "note"})
        seen.append(await b.until(is_presence({"alice": "note", "bob": "viewing"})))
        await a.send({"type": "idle", "ticket": ticket.pk})
        seen.append(await b.until(is_presence({"alice": "viewing", "bob": "viewing"})))
        await a.close()  # the tab closes: gone at once, not after the TTL
        seen.append(await b.until(is_presence({"bob": "viewing"})))
        await b.close()
        return seen

    hello, both, typing, note, idle, left = async_to_sync(scenario)()
    assert hello == {"type": "hello", "ticket": ticket.pk, "version": 1, "user": alice.pk}
    assert [v["name"] for v in both["viewers"]] == ["alice", "bob"]
    assert typing["viewers"][0]["typing_for"] == 6.0
    assert note["viewers"][0]["activity"] == "note"
    assert idle["viewers"][0]["typing_for"] == 0.0
    assert left["viewers"][0]["name"] == "bob"
    # Nobody left behind in the cache once both tabs closed.
    assert presence.current(ticket.pk).viewers == ()


def test_a_heartbeat_is_answered_with_fresh_presence_for_the_sender_only(app: Any) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.AGENT, [account])
    ticket = open_ticket(account)

    a, b = page(app, ticket, alice), page(app, ticket, bob)

    async def scenario() -> tuple[dict[str, Any], bool]:
        await a.connect()
        await b.connect()
        await a.until(is_presence({"alice": "viewing", "bob": "viewing"}))
        await b.until(is_presence({"alice": "viewing", "bob": "viewing"}))
        await a.send({"type": "heartbeat", "ticket": ticket.pk})
        answer = await a.until(lambda m: m["type"] == "presence")
        quiet = await b.silent()
        await a.close()
        await b.close()
        return answer, quiet

    answer, quiet = async_to_sync(scenario)()
    assert presence_of(answer) == {"alice": "viewing", "bob": "viewing"}
    assert quiet is True


@pytest.mark.parametrize("who", ["anonymous", "outsider", "other_account_agent", "nobody_ticket"])
def test_connect_is_refused_to_whoever_may_not_see_the_ticket(app: Any, who: str) -> None:
    account, other = shop("Acme"), shop("Other")
    make_member("alice", Role.AGENT, [account])
    ticket = open_ticket(account)
    user: User | None = {
        "anonymous": None,
        "outsider": make_outsider(),
        "other_account_agent": make_member("olga", Role.AGENT, [other]),
        "nobody_ticket": make_member("nina", Role.AGENT, [account]),
    }[who]
    path_ticket = ticket.pk + 1000 if who == "nobody_ticket" else ticket.pk

    socket = Socket(app, f"/ws/tickets/{path_ticket}/", session_cookie(user) if user else "")

    async def scenario() -> tuple[bool, int | None]:
        return await socket.connect(), socket.close_code

    assert async_to_sync(scenario)() == (False, 4403)
    # Refused sockets leave no trace.
    assert presence.current(ticket.pk).viewers == ()


def test_a_socket_from_another_site_is_refused(app: Any) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    ticket = open_ticket(account)

    socket = Socket(
        app, f"/ws/tickets/{ticket.pk}/", session_cookie(alice), origin="https://evil.example"
    )

    async def scenario() -> bool:
        return await socket.connect()

    assert async_to_sync(scenario)() is False


def test_warehouse_staff_who_see_the_account_may_follow_the_ticket(app: Any) -> None:
    account = shop()
    walt = make_member("walt", Role.WAREHOUSE, [account])
    ticket = open_ticket(account)

    socket = page(app, ticket, walt)

    async def scenario() -> dict[str, Any]:
        assert await socket.connect()
        seen = await socket.until(is_presence({"walt": "viewing"}))
        await socket.close()
        return seen

    assert async_to_sync(scenario)()["ticket"] == ticket.pk


def test_a_message_naming_another_ticket_is_refused_and_changes_nothing(app: Any) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.AGENT, [account])
    ticket, other = open_ticket(account), open_ticket(account)

    a, b = page(app, ticket, alice), page(app, ticket, bob)

    async def scenario() -> tuple[list[dict[str, Any]], bool, dict[str, str]]:
        await a.connect()
        await b.connect()
        await a.until(is_presence({"alice": "viewing", "bob": "viewing"}))
        await b.until(is_presence({"alice": "viewing", "bob": "viewing"}))
        answers = []
        for bad in (
            {"type": "typing", "ticket": other.pk, "kind": "reply"},
            {"type": "typing", "ticket": ticket.pk, "kind": "poem"},
            {"type": "typing", "kind": "reply"},
            {"type": "delete_everything", "ticket": ticket.pk},
            ["typing"],
        ):
            await a.send(bad)
            answers.append(await a.receive())
        quiet = await b.silent()
        now_on = await database_sync_to_async(presence.current)(ticket.pk)
        await a.close()
        await b.close()
        return answers, quiet, {v.name: v.activity for v in now_on.viewers}

    answers, quiet, now_on = async_to_sync(scenario)()
    assert [(m["type"], m["code"]) for m in answers] == [
        ("error", "wrong_ticket"),
        ("error", "malformed"),
        ("error", "malformed"),
        ("error", "unknown_type"),
        ("error", "malformed"),
    ]
    assert quiet is True  # bob heard nothing: no typing was recorded
    assert presence.current(other.pk).viewers == ()
    assert now_on == {"alice": "viewing", "bob": "viewing"}


def remove_from_account(user: User) -> None:
    TeamMember.objects.get(user=user).accounts.clear()


def test_losing_the_account_closes_the_socket_at_the_next_message(app: Any) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.AGENT, [account])
    ticket = open_ticket(account)

    a, b = page(app, ticket, alice), page(app, ticket, bob)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        await a.connect()
        await b.connect()
        await b.until(is_presence({"alice": "viewing", "bob": "viewing"}))
        await database_sync_to_async(remove_from_account)(alice)
        await a.send({"type": "typing", "ticket": ticket.pk, "kind": "reply"})
        closed = await a.until(lambda m: m["type"] == "<closed>")
        await a.close()  # the server side of the close: the consumer's disconnect runs
        after = await b.until(is_presence({"bob": "viewing"}))
        await b.close()
        return closed, after

    closed, after = async_to_sync(scenario)()
    assert closed == {"type": "<closed>", "code": 4403}
    assert after["claim"] is None  # the refused typing claimed nothing


def test_signing_out_closes_the_socket_at_the_next_message(app: Any) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    ticket = open_ticket(account)

    a = page(app, ticket, alice)

    async def scenario() -> dict[str, Any]:
        await a.connect()
        await a.until(is_presence({"alice": "viewing"}))
        await database_sync_to_async(Session.objects.all().delete)()
        await a.send({"type": "heartbeat", "ticket": ticket.pk})
        closed = await a.until(lambda m: m["type"] == "<closed>")
        await a.close()
        return closed

    assert async_to_sync(scenario)() == {"type": "<closed>", "code": 4403}
    assert presence.current(ticket.pk).viewers == ()


@pytest.mark.parametrize("claim_assigns", [False, True])
def test_the_first_agent_typing_a_reply_is_shown_as_replying(app: Any, claim_assigns: bool) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.AGENT, [account])
    TeamSettings.objects.update_or_create(pk=1, defaults={"claim_assigns": claim_assigns})
    ticket = open_ticket(account)

    a, b = page(app, ticket, alice), page(app, ticket, bob)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        await a.connect()
        await b.connect()
        await a.until(is_presence({"alice": "viewing", "bob": "viewing"}))
        await b.until(is_presence({"alice": "viewing", "bob": "viewing"}))
        await a.send({"type": "typing", "ticket": ticket.pk, "kind": "reply"})
        first = await b.until(is_presence({"alice": "reply", "bob": "viewing"}))
        await b.send({"type": "typing", "ticket": ticket.pk, "kind": "reply"})
        second = await a.until(is_presence({"alice": "reply", "bob": "reply"}))
        await a.close()
        await b.close()
        return first, second

    first, second = async_to_sync(scenario)()
    assert first["claim"] == {"user": alice.pk, "name": "alice"}
    assert second["claim"] == {"user": alice.pk, "name": "alice"}  # bob came second
    ticket = fresh(ticket)
    assigned = list(
        TicketEvent.objects.filter(ticket=ticket, kind="assigned").values_list("actor", flat=True)
    )
    if claim_assigns:
        assert ticket.assignee_id == alice.pk
        assert assigned == [alice.pk]
    else:
        assert ticket.assignee_id is None
        assert assigned == []
    assert ticket.version == 1  # an assignment is not a change of the conversation


def test_an_assigned_ticket_is_not_claimed_by_typing(app: Any) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.AGENT, [account])
    ticket = open_ticket(account)
    actions.assign(ticket, bob, actor=bob)

    a = page(app, ticket, alice)

    async def scenario() -> dict[str, Any]:
        await a.connect()
        await a.send({"type": "typing", "ticket": ticket.pk, "kind": "reply"})
        seen = await a.until(is_presence({"alice": "reply"}))
        await a.close()
        return seen

    assert async_to_sync(scenario)()["claim"] is None


def test_changes_reach_the_open_page_after_they_commit(app: Any) -> None:
    account = shop()
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.AGENT, [account])
    ticket = open_ticket(account)

    b = page(app, ticket, bob)

    async def scenario() -> list[dict[str, Any]]:
        await b.connect()
        await b.until(is_presence({"bob": "viewing"}))
        changed = []
        steps = [
            lambda: buyer_writes(fresh(ticket), "Any news?"),
            lambda: actions.add_note(fresh(ticket), "Carrier says Monday", author=alice),
            lambda: actions.send_reply(
                fresh(ticket), author=alice, text="It arrives Monday.", seen_version=3
            ),
            lambda: actions.set_status(fresh(ticket), "waiting_on_warehouse", actor=alice),
        ]
        for step in steps:
            await database_sync_to_async(step)()
            changed.append(await b.until(lambda m: m["type"] == "ticket.changed"))
        await b.close()
        return changed

    changed = async_to_sync(scenario)()
    assert [(m["version"], m["kinds"], m["actor"]) for m in changed] == [
        (2, ["message_received"], None),
        (3, ["note_added"], "alice"),
        (4, ["replied"], "alice"),
        (4, ["status_changed"], "alice"),  # not a conversation change: the version stays
    ]
    assert all(m["ticket"] == ticket.pk and m["account"] == account.pk for m in changed)
