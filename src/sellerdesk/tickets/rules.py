"""Pure ticket rules: our Message-IDs and their reply token, subjects, reopening.

No Django here, so the threading and reopening rules are tested without a database.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

# A buyer message on a ticket closed longer ago than this starts a new ticket (linked to
# the old one) instead of reopening it: the old conversation is over.
REOPEN_WINDOW = timedelta(days=14)

_TOKEN_IN_ID = re.compile(r"^sd\.([0-9a-f]{12})\.[0-9a-z]+@", re.IGNORECASE)
_REPLY_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|r)\s*(\[\d+\])?\s*:\s*)+", re.I
)


def make_message_id(reply_token: str, domain: str) -> str:
    """`sd.<token>.<random>@<domain>`, without angle brackets (we store ids bare)."""
    return f"sd.{reply_token}.{secrets.token_hex(8)}@{domain}"


def reply_token_of(message_id: str) -> str | None:
    match = _TOKEN_IN_ID.match(message_id.strip().strip("<>"))
    return match[1].lower() if match else None


def normalize_subject(subject: str) -> str:
    """Subject without reply/forward prefixes, case or spacing, for matching threads."""
    return " ".join(_REPLY_PREFIX.sub("", subject).lower().split())


def reply_subject(subject: str) -> str:
    stripped = subject.strip()
    return stripped if _REPLY_PREFIX.match(stripped) else f"Re: {stripped}".strip()


def continues_ticket(status: str, closed_at: datetime | None, now: datetime) -> bool:
    """Does a new buyer message belong to this ticket (reopening it if need be), or start a
    new one? Closed more than REOPEN_WINDOW ago: a new one."""
    if status != "closed" or closed_at is None:
        return True
    return now - closed_at <= REOPEN_WINDOW
