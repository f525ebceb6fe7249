"""The threading decision (mail/threads.py), pure: evidence order and buyer separation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sellerdesk.mail.threads import Candidate, How, Match, ThreadKeys, pick

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
BUYER = "3f2a@relay.walmart.com"


def keys(**overrides: object) -> ThreadKeys:
    base: dict[str, object] = {
        "in_reply_to": (),
        "references": (),
        "sender": BUYER,
        "order_numbers": (),
        "subject": "Where is my order?",
        "received_at": NOW,
    }
    return ThreadKeys(**{**base, **overrides})  # type: ignore[arg-type]


def candidate(
    ticket_id: int,
    *,
    orders: tuple[str, ...] = (),
    subject: str = "Where is my order?",
    age: timedelta = timedelta(hours=1),
) -> Candidate:
    return Candidate(ticket_id, frozenset(orders), subject, NOW - age)


def test_in_reply_to_wins_over_everything() -> None:
    found = pick(
        keys(in_reply_to=("a@x",), references=("b@x",), order_numbers=("123",)),
        by_message_id={"a@x": 1, "b@x": 2},
        by_token={},
        same_sender=[candidate(3, orders=("123",))],
    )
    assert found == Match(1, How.IN_REPLY_TO)


def test_newest_reference_first() -> None:
    found = pick(
        keys(references=("old@x", "new@x")),
        by_message_id={"old@x": 1, "new@x": 2},
        by_token={},
        same_sender=[],
    )
    assert found == Match(2, How.REFERENCES)


def test_our_reply_token_threads_when_the_relay_dropped_the_message() -> None:
    found = pick(
        keys(in_reply_to=("sd.0a1b2c3d4e5f.99aa@acme.example",)),
        by_message_id={},
        by_token={"0a1b2c3d4e5f": 7},
        same_sender=[],
    )
    assert found == Match(7, How.REPLY_TOKEN)


def test_same_relay_and_order_number() -> None:
    found = pick(
        keys(order_numbers=("1700700002796",), subject="Another question"),
        by_message_id={},
        by_token={},
        same_sender=[
            candidate(4, orders=("9999",)),
            candidate(5, orders=("1700700002796",), age=timedelta(days=30)),
        ],
    )
    assert found == Match(5, How.RELAY_AND_ORDER)


def test_subject_matches_only_inside_the_window() -> None:
    recent = pick(
        keys(), by_message_id={}, by_token={}, same_sender=[candidate(6, age=timedelta(days=6))]
    )
    assert recent == Match(6, How.SUBJECT)
    stale = pick(
        keys(), by_message_id={}, by_token={}, same_sender=[candidate(6, age=timedelta(days=8))]
    )
    assert stale is None


def test_the_same_subject_about_another_order_is_a_new_ticket() -> None:
    found = pick(
        keys(order_numbers=("222",)),
        by_message_id={},
        by_token={},
        same_sender=[candidate(6, orders=("111",))],
    )
    assert found is None


def test_nothing_known_means_a_new_ticket() -> None:
    assert pick(keys(subject=""), by_message_id={}, by_token={}, same_sender=[candidate(1)]) is None
