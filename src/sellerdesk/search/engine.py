"""Full-text search over messages: best matches first, with the matching words marked.

Never `LIKE '%word%'` over the message table: the vendor's own index answers (see
`search/index.py`). Every query is limited to the seller accounts the user may see, inside
the same SQL, so a hit the user may not see is never even counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from sellerdesk.search.highlight import START, STOP, pieces
from sellerdesk.search.terms import fts5_match
from sellerdesk.tickets.models import Message

LIMIT = 30
# Ranking costs per matching message, and words in nearly every message ("order",
# "thanks") match hundreds of thousands: the best matches are chosen among the newest
# CANDIDATES matches (of the accounts the user may see). A query with fewer matches than
# this, which is nearly every real one, is ranked over all of them.
CANDIDATES = 5_000
# Around 24 words of context per hit: enough to recognise the message.
SQLITE_SNIPPET_TOKENS = 24
PG_HEADLINE_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, "
    'FragmentDelimiter=" … "'
)


@dataclass(frozen=True)
class MessageHit:
    message: Message
    rank: float
    excerpt: list[tuple[str, bool]]

    @property
    def received_at(self) -> datetime:
        return self.message.received_at


def _account_filter(account_ids: Sequence[int] | None, column: str) -> tuple[str, list[int]]:
    if account_ids is None:
        return "", []
    if not account_ids:
        return " AND 1 = 0", []
    marks = ", ".join(["%s"] * len(account_ids))
    return f" AND {column} IN ({marks})", list(account_ids)


def _sqlite(
    words: tuple[str, ...], account_ids: Sequence[int] | None, limit: int
) -> list[tuple[int, float, str]]:
    # The account is a column of the index itself: no join to the tickets per match.
    where, params = _account_filter(account_ids, "account_id")
    # FTS5 names its hidden MATCH column and its functions' first argument after the table,
    # whatever the alias: `search_message_fts` means f1 outside, f2 in the subquery.
    # bm25: lower is better; the subject weighs twice the body. snippet() picks the best
    # column (-1) and marks matches with the control characters of highlight.py. Ranked
    # among the newest CANDIDATES matches only: FTS5 walks matches newest first for free,
    # while bm25 costs per match.
    sql = (
        "SELECT f1.rowid, bm25(search_message_fts, 2.0, 1.0, 0.0) AS score, "  # noqa: S608
        f"snippet(search_message_fts, -1, char(2), char(3), '…', {SQLITE_SNIPPET_TOKENS}) "
        f"FROM search_message_fts f1 WHERE search_message_fts MATCH %s{where} "
        "AND f1.rowid >= (SELECT coalesce(min(rowid), 0) FROM ("
        f"SELECT f2.rowid FROM search_message_fts f2 WHERE search_message_fts MATCH %s{where} "
        "ORDER BY f2.rowid DESC LIMIT %s)) "
        "ORDER BY score, f1.rowid DESC LIMIT %s"
    )
    match = fts5_match(words)
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *params, match, *params, CANDIDATES, limit])
        return [(int(row[0]), -float(row[1]), str(row[2] or "")) for row in cursor.fetchall()]


def _postgres(
    words: tuple[str, ...], account_ids: Sequence[int] | None, limit: int
) -> list[tuple[int, float, str]]:
    where, params = _account_filter(account_ids, "d.account_id")
    query = "plainto_tsquery('english', %s)"
    # The newest CANDIDATES matches the user may see (the account is a column of the index
    # table: no join per match), ranked on their stored tsvectors; the best few only then
    # get headlines (the costly part: it re-reads and parses the text). The tsquery is
    # written out each time, not shared through a CTE: the planner then sees the words and
    # their frequency, and walks the newest rows backwards for a word in every message
    # instead of collecting all of its matches first (5 ms against 270 at 400,000).
    sql = (
        "SELECT top.message_id, top.score, ts_headline('english', "  # noqa: S608
        "coalesce(m.subject, '') || ' — ' || coalesce(nullif(m.new_text, ''), m.text, ''), "
        f"{query}, %s) FROM ("
        "SELECT message_id, score FROM ("
        f"SELECT d.message_id, ts_rank(d.document, {query}) AS score "
        f"FROM search_messagedoc d WHERE d.document @@ {query}{where} "
        "ORDER BY d.message_id DESC LIMIT %s) AS recent "
        "ORDER BY score DESC, message_id DESC LIMIT %s) AS top "
        "JOIN tickets_message m ON m.id = top.message_id "
        "ORDER BY top.score DESC, top.message_id DESC"
    )
    text = " ".join(words)
    with connection.cursor() as cursor:
        cursor.execute(sql, [text, PG_HEADLINE_OPTIONS, text, text, *params, CANDIDATES, limit])
        return [(int(row[0]), float(row[1]), str(row[2] or "")) for row in cursor.fetchall()]


def message_hits(
    words: tuple[str, ...], account_ids: Sequence[int] | None, *, limit: int = LIMIT
) -> list[MessageHit]:
    """Messages holding every word, best first. `account_ids`: the accounts the user may see
    (None: all, for admins). Two queries: the index, then the messages with their tickets."""
    if not words:
        return []
    if connection.vendor == "postgresql":
        rows = _postgres(words, account_ids, limit)
    else:
        rows = _sqlite(words, account_ids, limit)
    if not rows:
        return []
    # The excerpt comes from the index query: the bodies themselves are not loaded again.
    messages = (
        Message.objects.select_related("ticket", "ticket__account")
        .defer("text", "new_text", "html", "notes", "references", "recipients")
        .in_bulk([row[0] for row in rows])
    )
    return [
        MessageHit(messages[message_id], rank, pieces(marked))
        for message_id, rank, marked in rows
        if message_id in messages
    ]
