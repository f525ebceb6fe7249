"""Drafts from the ticket page: saved as the agent types (a debounced POST from
realtime/ticket.js), and thrown away on request (a plain form, so it works without
JavaScript). Access as for the page: a ticket the user may not see is a 404. And the one
team setting of live collaboration (does the soft claim assign?)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from sellerdesk.team.access import acting, is_admin, role_of
from sellerdesk.team.models import Role, TeamSettings
from sellerdesk.tickets import actions
from sellerdesk.tickets.access import get_ticket_for_user

# The side form's fields a held status change carries back for "apply anyway", with the
# words the page uses for them.
HELD_STATUS_LABELS = {
    "status": "status",
    "root_cause": "root cause",
    "intent": "intent",
    "order_number": "order",
}
HELD_STATUS_FIELDS = tuple(HELD_STATUS_LABELS)


def posted_version(request: HttpRequest) -> int | None:
    """The conversation version a form was rendered with, if it says (see realtime/ticket.js
    and the composers)."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _require_kind_allowed(request: HttpRequest, kind: str) -> None:
    # Warehouse staff read tickets and write notes; replies are for admins and agents.
    if kind == "reply" and role_of(request.user) not in {Role.ADMIN, Role.AGENT}:
        raise PermissionDenied("Only admins and agents reply.")


@login_required
@require_POST
def save_draft(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Answers JSON: {"saved": true|false (false: the text was empty, the draft is gone)}."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    kind = request.POST.get("kind", "")
    _require_kind_allowed(request, kind)
    seen = posted_version(request)
    try:
        draft = actions.save_draft(
            ticket,
            author=acting(request),
            kind=kind,
            text=request.POST.get("text", ""),
            seen_version=ticket.version if seen is None else seen,
        )
    except actions.ActionError as error:
        return JsonResponse({"error": str(error)}, status=422)
    return JsonResponse({"saved": draft is not None})


@login_required
@require_POST
def discard_draft(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    kind = request.POST.get("kind", "reply")
    _require_kind_allowed(request, kind)
    try:
        gone = actions.discard_draft(ticket, author=acting(request), kind=kind)
    except actions.ActionError as error:
        flash.error(request, str(error))
    else:
        if gone:
            flash.success(request, "Draft discarded." if kind == "note" else "Reply discarded.")
    return redirect("ticket_detail", ticket_id=ticket.pk)


def held_redirect(
    request: HttpRequest, ticket_id: int, what: str, fields: tuple[str, ...] = ()
) -> HttpResponse:
    """Back to the ticket page after the reply guard held a reply or a status change: the
    page shows what came in since the form's `seen` time, and the choice to go ahead
    anyway or drop it. A held status change travels in the URL (`fields` as posted): it is
    the agent's own choice, shown back to them only."""
    query = {"held": what, "seen": request.POST.get("seen", "")}
    query.update({name: request.POST[name] for name in fields if name in request.POST})
    return redirect(f"{reverse('ticket_detail', args=[ticket_id])}?{urlencode(query)}#held")


@login_required
@require_http_methods(["GET", "POST"])
def collaboration_settings(request: HttpRequest) -> HttpResponse:
    """Admins decide whether the soft claim assigns: the first agent to type a reply on an
    unassigned ticket is always shown to the others as replying; with `claim_assigns` on
    they also become its assignee. Anyone else: 404, as for the other settings pages."""
    if not is_admin(request.user):
        raise Http404("No such page.")
    row = TeamSettings.load()
    if request.method == "POST":
        row.claim_assigns = request.POST.get("claim_assigns") == "on"
        row.save(update_fields=["claim_assigns"])
        flash.success(request, "Saved.")
        return redirect("collaboration_settings")
    return render(
        request,
        "realtime/collaboration_settings.html",
        {"settings_row": row, "role": role_of(request.user)},
    )
