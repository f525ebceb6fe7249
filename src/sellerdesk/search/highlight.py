"""The matching words of a search hit, safely (pure, no Django).

The database marks matches with two control characters (snippet() in SQLite, ts_headline in
PostgreSQL) instead of HTML tags, and the text is cut into plain and matching pieces here;
the template escapes every piece. So a message holding "<img onerror=...>" shows as that
text, never as markup, and a message holding the control characters themselves can at worst
move a highlight, never inject one.
"""

from __future__ import annotations

START = "\x02"
STOP = "\x03"


def pieces(marked: str) -> list[tuple[str, bool]]:
    """[(text, is_match), ...] from text marked with START/STOP; empty pieces dropped."""
    out: list[tuple[str, bool]] = []
    inside = False
    buffer: list[str] = []
    for char in marked:
        if char in (START, STOP):
            if buffer:
                out.append(("".join(buffer), inside))
                buffer = []
            inside = char == START
        else:
            buffer.append(char)
    if buffer:
        out.append(("".join(buffer), inside))
    return out
