"""`/search/?q=`: one box for everything. An order or tracking number finds its orders and
tickets at once (exact, indexed), a relay address or a name finds the buyer, and words find
messages by full text, best first with the matching words marked. Only what the user may
see: the accounts of `team.access`, the tickets of `tickets.access`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sellerdesk.search.engine import message_hits
from sellerdesk.search.lookups import ExactHits, buyers, exact_hits
from sellerdesk.search.terms import parse
from sellerdesk.team import access
from sellerdesk.team.models import Role
from sellerdesk.tickets.access import visible_tickets


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = parse(request.GET.get("q", ""))
    role = access.role_of(request.user)
    context: dict[str, object] = {"q": query.text, "query": query, "role": role}
    if query.text and role is not None:
        # Admins see every account: no filter at all, so the indexes answer directly.
        everything = role == Role.ADMIN
        account_ids = list(access.visible_accounts(request.user).values_list("pk", flat=True))
        tickets = visible_tickets(request.user)
        exact = exact_hits(query, tickets, account_ids)
        context.update(
            exact=exact,
            buyers=buyers(query, tickets, None if everything else account_ids),
            message_hits=message_hits(query.words, None if everything else account_ids),
        )
    else:
        context.update(exact=ExactHits([], [], False), buyers=[], message_hits=[])
    return render(request, "search/results.html", context)
