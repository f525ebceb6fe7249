"""What the ticket page shows besides the messages: the conversation interleaved with
internal notes, the history in words, the side panel's choices (assignee, tags, root causes,
snooze presets, tickets of the same buyer to merge with).

Every part is one query whatever the number of messages, notes or events: the page's query
count is pinned by the tests.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from sellerdesk.team.access import AnyUser, role_of
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.actions import IncomingFile
from sellerdesk.tickets.models import Attachment, Message, Note, RootCause, Tag, Ticket
from sellerdesk.workspace.history import HistoryRow, history_rows

WORKING_ROLES = frozenset({Role.ADMIN, Role.AGENT})
ENDED = (Ticket.Status.SOLVED, Ticket.Status.CLOSED)
MERGE_CANDIDATES = 20


def may_work(role: Role | None) -> bool:
    """Admins and agents work tickets (reply, status, assign, repair). Warehouse staff read
    them and write notes: the team asks them through @mentions."""
    return role in WORKING_ROLES


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    message: Message | None = None
    note: Note | None = None


def messages_of(ticket: Ticket) -> QuerySet[Message]:
    return (
        ticket.messages.select_related("author", "outbox")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("received_at", "pk")
    )


def timeline(ticket: Ticket) -> list[TimelineItem]:
    """Messages and notes in one stream by time (a note written between two messages reads
    between them); at equal times a message comes before the note about it."""
    items = [TimelineItem(m.received_at, message=m) for m in messages_of(ticket)]
    notes = ticket.notes.select_related("author").prefetch_related("mentions")
    items += [TimelineItem(n.created_at, note=n) for n in notes.order_by("created_at", "pk")]
    # A stable sort: messages stay ahead of notes of the same instant.
    items.sort(key=lambda item: item.at)
    return items


def teammates(ticket: Ticket) -> list[User]:
    """Active team members who may see this ticket: who it can be assigned to, who an
    @mention reaches."""
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(team_member__role=Role.ADMIN)
            | Q(
                team_member__role__in=[Role.AGENT, Role.WAREHOUSE],
                team_member__accounts=ticket.account_id,
            )
        )
        .distinct()
        .order_by("username")
    )


def merge_candidates(ticket: Ticket) -> list[Ticket]:
    """Other open tickets of the same buyer in the same account, newest first."""
    if ticket.merged_into_id is not None:
        return []
    # Addresses are lower-cased when mail is parsed, so an exact match finds them; each
    # condition is its own indexed lookup (an OR of the two makes SQLite scan the account).
    base = (
        Ticket.objects.filter(account_id=ticket.account_id, merged_into__isnull=True)
        .exclude(pk=ticket.pk)
        .exclude(status__in=ENDED)
        .only("pk", "subject", "status", "last_message_at")
    )
    found: dict[int, Ticket] = {}
    if ticket.customer_id is not None:
        found.update((t.pk, t) for t in base.filter(customer_id=ticket.customer_id))
    if ticket.relay_address:
        found.update((t.pk, t) for t in base.filter(relay_address=ticket.relay_address))
    # The user may see this ticket, so every ticket of its account: no access query needed.
    newest = sorted(found.values(), key=lambda t: (t.last_message_at, t.pk), reverse=True)
    return newest[:MERGE_CANDIDATES]


# --- snooze times ---------------------------------------------------------------------

SNOOZE_PRESETS = (("1h", "1 hour"), ("tomorrow", "Tomorrow 9:00"))
MORNING = time(9, 0)


def snooze_until(choice: str, raw: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The moment a snooze form means, in the account's time zone: a preset, or the date
    (and time; 9:00 when only a date is given) typed in. Raises ValueError with the reason."""
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        day = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(day, MORNING, tzinfo=zone)
    raw = raw.strip()
    if not raw:
        raise ValueError("Pick a preset or a date to snooze until.")
    try:
        if len(raw) == 10:
            moment = datetime.combine(datetime.strptime(raw, "%Y-%m-%d").date(), MORNING)
        else:
            moment = datetime.strptime(raw[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise ValueError(f"{raw!r} is not a date and time (YYYY-MM-DD HH:MM).") from None
    return moment.replace(tzinfo=zone)


@dataclass(frozen=True)
class PanelChoices:
    teammates: list[User]
    root_causes: list[RootCause]
    tags: list[Tag]
    known_tags: list[str]
    merge_candidates: list[Ticket]


def panel_choices(user: AnyUser, ticket: Ticket) -> PanelChoices:
    return PanelChoices(
        teammates=teammates(ticket),
        root_causes=actions.root_causes(ticket.account),
        tags=list(ticket.tags.order_by("name")),
        known_tags=list(Tag.objects.order_by("name").values_list("name", flat=True)[:200]),
        merge_candidates=merge_candidates(ticket),
    )


def history(ticket: Ticket, zone: ZoneInfo) -> list[HistoryRow]:
    # Every row, newest first: a ticket's history is tens of rows, rarely hundreds.
    return history_rows(ticket.events.select_related("actor").order_by("-created_at", "-pk"), zone)


# --- form helpers shared by the ticket page's views -------------------------------------


def require_worker(request: HttpRequest) -> Role:
    """The acting user's role, if it may work tickets; a warehouse user (who may see the
    ticket, so a 404 would be a lie) gets 403."""
    role = role_of(request.user)
    if not may_work(role):
        raise PermissionDenied("Only admins and agents can change tickets.")
    assert role is not None
    return role


def stale(request: HttpRequest, ticket: Ticket) -> str | None:
    """The reason a form posted from an older view of the ticket must not apply, or None.
    Forms carry the conversation `version` they were rendered with; a form without it (an
    API-like client) is taken as current."""
    posted = request.POST.get("version", "")
    if not posted.isdigit() or int(posted) == ticket.version:
        return None
    return (
        f"#{ticket.pk} changed since you opened it (a new message, reply, note or repair). "
        "Nothing was changed: here is the ticket as it is now; check it and try again."
    )


_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean_filename(name: str) -> str:
    """An uploaded file's name as we keep and send it: no folders, no control characters
    (they could break the MIME header), at most 255 characters. Markup stays as typed and
    is escaped wherever it is shown."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _CONTROL).strip()
    return name[-255:] or "attachment"


def uploaded_files(request: HttpRequest) -> list[IncomingFile]:
    """The files attached to a reply, refused together (before anything is read into
    memory) when they pass the size limit."""
    uploads = request.FILES.getlist("files")
    total = sum(upload.size or 0 for upload in uploads)
    if total > actions.MAX_REPLY_ATTACHMENT_BYTES:
        limit = actions.MAX_REPLY_ATTACHMENT_BYTES / (1024 * 1024)
        raise actions.ActionError(
            f"The attachments come to {total / (1024 * 1024):.1f} MB; a reply carries at most "
            f"{limit:g} MB. Nothing was sent: your text is kept below, attach smaller files."
        )
    return [
        IncomingFile(
            filename=clean_filename(upload.name or ""),
            content_type=(upload.content_type or "application/octet-stream")[:100],
            data=upload.read(),
        )
        for upload in uploads
    ]
