"""Triage: who handles a ticket and how it is labelled.

None of these alter the conversation, so they save with `_save` and leave the ticket's
version alone: an agent with the ticket open is not told "the ticket changed" because a
teammate assigned or tagged it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.team.access import visible_accounts
from sellerdesk.tickets.actions.core import ActionError, _event, _save
from sellerdesk.tickets.models import Tag, Ticket

# Short enough to keep an inbox row on one line; the model allows 60 for older names.
MAX_TAG_LENGTH = 40
# Letters and digits of any script, spaces and a little punctuation people use in labels
# ("wfs", "vip buyer", "q3/promo", "carrier:ups"). Tag names are escaped wherever they are
# shown anyway; this keeps them readable as filter values and free of invisible characters.
_TAG_NAME = re.compile(r"^[^\W_][\w .:/+#-]*$")


def normalize_tag_name(raw: str) -> str:
    """The stored form of a tag name: NFC, inner whitespace collapsed, lower case (so "VIP"
    and "vip " are one tag). Raises ActionError with the reason when the name is unusable."""
    name = " ".join(unicodedata.normalize("NFC", raw).split()).lower()
    if not name:
        raise ActionError("A tag needs a name.")
    if len(name) > MAX_TAG_LENGTH:
        raise ActionError(f"A tag name has at most {MAX_TAG_LENGTH} characters.")
    if not _TAG_NAME.match(name):
        raise ActionError(
            f"Tag {name!r}: use letters, digits, spaces and - _ . : / + # only, "
            "starting with a letter or digit."
        )
    return name


def _may_see_account(user: AbstractBaseUser, ticket: Ticket) -> bool:
    return visible_accounts(user).filter(pk=ticket.account_id).exists()


@transaction.atomic
def assign(
    ticket: Ticket,
    assignee: AbstractBaseUser | None,
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> bool:
    """Give the ticket to `assignee` (None: unassign). Refused for a user who may not see
    the ticket's account: they could neither open it nor answer it. Returns whether
    anything changed (assigning to the current assignee writes nothing)."""
    if assignee is not None and not _may_see_account(assignee, ticket):
        raise ActionError(
            f"{assignee.get_username()} may not see {ticket.account.name}, "
            "so the ticket cannot be assigned to them."
        )
    new_id = assignee.pk if assignee is not None else None
    if new_id == ticket.assignee_id:
        return False
    now = clock.now()
    previous_id = ticket.assignee_id
    previous_name = ticket.assignee.get_username() if ticket.assignee is not None else None
    _save(ticket, assignee=assignee)
    _event(
        ticket,
        "assigned" if assignee is not None else "unassigned",
        now,
        actor=actor,
        previous=previous_id,
        previous_name=previous_name,
        assignee=new_id,
        assignee_name=assignee.get_username() if assignee is not None else None,
    )
    return True


@transaction.atomic
def add_tags(
    ticket: Ticket,
    names: Iterable[str],
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> list[str]:
    """Put tags on the ticket, creating tags that do not exist yet. Every name is checked
    before anything is written: one bad name refuses the whole call. Returns the names
    newly added (in the order given); tags the ticket already had are skipped."""
    wanted: list[str] = []
    for raw in names:
        name = normalize_tag_name(raw)
        if name not in wanted:
            wanted.append(name)
    if not wanted:
        raise ActionError("Name at least one tag.")
    present = set(ticket.tags.filter(name__in=wanted).values_list("name", flat=True))
    added = [name for name in wanted if name not in present]
    if not added:
        return []
    # get_or_create retries the read when a concurrent insert wins the unique constraint.
    tags = [Tag.objects.get_or_create(name=name)[0] for name in added]
    ticket.tags.add(*tags)
    _event(ticket, "tags_added", clock.now(), actor=actor, tags=added)
    return added


@transaction.atomic
def remove_tag(
    ticket: Ticket,
    name: str,
    *,
    actor: AbstractBaseUser | None,
    clock: Clock = system_clock,
) -> bool:
    """Take a tag off the ticket. Returns False (and writes nothing) when it was not there.
    The name is matched as stored, so a tag created before the naming rules existed can
    still be removed."""
    stripped = " ".join(name.split())
    tag = ticket.tags.filter(name__in={stripped, stripped.lower()}).first()
    if tag is None:
        return False
    ticket.tags.remove(tag)
    _event(ticket, "tag_removed", clock.now(), actor=actor, tag=tag.name)
    return True
