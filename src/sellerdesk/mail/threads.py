"""Which ticket a message belongs to. Pure: the database layer looks the keys up and hands
the findings in; this module only decides, so every rule is tested without a database.

Order of evidence, strongest first:
1. In-Reply-To, then References (newest first): a message we already hold.
2. Our reply token, carried in the Message-IDs we send and echoed back in references.
3. The same relay address with the same order number.
4. The same relay address with the same normalized subject, within a time window.
The last two only ever match tickets of the same sender, so two buyers never merge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sellerdesk.tickets.rules import normalize_subject, reply_token_of

SUBJECT_WINDOW = timedelta(days=7)


class How(StrEnum):
    IN_REPLY_TO = "in_reply_to"
    REFERENCES = "references"
    REPLY_TOKEN = "reply_token"
    RELAY_AND_ORDER = "relay_and_order"
    SUBJECT = "subject"


@dataclass(frozen=True)
class ThreadKeys:
    in_reply_to: Sequence[str]
    references: Sequence[str]
    sender: str
    order_numbers: Sequence[str]
    subject: str
    received_at: datetime

    def referenced_ids(self) -> list[str]:
        return [*self.in_reply_to, *reversed(self.references)]

    def tokens(self) -> list[str]:
        return [t for t in (reply_token_of(i) for i in self.referenced_ids()) if t]


@dataclass(frozen=True)
class Candidate:
    """A recent ticket of the same sender."""

    ticket_id: int
    order_numbers: frozenset[str]
    subject: str
    last_message_at: datetime


@dataclass(frozen=True)
class Match:
    ticket_id: int
    how: How


def pick(
    keys: ThreadKeys,
    *,
    by_message_id: Mapping[str, int],
    by_token: Mapping[str, int],
    same_sender: Sequence[Candidate],
) -> Match | None:
    for message_id in keys.in_reply_to:
        if message_id in by_message_id:
            return Match(by_message_id[message_id], How.IN_REPLY_TO)
    for message_id in reversed(keys.references):
        if message_id in by_message_id:
            return Match(by_message_id[message_id], How.REFERENCES)
    for token in keys.tokens():
        if token in by_token:
            return Match(by_token[token], How.REPLY_TOKEN)
    newest_first = sorted(same_sender, key=lambda c: c.last_message_at, reverse=True)
    wanted = set(keys.order_numbers)
    if wanted:
        for candidate in newest_first:
            if candidate.order_numbers & wanted:
                return Match(candidate.ticket_id, How.RELAY_AND_ORDER)
    subject = normalize_subject(keys.subject)
    if subject:
        for candidate in newest_first:
            if (
                normalize_subject(candidate.subject) == subject
                and keys.received_at - candidate.last_message_at <= SUBJECT_WINDOW
                # A message naming another order is another matter, even with the subject.
                and not (
                    wanted and candidate.order_numbers and not candidate.order_numbers & wanted
                )
            ):
                return Match(candidate.ticket_id, How.SUBJECT)
    return None
