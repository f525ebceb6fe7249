"""Template filters for reply deadlines."""

from __future__ import annotations

from datetime import datetime

from django import template

from sellerdesk.lib.clock import system_clock

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


@register.filter
def time_left(due_at: datetime | None) -> str:
    """ "5 h 20 min left" or "overdue 2 h 05 min" (wall-clock; the stored state is the rule)."""
    if due_at is None:
        return ""
    seconds = (due_at - system_clock.now()).total_seconds()
    return f"{_span(seconds)} left" if seconds >= 0 else f"overdue {_span(seconds)}"


@register.filter
def sla_state_now(ticket: object) -> str:
    """The ticket's deadline state as of this moment: the sweep stores it once a minute, so a
    deadline that passed since then already reads as breached."""
    due_at = getattr(ticket, "due_at", None)
    stored = str(getattr(ticket, "sla_state", "none"))
    if due_at is not None and due_at < system_clock.now():
        return "breached"
    return stored
