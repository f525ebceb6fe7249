"""The ticket's history in words: one readable sentence per TicketEvent, and which rows can
be undone from the page.

Sentences are plain text (the template escapes them): event data holds whatever a buyer or
agent typed (a tag, an override reason), so nothing here builds HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sellerdesk.tickets.actions.repair import MIRROR_KINDS, PRIMARY_KINDS
from sellerdesk.tickets.models import Ticket, TicketEvent

STATUS_LABELS = dict(Ticket.Status.choices)
WAKE_REASONS = {
    "buyer_message": "a buyer message arrived",
    "deadline_at_risk": "the reply deadline is at risk",
    "deadline_breached": "the reply deadline was missed",
}


def _words(value: object) -> str:
    return str(value or "").replace("_", " ")


def _status(value: object) -> str:
    return STATUS_LABELS.get(str(value), _words(value))


def _when(value: object, zone: ZoneInfo) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def _status_changed(d: Mapping[str, Any], zone: ZoneInfo) -> str:
    sentence = f"Status: {_status(d.get('previous'))} → {_status(d.get('status'))}"
    if d.get("root_cause"):
        sentence += f", root cause: {d.get('root_cause_label') or d['root_cause']}"
    return sentence


def _note(d: Mapping[str, Any], zone: ZoneInfo) -> str:
    mentions = d.get("mentions") or []
    if mentions:
        return "Internal note added, notifying " + ", ".join(f"@{m}" for m in mentions)
    return "Internal note added"


def _assigned(d: Mapping[str, Any], zone: ZoneInfo) -> str:
    sentence = f"Assigned to {d.get('assignee_name') or 'someone'}"
    if d.get("previous_name"):
        sentence += f" (was {d['previous_name']})"
    return sentence


def _merged(d: Mapping[str, Any], zone: ZoneInfo) -> str:
    messages, notes = len(d.get("messages") or []), len(d.get("notes") or [])
    return (
        f"#{d.get('source')} merged into this ticket "
        f"({messages} message{'s' * (messages != 1)}, {notes} note{'s' * (notes != 1)})"
    )


SENTENCES: dict[str, Callable[[Mapping[str, Any], ZoneInfo], str]] = {
    "created": lambda d, z: (
        f"Opened by a {_words(d.get('kind'))} message"
        + (f", continuing #{d['previous']}" if d.get("previous") else "")
    ),
    "reopened": lambda d, z: (
        f"Reopened by a buyer message (was {_status(d.get('previous_status'))})"
    ),
    "message_received": lambda d, z: f"Message received ({_words(d.get('kind'))})",
    "replied_elsewhere": lambda d, z: "A reply sent from the mailbox itself was recorded",
    "replied": lambda d, z: "Reply queued",
    "automatic_reply": lambda d, z: "Automatic reply queued",
    "compliance_override": lambda d, z: (
        f"Sent despite the compliance guard, reason: “{d.get('reason', '')}”"
    ),
    "compliance_warnings": lambda d, z: (
        "Reply queued with compliance warnings ("
        + ", ".join(sorted({str(f.get("rule")) for f in d.get("findings") or []}))
        + ")"
    ),
    "status_changed": _status_changed,
    "root_cause_set": lambda d, z: (
        f"Root cause: {d.get('root_cause_label') or d.get('root_cause')}"
    ),
    "intent_changed": lambda d, z: (
        f"Intent: {_words(d.get('previous'))} → {_words(d.get('intent'))}"
    ),
    "order_linked": lambda d, z: (
        f"Order linked: {d['order']}" if d.get("order") else "Order unlinked"
    ),
    "reply_sent": lambda d, z: "Reply accepted by the mail server",
    "reply_delayed": lambda d, z: f"Reply delivery delayed: {d.get('error', '')}",
    "reply_failed": lambda d, z: f"Reply failed: {d.get('error', '')}",
    "reply_uncertain": lambda d, z: f"Reply delivery uncertain: {d.get('error', '')}",
    "reply_requeued": lambda d, z: "Reply queued to be sent again",
    "no_response_needed": lambda d, z: "Marked “no response needed”",
    "assigned": _assigned,
    "unassigned": lambda d, z: (
        "Unassigned" + (f" (was {d['previous_name']})" if d.get("previous_name") else "")
    ),
    "tags_added": lambda d, z: "Tagged " + ", ".join(str(t) for t in d.get("tags") or []),
    "tag_removed": lambda d, z: f"Tag removed: {d.get('tag', '')}",
    "note_added": _note,
    "snoozed": lambda d, z: f"Snoozed until {_when(d.get('until'), z)}",
    "unsnoozed": lambda d, z: "Unsnoozed",
    "woken": lambda d, z: (
        "Woken from snooze: " + WAKE_REASONS.get(str(d.get("reason")), _words(d.get("reason")))
    ),
    "merged": _merged,
    "merged_into": lambda d, z: f"Merged into #{d.get('survivor')}",
    "merge_undone": lambda d, z: (
        f"Merge of #{d['source']} undone"
        if d.get("source")
        else f"Merge into #{d.get('survivor')} undone"
    ),
    "message_moved": lambda d, z: f"Message {d.get('message')} moved to #{d.get('to')}",
    "message_moved_in": lambda d, z: (
        f"Message {d.get('message')} moved here from #{d.get('source')}"
    ),
    "move_undone": lambda d, z: f"Move of message {d.get('message')} undone",
    "message_split": lambda d, z: (
        f"Message {d.get('message')} split off into #{d.get('new_ticket')}"
    ),
    "split_from": lambda d, z: f"Split off from #{d.get('source')} (message {d.get('message')})",
    "split_undone": lambda d, z: (
        "Split undone"
        + (f": #{d['new_ticket']} closed, its message back here" if d.get("new_ticket") else "")
    ),
}

# The other ticket a row names (keys of its data), for a link beside the sentence.
OTHER_TICKET_KEYS: dict[str, tuple[str, ...]] = {
    "created": ("previous",),
    "merged": ("source",),
    "merged_into": ("survivor",),
    "merge_undone": ("source", "survivor"),
    "message_moved": ("to",),
    "message_moved_in": ("source",),
    "move_undone": (),
    "message_split": ("new_ticket",),
    "split_from": ("source",),
    "split_undone": ("new_ticket", "source"),
}


def sentence(event: TicketEvent, zone: ZoneInfo) -> str:
    describe = SENTENCES.get(event.kind)
    data = event.data if isinstance(event.data, dict) else {}
    if describe is None:
        return _words(event.kind).capitalize()
    try:
        return describe(data, zone)
    except (KeyError, TypeError, ValueError, AttributeError):
        # A row written by an older version with other data: still say what it was.
        return _words(event.kind).capitalize()


@dataclass(frozen=True)
class HistoryRow:
    event: TicketEvent
    sentence: str
    other_ticket: int | None
    undoable: bool


def history_rows(events: Iterable[TicketEvent], zone: ZoneInfo) -> list[HistoryRow]:
    """Rows newest first; a repair row offers Undo unless an undo row already names it.
    Whether the undo is still safe is decided when it is asked for."""
    events = list(events)
    undone = {e.data.get("undoes") for e in events if e.kind.endswith("_undone") and e.data}
    rows = []
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        primary = event.pk if event.kind in PRIMARY_KINDS else None
        if event.kind in MIRROR_KINDS:
            primary = data.get("primary")
        keys = OTHER_TICKET_KEYS.get(event.kind, ())
        other = next((data[key] for key in keys if isinstance(data.get(key), int)), None)
        rows.append(
            HistoryRow(
                event=event,
                sentence=sentence(event, zone),
                other_ticket=other,
                undoable=primary is not None and primary not in undone,
            )
        )
    return rows
