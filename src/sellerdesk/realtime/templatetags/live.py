"""`{% live_state ticket as live %}`: what the ticket page's live parts need, read once per
request however many templates ask (the presence bar, the composers, the side form).

- `live.reply_draft`, `live.note_draft`: the agent's saved drafts (one query for both), so a
  reload or a crash loses nothing; a held reply (the reply guard) is the reply draft with
  `held_reason` set;
- `live.seen`: when this page was rendered, posted back by the forms beside the `version`,
  so that a held reply or status change can show what came in after it;
- `live.held_status`: a status change held back by the guard (from the URL of the redirect);
- `live.new_items`: messages and notes newer than `?seen=` (only when something was held);
- `live.presence`: who else has the ticket open now (from the cache: no query), rendered
  at once and kept current by realtime/ticket.js.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import template
from django.http import HttpRequest

from sellerdesk.lib.clock import system_clock
from sellerdesk.realtime import presence
from sellerdesk.realtime.views import HELD_STATUS_LABELS
from sellerdesk.tickets.models import Draft, Message, Note, Ticket

register = template.Library()

_CACHE_ATTRIBUTE = "_sellerdesk_live_state"


@dataclass(frozen=True)
class NewItem:
    at: datetime
    message: Message | None = None
    note: Note | None = None


@dataclass
class LiveState:
    ticket: Ticket
    seen: str
    reply_draft: Draft | None = None
    note_draft: Draft | None = None
    others: list[presence.Viewer] = field(default_factory=list)
    claim: tuple[int, str] | None = None
    held_status: list[tuple[str, str, str]] | None = None  # (field, label, value posted)
    new_items: list[NewItem] = field(default_factory=list)
    seen_at: datetime | None = None

    @property
    def held_reply(self) -> Draft | None:
        return self.reply_draft if self.reply_draft and self.reply_draft.held_reason else None

    @property
    def stale_draft(self) -> bool:
        """A restored (not held) draft written before the conversation last changed."""
        draft = self.reply_draft
        return bool(draft and not draft.held_reason and draft.base_version < self.ticket.version)

    @property
    def claimed_by_other(self) -> str | None:
        return self.claim[1] if self.claim and self.others_include(self.claim[0]) else None

    def others_include(self, user_id: int) -> bool:
        return any(viewer.user == user_id for viewer in self.others)


def _parse_seen(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _new_items(ticket: Ticket, since: datetime) -> list[NewItem]:
    messages = ticket.messages.filter(created_at__gt=since).select_related("author")
    notes = ticket.notes.filter(created_at__gt=since).select_related("author")
    items = [NewItem(m.created_at, message=m) for m in messages.order_by("created_at", "pk")]
    items += [NewItem(n.created_at, note=n) for n in notes.order_by("created_at", "pk")]
    items.sort(key=lambda item: item.at)
    return items


def build_live_state(request: HttpRequest, ticket: Ticket) -> LiveState:
    user = request.user
    state = LiveState(ticket=ticket, seen=system_clock.now().isoformat())
    if user.is_authenticated:
        for draft in Draft.objects.filter(ticket=ticket, author_id=user.pk):
            if draft.kind == Draft.Kind.REPLY:
                state.reply_draft = draft
            elif draft.kind == Draft.Kind.NOTE:
                state.note_draft = draft
        now_on = presence.current(ticket.pk)
        state.others = [viewer for viewer in now_on.viewers if viewer.user != user.pk]
        state.claim = now_on.claim
    held = request.GET.get("held")
    if held == "status":
        state.held_status = [
            (name, label, request.GET[name])
            for name, label in HELD_STATUS_LABELS.items()
            if name in request.GET
        ]
    seen_at = _parse_seen(request.GET.get("seen"))
    if held in {"reply", "status"} and seen_at is not None:
        state.seen_at = seen_at
        state.new_items = _new_items(ticket, seen_at)
    return state


@register.simple_tag(takes_context=True)
def live_state(context: template.Context, ticket: Ticket) -> LiveState:
    request: Any = context.get("request")
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if isinstance(cached, LiveState) and cached.ticket.pk == ticket.pk:
        return cached
    state = build_live_state(request, ticket)
    setattr(request, _CACHE_ATTRIBUTE, state)
    return state
