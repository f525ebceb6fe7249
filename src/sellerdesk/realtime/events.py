"""The websocket protocol: every payload that crosses a socket or the channel layer, typed.

Two streams, one consumer each (`consumers.py`):

`/ws/tickets/<id>/` (a ticket page)
  browser -> server
    {"type": "heartbeat", "ticket": id}              every 10 s: "still here" (presence TTL)
    {"type": "typing", "ticket": id, "kind": k}      k = "reply" | "note"; at most every 2 s
    {"type": "idle", "ticket": id}                   stopped typing (sent, discarded, emptied)
  server -> browser
    HelloPayload, PresencePayload, TicketChangedPayload, ErrorPayload

`/ws/inbox/` (the inbox)
  browser -> server
    {"type": "watch", "tickets": [id, ...]}          the rows on screen; answered at once
    {"type": "heartbeat"}                            every 10 s (access is checked again)
  server -> browser
    InboxSnapshotPayload (the answer to a watch), InboxPresencePayload (per ticket, when
    who has it open changes), TicketChangedPayload (a ticket of a visible account changed:
    the page refreshes its rows), ErrorPayload

Between processes (channel-layer groups; channels-redis at scale):
    ticket.<id>      "ticket.changed" (TicketChangedPayload, from the actions after commit),
                     "presence.update" {"presence": PresencePayload}
    inbox.<account>  "ticket.changed", "inbox.presence" (InboxPresencePayload)
Consumers forward them as they are (the "presence" inside "presence.update").

Every browser message is checked (who is signed in, which ticket they may see) before it is
acted on; a malformed one, or one naming another ticket than the socket's, is refused with
an ErrorPayload and changes nothing. Shapes and parsing only: no database, no cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from sellerdesk.lib.events import TicketChanged as TicketChangedPayload

__all__ = [
    "ClaimPayload",
    "ClientMessage",
    "ErrorPayload",
    "HelloPayload",
    "InboxPresencePayload",
    "InboxSnapshotPayload",
    "PersonPayload",
    "PresencePayload",
    "Refused",
    "TicketChangedPayload",
    "ViewerPayload",
    "parse_inbox_message",
    "parse_ticket_message",
]

Activity = Literal["viewing", "reply", "note"]
TypingKind = Literal["reply", "note"]
# A watch list longer than an inbox page is a client bug or abuse, not a need.
MAX_WATCHED = 200


class PersonPayload(TypedDict):
    user: int
    name: str


class ViewerPayload(TypedDict):
    user: int
    name: str
    activity: Activity  # "viewing", or typing a "reply" / writing a "note"
    typing_for: float  # seconds the typing state lasts unless renewed (0 when viewing)
    expires_in: float  # seconds until the entry lapses without a heartbeat


class ClaimPayload(TypedDict):
    user: int
    name: str


class PresencePayload(TypedDict):
    type: Literal["presence"]
    ticket: int
    viewers: list[ViewerPayload]
    # Soft claim: the first agent who started typing a reply on the unassigned ticket.
    claim: ClaimPayload | None


class HelloPayload(TypedDict):
    type: Literal["hello"]
    ticket: int
    version: int  # the conversation version now (a page older than this is stale)
    user: int


class InboxPresencePayload(TypedDict):
    type: Literal["inbox.presence"]
    ticket: int
    viewers: list[PersonPayload]
    replying: PersonPayload | None


class InboxSnapshotPayload(TypedDict):
    """The answer to a watch: presence on each watched ticket someone has open."""

    type: Literal["inbox.snapshot"]
    tickets: list[InboxPresencePayload]


class ErrorPayload(TypedDict):
    type: Literal["error"]
    code: str
    detail: str


@dataclass(frozen=True)
class ClientMessage:
    """A browser message that passed the shape checks."""

    type: Literal["heartbeat", "typing", "idle", "watch"]
    ticket: int | None = None
    kind: TypingKind | None = None
    tickets: tuple[int, ...] = ()


@dataclass(frozen=True)
class Refused:
    code: str
    detail: str

    def payload(self) -> ErrorPayload:
        return {"type": "error", "code": self.code, "detail": self.detail}


def _ticket_id(value: Any) -> int | None:
    # bool is an int in Python; `true` is no ticket id.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


def parse_ticket_message(content: Any, ticket_id: int) -> ClientMessage | Refused:
    """A message on a ticket's socket: it must name that ticket and no other."""
    if not isinstance(content, dict):
        return Refused("malformed", "Messages are JSON objects.")
    kind = content.get("type")
    if kind not in {"heartbeat", "typing", "idle"}:
        return Refused("unknown_type", "Unknown message type.")
    named = _ticket_id(content.get("ticket"))
    if named is None:
        return Refused("malformed", "The message names no ticket.")
    if named != ticket_id:
        return Refused("wrong_ticket", "This socket is for another ticket.")
    if kind == "typing":
        typing = content.get("kind")
        if typing not in {"reply", "note"}:
            return Refused("malformed", 'Typing is of a "reply" or a "note".')
        return ClientMessage("typing", ticket=named, kind=typing)
    return ClientMessage(kind, ticket=named)


def parse_inbox_message(content: Any) -> ClientMessage | Refused:
    if not isinstance(content, dict):
        return Refused("malformed", "Messages are JSON objects.")
    kind = content.get("type")
    if kind == "heartbeat":
        return ClientMessage("heartbeat")
    if kind != "watch":
        return Refused("unknown_type", "Unknown message type.")
    raw = content.get("tickets")
    if not isinstance(raw, list) or len(raw) > MAX_WATCHED:
        return Refused("malformed", f"Watch a list of at most {MAX_WATCHED} ticket ids.")
    ids = [_ticket_id(value) for value in raw]
    if any(value is None for value in ids):
        return Refused("malformed", "Ticket ids are positive integers.")
    return ClientMessage("watch", tickets=tuple(sorted({i for i in ids if i is not None})))
