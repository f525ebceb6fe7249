"""The full-text index on this test run's database (SQLite FTS5, or PostgreSQL's tsvector
table when DATABASE_URL is set): kept in step with messages, best matches first, matching
words marked, limited to the accounts given, and never a LIKE over the message table."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sellerdesk.search.engine import message_hits
from sellerdesk.search.index import drop, ensure
from sellerdesk.tickets.models import Message, Ticket
from tests.factories import make_account
from tests.snippets.builders import add_message, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def relay(n: int) -> str:
    return f"{n:032x}@relay.walmart.com"


def ids(hits: list) -> list[int]:  # type: ignore[type-arg]
    return [hit.message.pk for hit in hits]


def test_best_matches_come_first_and_every_word_must_match() -> None:
    account = make_account("Acme")
    both_in_subject = open_ticket(
        account, subject="Broken lamp", text="It came in pieces.", relay=relay(1)
    )
    once_in_body = open_ticket(
        account,
        subject="Order question",
        text="My order has a lamp and the shade is broken, plus other things I want to mention "
        "in a long message about my delivery, my address and my card.",
        relay=relay(2),
    )
    only_one_word = open_ticket(account, subject="Lamp", text="Where is my lamp?", relay=relay(3))

    hits = message_hits(("broken", "lamp"), None)

    first = both_in_subject.messages.get().pk
    second = once_in_body.messages.get().pk
    assert ids(hits) == [first, second]
    assert only_one_word.messages.get().pk not in ids(hits)
    assert hits[0].rank > hits[1].rank


def test_words_are_stemmed() -> None:
    account = make_account("Acme")
    ticket = open_ticket(account, subject="Delivery", text="The parcel arrived damaged.")

    assert ids(message_hits(("arrive", "damage"), None)) == [ticket.messages.get().pk]


def test_matching_words_are_marked_and_markup_stays_text() -> None:
    account = make_account("Acme")
    open_ticket(
        account,
        subject="Photos",
        text='<img src=x onerror="alert(1)"> the lamp is broken <script>alert(2)</script>',
    )

    [hit] = message_hits(("broken",), None)

    marked = [text for text, match in hit.excerpt if match]
    assert [m.lower() for m in marked] == ["broken"]
    # Markup stays what it is, text: the pieces hold no highlight markup of their own, and
    # the page escapes each one (tests/search/test_views.py).
    shown = "".join(text for text, _ in hit.excerpt)
    assert "lamp is broken" in shown
    assert "<mark" not in shown


def test_hits_are_limited_to_the_accounts_given() -> None:
    acme, trailhead = make_account("Acme"), make_account("Trailhead")
    mine = open_ticket(acme, subject="Broken tent pole", relay=relay(1))
    open_ticket(trailhead, subject="Broken tent zipper", relay=relay(2))

    assert ids(message_hits(("broken", "tent"), [acme.pk])) == [mine.messages.get().pk]
    assert len(message_hits(("broken", "tent"), None)) == 2
    assert message_hits(("broken", "tent"), []) == []


def test_the_index_follows_new_changed_and_deleted_messages() -> None:
    account = make_account("Acme")
    ticket = open_ticket(account, subject="Hello", text="first words")
    later = add_message(ticket, "the umbrella is torn")

    assert ids(message_hits(("umbrella",), None)) == [later.pk]
    Message.objects.filter(pk=later.pk).update(new_text="the parasol is torn")
    assert message_hits(("umbrella",), None) == []
    assert ids(message_hits(("parasol",), None)) == [later.pk]
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert message_hits(("parasol",), None) == []


def test_the_body_indexed_is_what_the_sender_wrote_not_the_quoted_history() -> None:
    account = make_account("Acme")
    ticket = open_ticket(account, subject="Hello", text="first words")
    message = ticket.messages.get()
    Message.objects.filter(pk=message.pk).update(
        text="new words\n> quoted kangaroo", new_text="new words"
    )

    assert message_hits(("kangaroo",), None) == []
    assert ids(message_hits(("new", "words"), None)) == [message.pk]


def test_a_lost_trigger_is_put_back_and_the_index_refilled() -> None:
    # What a later tickets migration does on SQLite (a table rebuild drops its triggers).
    account = make_account("Acme")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER search_message_ai")
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER search_message_sync ON tickets_message")
    ticket = open_ticket(account, subject="Missing", text="the kettle never came")
    assert message_hits(("kettle",), None) == []

    assert ensure(connection) is True

    assert ids(message_hits(("kettle",), None)) == [ticket.messages.get().pk]
    assert ensure(connection) is False  # nothing missing: nothing redone


def test_search_never_runs_like_over_the_message_table() -> None:
    account = make_account("Acme")
    open_ticket(account, subject="Broken lamp")

    with CaptureQueriesContext(connection) as queries:
        message_hits(("broken", "lamp"), [account.pk])

    assert len(queries) == 2
    assert not any("LIKE" in q["sql"].upper() for q in queries.captured_queries)


def test_very_common_words_are_ranked_among_the_newest_matches_the_user_may_see(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sellerdesk.search import engine

    monkeypatch.setattr(engine, "CANDIDATES", 2)
    acme, trailhead = make_account("Acme"), make_account("Trailhead")
    oldest = open_ticket(acme, subject="Lamp lamp lamp", text="lamp", relay=relay(1))
    older = open_ticket(acme, subject="Question", text="a lamp", relay=relay(2))
    for n in range(3):  # newer matches, in an account the agent does not see
        open_ticket(trailhead, subject="Lamp", text="lamp", relay=relay(10 + n))

    everyone = ids(message_hits(("lamp",), None))
    agent = ids(message_hits(("lamp",), [acme.pk]))

    # All: only the newest two matches are ranked (both Trailhead's).
    assert len(everyone) == 2
    assert oldest.messages.get().pk not in everyone
    # The agent's candidates are the newest two *they may see*: both Acme tickets, the one
    # saying "lamp" most first.
    assert agent == [oldest.messages.get().pk, older.messages.get().pk]


def test_the_index_follows_a_ticket_to_another_account_and_a_message_to_another_ticket() -> None:
    acme, trailhead = make_account("Acme"), make_account("Trailhead")
    ticket = open_ticket(acme, subject="Broken kettle", relay=relay(1))
    other = open_ticket(trailhead, subject="Hello", text="nothing here", relay=relay(2))
    message = ticket.messages.get()

    Ticket.objects.filter(pk=ticket.pk).update(account=trailhead)
    assert message_hits(("kettle",), [acme.pk]) == []
    assert ids(message_hits(("kettle",), [trailhead.pk])) == [message.pk]

    Ticket.objects.filter(pk=other.pk).update(account=acme)
    Message.objects.filter(pk=message.pk).update(ticket=other)
    assert ids(message_hits(("kettle",), [acme.pk])) == [message.pk]


def test_an_index_of_an_older_shape_is_rebuilt() -> None:
    account = make_account("Acme")
    ticket = open_ticket(account, subject="Broken kettle")
    drop(connection)
    with connection.cursor() as cursor:  # the first shape: no account column, no triggers
        if connection.vendor == "sqlite":
            cursor.execute("CREATE VIRTUAL TABLE search_message_fts USING fts5(subject, body)")
        else:
            cursor.execute(
                "CREATE TABLE search_messagedoc (message_id bigint PRIMARY KEY, document tsvector)"
            )

    assert ensure(connection) is True

    assert ids(message_hits(("kettle",), [account.pk])) == [ticket.messages.get().pk]
