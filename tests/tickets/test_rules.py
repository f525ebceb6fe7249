from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sellerdesk.tickets import rules

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def test_our_message_ids_carry_the_reply_token() -> None:
    message_id = rules.make_message_id("0a1b2c3d4e5f", "acme.example")
    assert message_id.startswith("sd.0a1b2c3d4e5f.")
    assert message_id.endswith("@acme.example")
    assert rules.reply_token_of(message_id) == "0a1b2c3d4e5f"
    assert rules.reply_token_of(f"<{message_id}>") == "0a1b2c3d4e5f"
    assert rules.make_message_id("0a1b2c3d4e5f", "x") != rules.make_message_id("0a1b2c3d4e5f", "x")


@pytest.mark.parametrize(
    "other", ["CAF123@mail.gmail.com", "sd.nothex.abc@x", "sd.0a1b2c3d4e5f@x", ""]
)
def test_foreign_ids_have_no_token(other: str) -> None:
    assert rules.reply_token_of(other) is None


@pytest.mark.parametrize(
    ("subject", "normal"),
    [
        ("Re: Where is my order?", "where is my order?"),
        ("RE: Fwd: re:  Where  is my ORDER?", "where is my order?"),
        ("AW: Rückgabe", "rückgabe"),
        ("Re[2]: Refund", "refund"),
        ("Refund", "refund"),
    ],
)
def test_subjects_are_normalized_for_threading(subject: str, normal: str) -> None:
    assert rules.normalize_subject(subject) == normal


def test_reply_subject_adds_one_prefix_only() -> None:
    assert rules.reply_subject("Where is my order?") == "Re: Where is my order?"
    assert rules.reply_subject("Re: Where is my order?") == "Re: Where is my order?"


def test_a_closed_ticket_continues_only_within_fourteen_days() -> None:
    assert rules.continues_ticket("solved", None, NOW)
    assert rules.continues_ticket("open", None, NOW)
    assert rules.continues_ticket("closed", NOW - timedelta(days=14), NOW)
    assert not rules.continues_ticket("closed", NOW - timedelta(days=14, seconds=1), NOW)
