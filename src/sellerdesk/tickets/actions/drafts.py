"""Drafts and the reply guard: nothing typed is lost, and no buyer gets two answers.

An agent's unsent reply (or note) is saved on the server as they type (`save_draft`), one
per agent, ticket and kind, so a reload or a crash loses nothing; it is deleted when sent or
discarded. Saving a draft is private scratch, not ticket history: it writes no TicketEvent.

`send_reply` is how views send: it passes the conversation version the agent's page showed
to `do_reply`, whose first write is the conditional UPDATE of `claim_version`. If another
reply, a note or a buyer message came in since, nothing is sent; the text is kept as the
agent's reply draft with `held_reason` set, and the page shows what is new with the choice
to send anyway (with the version they have now seen) or discard. The guard is on the server,
so it holds without websockets (and for two tabs of the same agent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.tickets.actions.core import (
    ActionError,
    IncomingFile,
    StaleView,
    _event,
    claim_version,
    do_reply,
)
from sellerdesk.tickets.models import Draft, Message, Ticket

MAX_DRAFT_LENGTH = 50_000


@dataclass(frozen=True)
class ReplyOutcome:
    """Either `message` (queued) or `held` (the draft kept back, with `stale` saying why)."""

    message: Message | None = None
    held: Draft | None = None
    stale: StaleView | None = None


def _kind(kind: str) -> str:
    if kind not in Draft.Kind.values:
        raise ActionError(f"Unknown draft kind {kind!r}.")
    return kind


@transaction.atomic
def save_draft(
    ticket: Ticket,
    *,
    author: AbstractBaseUser,
    kind: str,
    text: str,
    seen_version: int,
    clock: Clock = system_clock,
) -> Draft | None:
    """Keep what the agent has typed; empty text deletes the draft. Typing again into a held
    reply (from a page that shows the new messages) makes it an ordinary draft again."""
    _kind(kind)
    if len(text) > MAX_DRAFT_LENGTH:
        raise ActionError(f"A draft has at most {MAX_DRAFT_LENGTH:,} characters.")
    if not text.strip():
        Draft.objects.filter(ticket=ticket, author=author, kind=kind).delete()  # type: ignore[misc]
        return None
    draft, _ = Draft.objects.update_or_create(
        ticket=ticket,
        author=author,
        kind=kind,
        defaults={
            "text": text,
            "base_version": seen_version,
            "held_reason": "",
            "updated_at": clock.now(),
        },
    )
    return draft


@transaction.atomic
def discard_draft(
    ticket: Ticket, *, author: AbstractBaseUser, kind: str, clock: Clock = system_clock
) -> bool:
    """Throw the draft away. Discarding a held reply is recorded in the history (the agent
    decided not to answer after seeing what was new); an ordinary draft is not."""
    draft = Draft.objects.filter(ticket=ticket, author=author, kind=_kind(kind)).first()  # type: ignore[misc]
    if draft is None:
        return False
    if draft.held_reason:
        _event(ticket, "held_reply_discarded", clock.now(), actor=author)
    draft.delete()
    return True


@transaction.atomic
def send_reply(
    ticket: Ticket,
    *,
    author: AbstractBaseUser,
    text: str,
    seen_version: int,
    override_reason: str = "",
    attachments: Sequence[IncomingFile] = (),
    clock: Clock = system_clock,
) -> ReplyOutcome:
    """Send the reply if the conversation is still what the agent saw (`seen_version`),
    else keep it as a held draft. Other refusals (empty, compliance) raise as in `do_reply`."""
    try:
        message = do_reply(
            ticket,
            author=author,
            text=text,
            override_reason=override_reason,
            attachments=attachments,
            expected_version=seen_version,
            clock=clock,
        )
    except StaleView as stale:
        # do_reply's savepoint is rolled back (it wrote nothing anyway); the held draft and
        # its history row commit with this transaction.
        draft, _ = Draft.objects.update_or_create(
            ticket=ticket,
            author=author,
            kind=Draft.Kind.REPLY,
            defaults={
                "text": text,
                "base_version": seen_version,
                "held_reason": str(stale)[:200],
                "updated_at": clock.now(),
            },
        )
        _event(
            ticket,
            "reply_held",
            clock.now(),
            actor=author,
            seen_version=stale.seen_version,
            version=stale.current_version,
        )
        return ReplyOutcome(held=draft, stale=stale)
    Draft.objects.filter(ticket=ticket, author=author, kind=Draft.Kind.REPLY).delete()  # type: ignore[misc]
    return ReplyOutcome(message=message)


@transaction.atomic
def confirm_version(ticket: Ticket, seen_version: int) -> None:
    """For a form that changes the ticket from a view of its conversation (the side panel's
    status): raises StaleView, writing nothing, if the conversation moved since. Run it
    first in the form's transaction; it locks the ticket row until that transaction ends."""
    claim_version(ticket, seen_version, advance=False)
