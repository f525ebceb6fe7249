"""The one way an automatic reply leaves: anything the software writes to a buyer on its
own (an automation rule, an acknowledgement) goes through `send_automatic_reply`.

It is checked by the same compliance guard as an agent's reply, but nobody stands behind it:
no override exists, and a warning is as good as a block. Such a reply is never queued; it is
kept on the ticket as an internal note for a human to judge, and the people who would answer
the ticket are told. A suspension costs more than a reply an agent writes by hand.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.team.models import Notification, Role
from sellerdesk.tickets.actions.core import _event, atomic, do_reply
from sellerdesk.tickets.guard import check_reply
from sellerdesk.tickets.models import Message, Note, Ticket


@atomic
def send_automatic_reply(
    ticket: Ticket, *, text: str, source: str, clock: Clock = system_clock
) -> Message | None:
    """Queue `text` as a reply with no author when the guard finds nothing; otherwise hold it
    for a human and return None. `source` names what wrote it (a rule's name), for the
    history and for the agent who has to decide."""
    verdict = check_reply(ticket, text.strip(), clock=clock)
    if not verdict.findings:
        message = do_reply(ticket, author=None, text=text, clock=clock)
        _event(ticket, "automatic_reply", clock.now(), message=message.pk, source=source)
        return message
    now = clock.now()
    rules_hit = sorted({f.rule for f in verdict.findings})
    note = Note.objects.create(
        ticket=ticket,
        author=None,
        text=(
            f"Automatic reply from {source} held: the compliance guard found "
            f"{', '.join(rules_hit)}. It was not sent; answer the buyer yourself.\n\n{text}"
        ),
        created_at=now,
    )
    _event(
        ticket,
        "automatic_reply_held",
        now,
        note=note.pk,
        source=source,
        verdict=str(verdict.verdict),
        findings=[
            {"rule": f.rule, "severity": str(f.severity), "excerpt": f.excerpt}
            for f in verdict.findings
        ],
    )
    for user in _people_to_tell(ticket):
        Notification.objects.create(
            user=user,
            kind="automatic_reply_held",
            text=f"#{ticket.pk}: an automatic reply was held by the compliance guard",
            link=f"/tickets/{ticket.pk}/",
            ticket_id=ticket.pk,
            created_at=now,
        )
    return None


def _people_to_tell(ticket: Ticket) -> list[User]:
    """The assignee; with none, every admin and every agent of the ticket's account."""
    if ticket.assignee_id is not None:
        return [ticket.assignee]  # type: ignore[list-item]
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(team_member__role=Role.ADMIN)
            | Q(team_member__role=Role.AGENT, team_member__accounts=ticket.account)
        )
        .distinct()
        .order_by("pk")
    )
