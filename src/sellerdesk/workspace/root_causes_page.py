"""The root-cause settings page: each account's taxonomy, which closing a ticket asks for.
Admins add, rename, retire and bring back entries; everyone else gets a 404, as on the
compliance settings page (a page they cannot use is not advertised)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team import access
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import RootCause


def _apply(request: HttpRequest, accounts: list[SellerAccount]) -> str:
    """Carry out the posted change; returns what to tell the admin. Raises ActionError."""
    op = request.POST.get("op", "")
    if op == "add":
        account = next((a for a in accounts if str(a.pk) == request.POST.get("account")), None)
        if account is None:
            raise Http404("No such seller account.")
        cause = actions.add_root_cause(
            account, request.POST.get("label", ""), request.POST.get("code", "")
        )
        return f"Added “{cause.label}” to {account.name}."
    try:
        cause = RootCause.objects.select_related("account").get(
            pk=int(request.POST.get("cause", "")), account__in=accounts
        )
    except (ValueError, RootCause.DoesNotExist):
        raise Http404("No such root cause.") from None
    if op == "rename":
        before = cause.label
        actions.rename_root_cause(cause, request.POST.get("label", ""))
        return f"“{before}” is now “{cause.label}”."
    if op in {"retire", "restore"}:
        actions.set_root_cause_active(cause, op == "restore")
        return f"“{cause.label}” is {'back' if op == 'restore' else 'retired'}."
    raise actions.ActionError(f"Unknown change {op!r}.")


@login_required
@require_http_methods(["GET", "POST"])
def root_cause_settings(request: HttpRequest) -> HttpResponse:
    if not access.is_admin(request.user):
        raise Http404("No such page.")
    accounts = list(access.visible_accounts(request.user).order_by("name"))
    keep: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            flash.success(request, _apply(request, accounts))
            return redirect("root_cause_settings")
        except actions.ActionError as error:
            flash.error(request, str(error))
            # The page again, with the typed name still in its field.
            keep = {
                "account": request.POST.get("account", ""),
                "cause": request.POST.get("cause", ""),
                "label": request.POST.get("label", ""),
                "code": request.POST.get("code", ""),
            }
            status = 422
    return render(
        request,
        "workspace/root_causes.html",
        {
            "accounts": [(account, actions.root_causes(account)) for account in accounts],
            "keep": keep,
            "role": access.role_of(request.user),
        },
        status=status,
    )
