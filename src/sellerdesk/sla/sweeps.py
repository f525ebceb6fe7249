"""The deadline sweep: move tickets to at risk or breached as time passes, and announce each
change of state once, in the app and (optionally) by mail to the account's lead.

Deadlines themselves are never held: quiet hours only delay the alert emails.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.events import publish_after_commit, user_group
from sellerdesk.sla.clock import SlaState, time_left
from sellerdesk.team.models import Notification, Role, TeamMember
from sellerdesk.tickets import actions
from sellerdesk.tickets.deadlines import policy_of
from sellerdesk.tickets.models import Ticket

# Tickets further than this from their deadline cannot change state before the next sweep.
HORIZON = timedelta(days=2)
ALERT_STATES = {SlaState.AT_RISK.value, SlaState.BREACHED.value}


def state_now(ticket: Ticket, now: datetime) -> str:
    policy = policy_of(ticket, ticket.account)
    if ticket.due_at is None or policy is None:
        return SlaState.NONE.value
    left = time_left(ticket.due_at, now, policy)
    if left < timedelta(0):
        return SlaState.BREACHED.value
    if left <= policy.at_risk_before:
        return SlaState.AT_RISK.value
    return SlaState.OK.value


def quiet_until(account: SellerAccount, now: datetime) -> datetime:
    """When an alert email may go: now, or the end of the account's quiet hours."""
    start, end = account.quiet_hours_start, account.quiet_hours_end
    if start is None or end is None or start == end:
        return now
    zone = ZoneInfo(account.time_zone)
    local = now.astimezone(zone)
    current = local.time()
    overnight = start > end
    quiet = (start <= current or current < end) if overnight else (start <= current < end)
    if not quiet:
        return now
    end_day = local.date() + timedelta(days=1) if overnight and current >= start else local.date()
    return datetime.combine(end_day, end, tzinfo=zone)


def recipients(ticket: Ticket) -> list[int]:
    if ticket.assignee_id:
        return [ticket.assignee_id]
    members = TeamMember.objects.filter(
        Q(role=Role.ADMIN) | Q(role=Role.AGENT, accounts=ticket.account_id), user__is_active=True
    ).values_list("user_id", flat=True)
    return sorted(set(members))


def announce(ticket: Ticket, state: str, now: datetime) -> int:
    words = "is at risk of missing" if state == SlaState.AT_RISK.value else "missed"
    due = ticket.due_at.strftime("%Y-%m-%d %H:%M UTC") if ticket.due_at else ""
    text = f"#{ticket.pk} {ticket.subject[:120]} {words} its reply deadline ({due})"
    link = f"/tickets/{ticket.pk}/"
    rows = [
        Notification(
            user_id=user_id,
            kind=f"deadline_{state}",
            text=text,
            link=link,
            ticket_id=ticket.pk,
            created_at=now,
        )
        for user_id in recipients(ticket)
    ]
    if ticket.account.lead_email:
        rows.append(
            Notification(
                email_to=ticket.account.lead_email,
                kind=f"deadline_{state}",
                text=text,
                link=link,
                ticket_id=ticket.pk,
                created_at=now,
                email_after=quiet_until(ticket.account, now),
            )
        )
    Notification.objects.bulk_create(rows)
    for row in rows:
        if row.user_id is not None:
            publish_after_commit(user_group(row.user_id), {"type": "notifications.changed"})
    return len(rows)


def candidates(now: datetime) -> Iterable[Ticket]:
    return (
        Ticket.objects.filter(due_at__isnull=False)
        .filter(Q(due_at__lte=now + HORIZON) | ~Q(sla_state=SlaState.OK.value))
        .select_related("account", "order")
    )


def sweep(now: datetime) -> dict[str, int]:
    """Update every ticket whose state moved; announce new at-risk and breached states once."""
    counts = {"changed": 0, "notified": 0}
    for ticket in candidates(now):
        state = state_now(ticket, now)
        if state == ticket.sla_state and (
            state not in ALERT_STATES or state == ticket.sla_notified_state
        ):
            continue
        with transaction.atomic():
            fields: dict[str, str] = {"sla_state": state}
            if state in ALERT_STATES and state != ticket.sla_notified_state:
                counts["notified"] += announce(ticket, state, now)
                fields["sla_notified_state"] = state
                # A snoozed ticket whose deadline goes at risk (or is missed) comes back.
                actions.wake(ticket, reason=f"deadline_{state}", now=now)
            elif state not in ALERT_STATES:
                # Back to ok (a reply, a later deadline): the next risk is news again.
                fields["sla_notified_state"] = state
            Ticket.objects.filter(pk=ticket.pk).update(**fields)
        counts["changed"] += state != ticket.sla_state
    return counts


def send_alert_emails(now: datetime) -> int:
    """Mail the alerts whose quiet hours are over."""
    sent = 0
    due = Notification.objects.filter(email_after__lte=now, emailed_at__isnull=True).exclude(
        email_to=""
    )
    for note in due:
        send_mail(
            subject=f"sellerdesk: {note.text[:80]}",
            message=f"{note.text}\n\n{note.link}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[note.email_to],
        )
        Notification.objects.filter(pk=note.pk).update(emailed_at=now)
        sent += 1
    return sent
