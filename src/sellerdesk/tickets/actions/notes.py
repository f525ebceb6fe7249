"""Internal notes and @mentions.

A note is for the team only: never sent, never an answer (it neither stops nor starts a
reply deadline). It is part of the conversation an agent reads before answering, so it moves
the ticket's version (`_bump`): a reply drafted before a teammate's "don't refund, it's
fraud" note is held by the reply guard.

`@username` notifies that teammate through the bell, but only a teammate who may see the
ticket: telling someone about a ticket they cannot open would leak that it exists. The
author is told who was not notified and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.db.models import Q

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.lib.events import publish_after_commit, user_group
from sellerdesk.team.models import Notification, Role
from sellerdesk.tickets.actions.core import ActionError, _bump, _event
from sellerdesk.tickets.models import Draft, Note, Ticket

MAX_NOTE_LENGTH = 10_000
# "@name" not preceded by a word character (so an e-mail address is no mention). Django
# usernames may hold letters, digits and @.+-_ ; a trailing dot or dash is punctuation
# ("thanks @alice.").
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+])")


def mentioned_names(text: str) -> list[str]:
    """The @names in a note, first occurrence order, without duplicates."""
    names: list[str] = []
    for match in _MENTION.finditer(text):
        if match[1] not in names:
            names.append(match[1])
    return names


@dataclass(frozen=True)
class NoteResult:
    note: Note
    notified: list[str] = field(default_factory=list)
    # @names that got no notification: unknown, or not allowed to see the ticket. One
    # reason for both, on purpose: the author must not learn who exists elsewhere.
    not_notified: list[str] = field(default_factory=list)


def _who_may_see(ticket: Ticket, names: list[str]) -> dict[str, User]:
    """Active teammates among `names` who may see the ticket's account (one query)."""
    if not names:
        return {}
    users = (
        User.objects.filter(username__in=names, is_active=True)
        .filter(
            Q(team_member__role=Role.ADMIN)
            | Q(
                team_member__role__in=[Role.AGENT, Role.WAREHOUSE],
                team_member__accounts=ticket.account_id,
            )
        )
        .distinct()
    )
    return {user.username: user for user in users}


@transaction.atomic
def add_note(
    ticket: Ticket,
    text: str,
    *,
    author: AbstractBaseUser,
    clock: Clock = system_clock,
) -> NoteResult:
    text = text.strip()
    if not text:
        raise ActionError("The note is empty.")
    if len(text) > MAX_NOTE_LENGTH:
        raise ActionError(f"A note has at most {MAX_NOTE_LENGTH:,} characters.")
    now = clock.now()
    note = Note.objects.create(ticket=ticket, author=author, text=text, created_at=now)  # type: ignore[misc]
    # The note is written: the author's saved draft of it has served its purpose.
    Draft.objects.filter(ticket=ticket, author=author, kind=Draft.Kind.NOTE).delete()  # type: ignore[misc]
    names = mentioned_names(text)
    allowed = _who_may_see(ticket, names)
    # Mentioning yourself notifies nobody, and is no failure either.
    targets = [allowed[name] for name in names if name in allowed and allowed[name].pk != author.pk]
    not_notified = [name for name in names if name not in allowed]
    if targets:
        note.mentions.add(*targets)
        who = author.get_username()
        Notification.objects.bulk_create(
            [
                Notification(
                    user=user,
                    kind="mention",
                    text=f"{who} mentioned you on #{ticket.pk} {ticket.subject[:120]}",
                    link=f"/tickets/{ticket.pk}/#note-{note.pk}",
                    ticket_id=ticket.pk,
                    created_at=now,
                )
                for user in targets
            ]
        )
        for user in targets:
            publish_after_commit(user_group(user.pk), {"type": "notifications.changed"})
    _bump(ticket)
    _event(
        ticket,
        "note_added",
        now,
        actor=author,
        note=note.pk,
        mentions=[user.username for user in targets],
    )
    return NoteResult(note, [user.username for user in targets], not_notified)
