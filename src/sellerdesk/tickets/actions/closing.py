"""Closing with a root cause, and the per-account root-cause taxonomy.

Every ticket that ends (solved or closed) says why the buyer wrote, from the account's own
taxonomy, so that per-SKU figures can tell "damaged in shipping" from "buyer remorse". Both
statuses ask for it: "solved" (answered, may still come back) and "closed" (done) end the
same conversation, and a root cause asked only sometimes is a report with holes.

The taxonomy is seeded from DEFAULT_ROOT_CAUSES the first time an account needs it, so a new
account works at once; admins then rename, add and retire entries (retired ones stay for the
tickets already closed with them).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.tickets.actions.core import ActionError, _event, _save
from sellerdesk.tickets.deadlines import refresh_deadline
from sellerdesk.tickets.models import DEFAULT_ROOT_CAUSES, RootCause, Ticket

CLOSING_STATUSES = frozenset({Ticket.Status.SOLVED, Ticket.Status.CLOSED})
MAX_LABEL_LENGTH = 100


def root_causes(account: SellerAccount) -> list[RootCause]:
    """The account's taxonomy (active and retired, in order), seeded on first use."""
    rows = list(RootCause.objects.filter(account=account).order_by("position", "label"))
    if rows:
        return rows
    # ignore_conflicts: two first uses at once (two agents closing) seed once.
    RootCause.objects.bulk_create(
        [
            RootCause(account=account, code=code, label=label, position=index)
            for index, (code, label) in enumerate(DEFAULT_ROOT_CAUSES)
        ],
        ignore_conflicts=True,
    )
    return list(RootCause.objects.filter(account=account).order_by("position", "label"))


@transaction.atomic
def close(
    ticket: Ticket,
    root_cause_code: str,
    *,
    actor: AbstractBaseUser | None,
    status: str = Ticket.Status.CLOSED,
    clock: Clock = system_clock,
) -> None:
    """End the ticket (closed, or solved) with a root cause from its account's taxonomy.
    Refused for a missing, unknown or retired root cause; nothing is changed then."""
    if status not in CLOSING_STATUSES:
        raise ActionError(f"close() ends a ticket as solved or closed, not {status!r}.")
    if ticket.merged_into_id is not None:
        raise ActionError("This ticket was merged into another; close that one instead.")
    code = (root_cause_code or "").strip()
    if not code:
        raise ActionError(
            "Pick a root cause: every solved or closed ticket says why the buyer wrote."
        )
    known = {row.code: row for row in root_causes(ticket.account)}
    cause = known.get(code)
    if cause is None:
        raise ActionError(f"{code!r} is not a root cause of {ticket.account.name}.")
    if not cause.active:
        raise ActionError(f"The root cause {cause.label!r} is retired; pick a current one.")
    if ticket.status == status and ticket.root_cause == code:
        return
    now = clock.now()
    previous_status, previous_cause = ticket.status, ticket.root_cause
    _save(
        ticket,
        status=status,
        root_cause=code,
        closed_at=now if status == Ticket.Status.CLOSED else None,
        snoozed_until=None,
    )
    # One history row: the status change carries its root cause. The SLA clock reads
    # status changes from these rows (a solved ticket owes nothing).
    _event(
        ticket,
        "status_changed" if previous_status != status else "root_cause_set",
        now,
        actor=actor,
        previous=previous_status,
        status=status,
        root_cause=code,
        root_cause_label=cause.label,
        previous_root_cause=previous_cause or None,
    )
    refresh_deadline(ticket, now)


# --- the taxonomy, edited by admins ---------------------------------------------------


def _clean_label(label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise ActionError("A root cause needs a name.")
    if len(label) > MAX_LABEL_LENGTH:
        raise ActionError(f"A root cause name has at most {MAX_LABEL_LENGTH} characters.")
    return label


@transaction.atomic
def add_root_cause(account: SellerAccount, label: str, code: str = "") -> RootCause:
    """A new entry at the end of the list; the code (what reports group by) is made from
    the name unless given, and never changes afterwards."""
    label = _clean_label(label)
    code = slugify(code or label).replace("-", "_")[:40]
    if not code:
        raise ActionError("A root cause needs a code of letters or digits.")
    existing = root_causes(account)
    if any(row.code == code for row in existing):
        raise ActionError(f"{account.name} already has a root cause with the code {code!r}.")
    last = RootCause.objects.filter(account=account).aggregate(last=Max("position"))["last"]
    return RootCause.objects.create(
        account=account, code=code, label=label, position=(last or 0) + 1
    )


@transaction.atomic
def rename_root_cause(cause: RootCause, label: str) -> None:
    """A new name only: closed tickets and reports keep grouping by the unchanged code."""
    cause.label = _clean_label(label)
    cause.save(update_fields=["label"])


@transaction.atomic
def set_root_cause_active(cause: RootCause, active: bool) -> None:
    """Retire (or bring back) an entry: retired ones are no longer offered when closing."""
    if not active and cause.active:
        others = RootCause.objects.filter(account_id=cause.account_id, active=True).exclude(
            pk=cause.pk
        )
        if not others.exists():
            raise ActionError("Keep at least one active root cause, or no ticket could close.")
    cause.active = active
    cause.save(update_fields=["active"])
