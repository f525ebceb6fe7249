"""Snippet pages: the picker a ticket's composer searches (an htmx fragment, or a whole page
without JavaScript), and the settings pages where admins manage the library."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sellerdesk.lib.clock import system_clock
from sellerdesk.snippets.catalog import GENERAL, INTENTS, TIERS, tier_of
from sellerdesk.snippets.checks import sample_context
from sellerdesk.snippets.context import snippet_context
from sellerdesk.snippets.forms import SnippetForm
from sellerdesk.snippets.models import Snippet
from sellerdesk.snippets.render import VARIABLE_LABELS, Rendered, TemplateError
from sellerdesk.snippets.render import render as render_snippet
from sellerdesk.team import access
from sellerdesk.team.access import acting
from sellerdesk.tickets.access import get_ticket_for_user
from sellerdesk.tickets.models import Ticket

PICKER_LIMIT = 30
TIER_LABELS = dict(TIERS)
INTENT_LABELS = {value: label for value, label, _ in INTENTS}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@dataclass(frozen=True)
class PickerItem:
    snippet: Snippet
    rendered: Rendered | None
    problem: str
    fits_intent: bool

    @property
    def tier_label(self) -> str:
        return TIER_LABELS.get(self.snippet.tier, self.snippet.tier)


def picker_snippets(ticket: Ticket, query: str) -> list[Snippet]:
    """The active snippets usable on this ticket's marketplace that hold every word of the
    query (title or text), the ticket's intent first, then its tier, then the general ones.
    The library is a few dozen rows: one query, ordered here."""
    snippets = Snippet.objects.filter(
        active=True, marketplace__in=("both", ticket.account.marketplace)
    )
    # Words of one or two letters ("on", "is", "my") would match nearly every snippet.
    for word in [w for w in query.split() if len(w) > 2][:8]:
        snippets = snippets.filter(Q(title__icontains=word) | Q(body__icontains=word))
    tier = tier_of(ticket.intent)

    def rank(snippet: Snippet) -> tuple[int, str]:
        if snippet.intent and snippet.intent == ticket.intent:
            return (0, snippet.title.lower())
        if snippet.tier == tier:
            return (1, snippet.title.lower())
        return (2 if snippet.tier == GENERAL else 3, snippet.title.lower())

    return sorted(snippets, key=rank)[:PICKER_LIMIT]


@login_required
@require_GET
def picker(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Snippets for the ticket, each rendered with its order: the text that will be
    inserted, what is missing, and what contradicts the order."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    query = request.GET.get("q", "").strip()[:200]
    context = snippet_context(ticket, acting(request))
    items = []
    for snippet in picker_snippets(ticket, query):
        try:
            rendered, problem = render_snippet(snippet.body, context), ""
        except TemplateError as error:  # saved before a variable was renamed, say
            rendered, problem = None, str(error)
        items.append(
            PickerItem(
                snippet, rendered, problem, bool(snippet.intent) and snippet.intent == ticket.intent
            )
        )
    page = {"ticket": ticket, "items": items, "query": query}
    if _is_htmx(request):
        return render(request, "snippets/_picker_results.html", page)
    return render(request, "snippets/picker_page.html", page)


# --- settings pages (admins only) ----------------------------------------------------------


def _admins_only(request: HttpRequest) -> None:
    if not access.is_admin(request.user):
        raise Http404("No such page.")


@login_required
@require_GET
def snippet_list(request: HttpRequest) -> HttpResponse:
    _admins_only(request)
    snippets = Snippet.objects.select_related("updated_by").order_by("-active", "tier", "title")
    return render(
        request,
        "snippets/list.html",
        {
            "snippets": snippets,
            "tiers": TIER_LABELS,
            "intents": INTENT_LABELS,
            "role": access.role_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def snippet_edit(request: HttpRequest, snippet_id: int | None = None) -> HttpResponse:
    """Add (no id) or edit a snippet. Saving refuses unknown variables and text that breaks
    a block rule of its marketplace on any order; warnings are shown after the save."""
    _admins_only(request)
    snippet = get_object_or_404(Snippet, pk=snippet_id) if snippet_id is not None else None
    form = SnippetForm(request.POST or None, instance=snippet)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if saved.pk is None:
            saved.created_by = acting(request)
        saved.updated_by = acting(request)
        saved.save()
        flash.success(request, f"Snippet “{saved.title}” saved.")
        for warning in form.warnings:
            flash.warning(request, f"Check before use: {warning}")
        return redirect("snippet_edit", snippet_id=saved.pk)
    preview = None
    if snippet is not None and not form.errors:
        place = "amazon" if snippet.marketplace == "amazon" else "walmart"
        today = system_clock.now().date()
        try:
            preview = render_snippet(snippet.body, sample_context(place, snippet.tier, today))
        except TemplateError:
            preview = None
    return render(
        request,
        "snippets/form.html",
        {
            "form": form,
            "snippet": snippet,
            "preview": preview,
            "variables": VARIABLE_LABELS.items(),
            "role": access.role_of(request.user),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def snippet_retire(request: HttpRequest, snippet_id: int) -> HttpResponse:
    """Retire a snippet (no longer offered in the composer) or bring it back."""
    _admins_only(request)
    snippet = get_object_or_404(Snippet, pk=snippet_id)
    snippet.active = request.POST.get("active") == "1"
    snippet.updated_by = acting(request)
    snippet.save(update_fields=["active", "updated_by", "updated_at"])
    flash.success(
        request, f"Snippet “{snippet.title}” {'restored' if snippet.active else 'retired'}."
    )
    return redirect("snippet_list")
