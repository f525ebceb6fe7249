"""The ticket page's smaller forms: notes, assignee, tags, snooze, and the repairs (merge,
move, split, undo). Each posts to its own URL and answers with the ticket page: a redirect
after success (with a flash saying what happened), the page again with status 422 and what
was typed after a refusal, so nothing is lost.

Forms that act on the conversation (snooze, repairs) carry the `version` they were rendered
with: posted from a view older than the ticket, they change nothing and show the fresh state.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from sellerdesk.lib.clock import system_clock
from sellerdesk.team.access import acting
from sellerdesk.tickets import actions
from sellerdesk.tickets.access import get_ticket_for_user, visible_tickets
from sellerdesk.tickets.models import Message, Ticket, TicketEvent
from sellerdesk.workspace import ticket_context
from sellerdesk.workspace.views import ticket_page


def _back(ticket: Ticket, anchor: str = "") -> HttpResponse:
    response = redirect("ticket_detail", ticket_id=ticket.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(
    request: HttpRequest, ticket: Ticket, error: Exception, keep: dict[str, str] | None = None
) -> HttpResponse:
    flash.error(request, str(error))
    ticket.refresh_from_db()
    return ticket_page(request, ticket, keep=keep, status=422)


@login_required
@require_POST
def add_note(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Anyone who may see the ticket may write a note (warehouse staff answer questions
    this way); @mentions notify teammates who may see it too."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    text = request.POST.get("note", "")
    try:
        result = actions.add_note(ticket, text, author=acting(request))
    except actions.ActionError as error:
        return _refused(request, ticket, error, {"note": text})
    said = "Note added."
    if result.notified:
        said += " Notified: " + ", ".join(f"@{name}" for name in result.notified) + "."
    flash.success(request, said)
    if result.not_notified:
        flash.warning(
            request,
            "Not notified: "
            + ", ".join(f"@{name}" for name in result.not_notified)
            + " (no teammate of that name may see this ticket).",
        )
    return _back(ticket, f"note-{result.note.pk}")


@login_required
@require_POST
def assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    chosen = request.POST.get("assignee", "")
    assignee = None
    if chosen:
        # Only teammates who may see the ticket are offered; anyone else reads as unknown.
        assignee = next((u for u in ticket_context.teammates(ticket) if str(u.pk) == chosen), None)
        if assignee is None:
            return _refused(request, ticket, actions.ActionError("No such teammate."))
    try:
        actions.assign(ticket, assignee, actor=acting(request))
    except actions.ActionError as error:
        return _refused(request, ticket, error)
    return _back(ticket)


@login_required
@require_POST
def add_tags(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    typed = request.POST.get("tags", "")
    names = [name for name in typed.split(",") if name.strip()]
    try:
        actions.add_tags(ticket, names, actor=acting(request))
    except actions.ActionError as error:
        return _refused(request, ticket, error, {"tags": typed})
    return _back(ticket)


@login_required
@require_POST
def remove_tag(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    actions.remove_tag(ticket, request.POST.get("tag", ""), actor=acting(request))
    return _back(ticket)


@login_required
@require_POST
def snooze(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Presets (in 1 hour, tomorrow 9:00) or a date and time, in the account's time zone:
    the seller's working day, whoever's browser posts it."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    if reason := ticket_context.stale(request, ticket):
        flash.error(request, reason)
        return _back(ticket)
    typed = request.POST.get("until", "")
    zone = ZoneInfo(ticket.account.time_zone)
    try:
        until = ticket_context.snooze_until(
            request.POST.get("preset", ""), typed, zone, system_clock.now()
        )
        actions.snooze(ticket, until, actor=acting(request))
    except (ValueError, actions.ActionError) as error:
        return _refused(request, ticket, error, {"until": typed})
    flash.success(
        request, f"Snoozed until {until.astimezone(zone):%a %Y-%m-%d %H:%M} ({zone.key})."
    )
    return _back(ticket)


@login_required
@require_POST
def unsnooze(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    if actions.unsnooze(ticket, actor=acting(request)):
        flash.success(request, "Back in the inbox.")
    return _back(ticket)


def _other_ticket(request: HttpRequest, raw: str) -> Ticket:
    """A ticket named by number in a form, among those the user may see: one they may not
    see reads exactly like one that does not exist."""
    number = raw.strip().lstrip("#")
    if not number.isdigit():
        raise actions.ActionError("Give a ticket number, like 1234.")
    ticket = visible_tickets(request.user).select_related("account").filter(pk=int(number)).first()
    if ticket is None:
        raise actions.ActionError(f"There is no ticket #{number}.")
    return ticket


@login_required
@require_POST
def merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Merge this ticket into the one chosen (or typed): this one closes and points there."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    if reason := ticket_context.stale(request, ticket):
        flash.error(request, reason)
        return _back(ticket)
    typed = request.POST.get("into", "")
    try:
        survivor = _other_ticket(request, typed)
        actions.merge(ticket, survivor, actor=acting(request))
    except actions.ActionError as error:
        return _refused(request, ticket, error, {"into": typed})
    flash.success(
        request,
        f"#{ticket.pk} was merged into this ticket; undo it from the history if it was a mistake.",
    )
    return _back(survivor)


def _message_of(request: HttpRequest, ticket: Ticket) -> Message:
    """The message named by the form, among this ticket's (any other is a 404)."""
    raw = request.POST.get("message", "")
    if not raw.isdigit():
        raise Http404("No such message.")
    return get_object_or_404(Message, pk=int(raw), ticket=ticket)


@login_required
@require_POST
def move_message(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    message = _message_of(request, ticket)
    if reason := ticket_context.stale(request, ticket):
        flash.error(request, reason)
        return _back(ticket)
    typed = request.POST.get("to", "")
    try:
        target = _other_ticket(request, typed)
        actions.move_message(message, target, actor=acting(request))
    except actions.ActionError as error:
        return _refused(request, ticket, error, {"message": str(message.pk), "to": typed})
    flash.success(
        request, f"Message moved to #{target.pk}; undo it from the history if it was a mistake."
    )
    return _back(ticket)


@login_required
@require_POST
def split_message(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    message = _message_of(request, ticket)
    if reason := ticket_context.stale(request, ticket):
        flash.error(request, reason)
        return _back(ticket)
    try:
        new = actions.split_message(message, actor=acting(request))
    except actions.ActionError as error:
        return _refused(request, ticket, error, {"message": str(message.pk)})
    flash.success(
        request,
        f"The message is now ticket #{new.pk}; undo it from #{ticket.pk}'s history if it was a mistake.",
    )
    return _back(new)


@login_required
@require_POST
def undo(request: HttpRequest, ticket_id: int, event_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    event = get_object_or_404(TicketEvent, pk=event_id, ticket=ticket)
    try:
        actions.undo(event, actor=acting(request))
    except actions.ActionError as error:
        return _refused(request, ticket, error)
    flash.success(request, "Undone.")
    return _back(ticket)
