"""The unified inbox (`/tickets/`) and its bulk actions.

One URL answers the full page and, for htmx requests, only the table's rows (with the saved
views' counts and the pager swapped out of band), so the live inbox can refresh it in place.
Every ticket goes through `tickets.access`; the query logic lives in `tickets.queries`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import system_clock
from sellerdesk.mail.classify import Intent
from sellerdesk.team import access as team_access
from sellerdesk.team.access import acting
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.access import visible_tickets
from sellerdesk.tickets.actions.closing import CLOSING_STATUSES
from sellerdesk.tickets.models import Tag, Ticket
from sellerdesk.tickets.queries import (
    ACTIVE_STATUSES,
    ASSIGNEE_FILTERS,
    ORDER_FILTERS,
    SLA_FILTERS,
    VIEWS,
    Cursor,
    InboxFilters,
    Segment,
    inbox_page,
    view_counts,
)
from sellerdesk.workspace.templatetags.inbox_tags import code_label
from sellerdesk.workspace.ticket_context import may_work

# The inbox shows hostile text (subjects, sender names, first lines of buyer mail): like the
# ticket page, it runs only our own script files, never an inline script.
INBOX_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# Stands for the ticket id in the ticket page's URL, reversed once per page.
_LINK_MARK = 987654321
# Bulk selections beyond this are refused: a page holds 50 rows, and one request must not
# become minutes of work holding the database.
MAX_BULK = 200
# Closing needs a root cause from each ticket's own account (the ticket page asks for it),
# so bulk status changes offer only the statuses of work in progress.
BULK_STATUSES = [
    (value, label) for value, label in Ticket.Status.choices if value in ACTIVE_STATUSES
]


def _assignable(accounts: QuerySet[SellerAccount]) -> list[User]:
    """Who the bulk form offers as assignee: admins, and agents of one of `accounts` (those
    the user sees). The action still checks each ticket's account for each assignee."""
    shares = Q(team_member__role=Role.ADMIN) | Q(team_member__accounts__in=accounts)
    return list(
        User.objects.filter(is_active=True, team_member__role__in=[Role.ADMIN, Role.AGENT])
        .filter(shares)
        .distinct()
        .order_by("username")
    )


def _inbox_url(query: dict[str, str]) -> str:
    base = reverse("ticket_list")
    return f"{base}?{urlencode(query)}" if query else base


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = acting(request)
    role = team_access.role_of(user)
    now = system_clock.now()
    query = request.GET.dict()
    if not query and role == Role.WAREHOUSE:
        # Warehouse staff see the tickets of their accounts (tickets.access), but their work
        # is what waits on the warehouse: that is where they land.
        query["view"] = "warehouse"
    filters = InboxFilters.from_query(query)
    after = Cursor.decode(request.GET.get("after", ""))
    # Resolved once for the page and the counts (each resolution asks for the role).
    tickets = visible_tickets(user)
    page = inbox_page(user, filters, after=after, now=now, visible=tickets)
    counts = view_counts(user, now=now, visible=tickets)
    # One reverse() for the page instead of one per row (the rows re-render on every live
    # refresh).
    link = reverse("ticket_detail", args=[_LINK_MARK])
    for ticket in page.tickets:
        ticket.url = link.replace(str(_LINK_MARK), str(ticket.pk))  # type: ignore[attr-defined]
        ticket.intent_label = code_label(ticket.intent)  # type: ignore[attr-defined]
    kept = filters.as_query()
    context = {
        "tickets": page.tickets,
        "pinned": Segment.PINNED,
        "breached": Segment.BREACHED,
        "filters": filters,
        "views": [
            (key, label, counts[key], _inbox_url({"view": key})) for key, label in VIEWS.items()
        ],
        # `view=all` is the plain inbox, said explicitly so that warehouse staff (who land
        # on their view) can leave it.
        "all_url": _inbox_url({"view": "all"} if role == Role.WAREHOUSE else {}),
        "back": request.GET.urlencode(),
        "next_url": _inbox_url({**kept, "after": page.next_cursor.encode()})
        if page.next_cursor
        else None,
        "first_url": _inbox_url(kept) if after is not None else None,
        "role": role,
        # Warehouse staff read tickets and write notes; assigning and status are the
        # agents' (the ticket page follows the same rule).
        "may_work": may_work(role),
    }
    if request.headers.get("HX-Request") == "true":
        response = render(request, "workspace/_inbox_rows.html", context)
    else:
        accounts = team_access.visible_accounts(user)
        context.update(
            accounts=list(accounts.order_by("name").values_list("pk", "name")),
            tags=list(Tag.objects.order_by("name").values_list("name", flat=True)[:500]),
            intents=[i.value for i in Intent],
            statuses=Ticket.Status.choices,
            bulk_statuses=BULK_STATUSES,
            sla_filters=SLA_FILTERS.items(),
            assignee_filters=ASSIGNEE_FILTERS.items(),
            order_filters=ORDER_FILTERS.items(),
            assignable=_assignable(accounts),
            me=user,
        )
        response = render(request, "workspace/inbox.html", context)
    response["Content-Security-Policy"] = INBOX_CSP
    response["Vary"] = "HX-Request"
    return response


def _back(request: HttpRequest) -> str:
    """Back to the inbox page the agent was on. Rebuilt from the parsed filters and cursor,
    so it is only ever an inbox URL (no open redirect through a crafted field)."""
    query = dict(parse_qsl(request.POST.get("back", ""), keep_blank_values=False))
    kept = InboxFilters.from_query(query).as_query()
    if "view" not in kept and query.get("view") == "all":
        kept["view"] = "all"
    cursor = Cursor.decode(query.get("after", ""))
    if cursor is not None:
        kept["after"] = cursor.encode()
    return _inbox_url(kept)


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign, tag, untag or change the status of the checked tickets.

    Each ticket is its own action and transaction: one ticket refused (another agent closed
    it meanwhile, the assignee may not see its account) leaves the others applied, and the
    message names the refused ones. For triage that is what a lead wants: forty tickets
    handed out even if two could not be, rather than none and a retry. Tickets the user may
    not see are refused like the rest, without saying whether they exist.
    """
    user = acting(request)
    if not may_work(team_access.role_of(user)):
        raise PermissionDenied("Only admins and agents change tickets.")
    back = _back(request)
    raw_ids = request.POST.getlist("ticket")
    ids = sorted({int(raw) for raw in raw_ids if raw.isdigit() and len(raw) < 19})
    if not ids:
        flash.error(request, "Select at least one ticket.")
        return redirect(back)
    if len(ids) > MAX_BULK:
        flash.error(request, f"Select at most {MAX_BULK} tickets at a time; nothing was changed.")
        return redirect(back)
    do = request.POST.get("do", "")
    assignee: User | None = None
    tag_name = status = ""
    if do == "assign":
        choice = request.POST.get("assignee", "")
        if choice == "me":
            assignee = user
        elif choice.isdigit():
            assignee = User.objects.filter(pk=int(choice), is_active=True).first()
            if assignee is None:
                flash.error(request, "No such teammate; nothing was changed.")
                return redirect(back)
        elif choice != "none":
            flash.error(request, "Choose whom to assign the tickets to.")
            return redirect(back)
    elif do in ("tag", "untag"):
        try:
            tag_name = actions.normalize_tag_name(request.POST.get("tag", ""))
        except actions.ActionError as error:
            flash.error(request, f"{error} Nothing was changed.")
            return redirect(back)
    elif do == "status":
        status = request.POST.get("status", "")
        if status not in dict(BULK_STATUSES):
            flash.error(
                request,
                "Choose a status to set"
                + (
                    " (closing needs a root cause: close tickets from their page)."
                    if status in CLOSING_STATUSES
                    else "."
                ),
            )
            return redirect(back)
    else:
        flash.error(request, "Choose what to do with the selected tickets.")
        return redirect(back)

    found = {t.pk: t for t in visible_tickets(user).filter(pk__in=ids).select_related("account")}
    done: list[int] = []
    refused: list[str] = []
    for pk in ids:
        ticket = found.get(pk)
        if ticket is None:
            refused.append(f"#{pk}: not found")
            continue
        try:
            if do == "assign":
                actions.assign(ticket, assignee, actor=user)
            elif do == "tag":
                actions.add_tags(ticket, [tag_name], actor=user)
            elif do == "untag":
                actions.remove_tag(ticket, tag_name, actor=user)
            else:
                actions.set_status(ticket, status, actor=user)
        except actions.ActionError as error:
            refused.append(f"#{pk}: {error}")
        else:
            done.append(pk)
    if done:
        flash.success(request, f"Done for {len(done)} ticket{'s' if len(done) != 1 else ''}.")
    if refused:
        flash.error(request, "Not changed — " + "; ".join(refused))
    return redirect(back)
