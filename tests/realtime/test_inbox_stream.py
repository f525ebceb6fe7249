"""The inbox stream: changes of the accounts a user sees (and only those), markers on the
tickets teammates have open, and access checked on every message."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from sellerdesk.runtime.server import build_application
from sellerdesk.team.models import Role, TeamMember
from sellerdesk.tickets import actions
from tests.factories import make_member, make_outsider
from tests.realtime.sockets import Socket, is_presence, session_cookie
from tests.realtime.support import buyer_writes, fresh, open_ticket, shop

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app() -> Any:
    return build_application(run_consumer=False)


def test_an_inbox_hears_changes_to_tickets_of_its_accounts_only(app: Any) -> None:
    acme, other = shop("Acme"), shop("Other")
    alice = make_member("alice", Role.AGENT, [acme])
    mine, theirs = open_ticket(acme), open_ticket(other)
    inbox = Socket(app, "/ws/inbox/", session_cookie(alice))

    async def scenario() -> tuple[bool, dict[str, Any], dict[str, Any]]:
        assert await inbox.connect()
        await database_sync_to_async(lambda: buyer_writes(fresh(theirs), "Hello?"))()
        quiet = await inbox.silent()
        await database_sync_to_async(lambda: buyer_writes(fresh(mine), "Hello?"))()
        changed = await inbox.until(lambda m: m["type"] == "ticket.changed")
        await database_sync_to_async(
            lambda: actions.set_status(fresh(mine), "pending", actor=alice)
        )()
        moved = await inbox.until(lambda m: m["type"] == "ticket.changed")
        await inbox.close()
        return quiet, changed, moved

    quiet, changed, moved = async_to_sync(scenario)()
    assert quiet is True
    assert changed == {
        "type": "ticket.changed",
        "ticket": mine.pk,
        "account": acme.pk,
        "version": 2,
        "kinds": ["message_received"],
        "actor": None,
    }
    assert (moved["ticket"], moved["kinds"], moved["actor"]) == (
        mine.pk,
        ["status_changed"],
        "alice",
    )


def test_a_new_ticket_reaches_the_inbox(app: Any) -> None:
    acme = shop("Acme")
    alice = make_member("alice", Role.AGENT, [acme])
    inbox = Socket(app, "/ws/inbox/", session_cookie(alice))

    async def scenario() -> dict[str, Any]:
        await inbox.connect()
        ticket = await database_sync_to_async(open_ticket)(acme)
        arrived = await inbox.until(lambda m: m["type"] == "ticket.changed")
        await inbox.close()
        return {"arrived": arrived, "ticket": ticket.pk}

    seen = async_to_sync(scenario)()
    assert seen["arrived"]["ticket"] == seen["ticket"]
    assert seen["arrived"]["kinds"] == ["created"]


def test_the_marker_follows_who_opens_types_and_leaves(app: Any) -> None:
    acme = shop("Acme")
    alice = make_member("alice", Role.AGENT, [acme])
    bob = make_member("bob", Role.AGENT, [acme])
    ticket, quiet_ticket = open_ticket(acme), open_ticket(acme)
    inbox = Socket(app, "/ws/inbox/", session_cookie(alice))
    bobs_page = Socket(app, f"/ws/tickets/{ticket.pk}/", session_cookie(bob))

    async def scenario() -> list[Any]:
        await inbox.connect()
        await inbox.send({"type": "watch", "tickets": [ticket.pk, quiet_ticket.pk]})
        empty = await inbox.until(lambda m: m["type"] == "inbox.snapshot")
        await bobs_page.connect()
        opened = await inbox.until(lambda m: m["type"] == "inbox.presence")
        await bobs_page.send({"type": "typing", "ticket": ticket.pk, "kind": "reply"})
        replying = await inbox.until(lambda m: m["type"] == "inbox.presence")
        await bobs_page.send({"type": "typing", "ticket": ticket.pk, "kind": "reply"})
        await bobs_page.until(is_presence({"bob": "reply"}, claim="bob"))
        # More keystrokes change nothing the inbox shows: it is not told.
        unchanged = await inbox.silent()
        await inbox.send({"type": "watch", "tickets": [ticket.pk, quiet_ticket.pk]})
        snapshot = await inbox.until(lambda m: m["type"] == "inbox.snapshot")
        await bobs_page.close()
        left = await inbox.until(lambda m: m["type"] == "inbox.presence")
        await inbox.close()
        return [empty, opened, replying, unchanged, snapshot, left]

    empty, opened, replying, unchanged, snapshot, left = async_to_sync(scenario)()
    bob_row = {"user": bob.pk, "name": "bob"}
    assert empty == {"type": "inbox.snapshot", "tickets": []}
    assert opened == {
        "type": "inbox.presence",
        "ticket": ticket.pk,
        "viewers": [bob_row],
        "replying": None,
    }
    assert replying["replying"] == bob_row
    assert unchanged is True
    assert snapshot == {
        "type": "inbox.snapshot",
        "tickets": [
            {
                "type": "inbox.presence",
                "ticket": ticket.pk,
                "viewers": [bob_row],
                "replying": bob_row,
            }
        ],
    }
    assert left == {"type": "inbox.presence", "ticket": ticket.pk, "viewers": [], "replying": None}


def test_watching_shows_presence_only_on_tickets_the_user_may_see(app: Any) -> None:
    acme, other = shop("Acme"), shop("Other")
    alice = make_member("alice", Role.AGENT, [acme])
    bob = make_member("bob", Role.AGENT, [acme, other])
    mine, theirs = open_ticket(acme), open_ticket(other)
    inbox = Socket(app, "/ws/inbox/", session_cookie(alice))
    pages = [Socket(app, f"/ws/tickets/{t.pk}/", session_cookie(bob)) for t in (mine, theirs)]

    async def scenario() -> tuple[dict[str, Any], bool]:
        for socket in pages:
            await socket.connect()
            await socket.until(is_presence({"bob": "viewing"}))
        await inbox.connect()
        await inbox.send({"type": "watch", "tickets": [mine.pk, theirs.pk]})
        snapshot = await inbox.until(lambda m: m["type"] == "inbox.snapshot")
        await pages[1].send({"type": "typing", "ticket": theirs.pk, "kind": "reply"})
        await pages[1].until(is_presence({"bob": "reply"}))
        quiet = await inbox.silent()
        for socket in pages:
            await socket.close()
        await inbox.close()
        return snapshot, quiet

    snapshot, quiet = async_to_sync(scenario)()
    assert [t["ticket"] for t in snapshot["tickets"]] == [mine.pk]
    assert quiet is True


@pytest.mark.parametrize("who", ["anonymous", "outsider", "agent_without_accounts"])
def test_the_inbox_stream_is_refused_to_whoever_sees_no_account(app: Any, who: str) -> None:
    shop("Acme")
    cookie = {
        "anonymous": "",
        "outsider": session_cookie(make_outsider()),
        "agent_without_accounts": session_cookie(make_member("nina", Role.AGENT, [])),
    }[who]
    inbox = Socket(app, "/ws/inbox/", cookie)

    async def scenario() -> tuple[bool, int | None]:
        return await inbox.connect(), inbox.close_code

    assert async_to_sync(scenario)() == (False, 4403)


def test_a_malformed_watch_is_refused(app: Any) -> None:
    acme = shop("Acme")
    alice = make_member("alice", Role.AGENT, [acme])
    inbox = Socket(app, "/ws/inbox/", session_cookie(alice))

    async def scenario() -> list[dict[str, Any]]:
        await inbox.connect()
        answers = []
        for bad in (
            {"type": "watch", "tickets": "1,2"},
            {"type": "watch", "tickets": [1, "two"]},
            {"type": "watch", "tickets": list(range(1, 300))},
            {"type": "typing", "ticket": 1, "kind": "reply"},
        ):
            await inbox.send(bad)
            answers.append(await inbox.receive())
        await inbox.close()
        return answers

    answers = async_to_sync(scenario)()
    assert [m["code"] for m in answers] == ["malformed", "malformed", "malformed", "unknown_type"]


def test_access_is_asked_again_on_every_message(app: Any) -> None:
    acme, other = shop("Acme"), shop("Other")
    alice = make_member("alice", Role.AGENT, [acme])
    later = open_ticket(other)
    inbox = Socket(app, "/ws/inbox/", session_cookie(alice))

    def give_other_account() -> None:
        TeamMember.objects.get(user=alice).accounts.add(other)

    def take_every_account() -> None:
        TeamMember.objects.get(user=alice).accounts.clear()

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        await inbox.connect()
        await database_sync_to_async(give_other_account)()
        await inbox.send({"type": "heartbeat"})  # the inbox now follows the new account
        await inbox.send({"type": "watch", "tickets": [later.pk]})
        await inbox.until(lambda m: m["type"] == "inbox.snapshot")
        await database_sync_to_async(lambda: buyer_writes(fresh(later), "Hello?"))()
        changed = await inbox.until(lambda m: m["type"] == "ticket.changed")
        await database_sync_to_async(take_every_account)()
        await inbox.send({"type": "heartbeat"})
        closed = await inbox.until(lambda m: m["type"] == "<closed>")
        await inbox.close()
        return changed, closed

    changed, closed = async_to_sync(scenario)()
    assert changed["ticket"] == later.pk
    assert closed == {"type": "<closed>", "code": 4403}
