"""The compliance settings page: which marketplace rules apply to each account, in plain
words, with per-account switches for the warn-level ones (block-level rules always apply)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.compliance.rules import RULES, RuleInfo, Severity
from sellerdesk.team import access


@dataclass(frozen=True)
class RuleRow:
    rule: str
    info: RuleInfo
    on: bool
    switchable: bool


def rows_for(account: SellerAccount) -> list[RuleRow]:
    disabled = set(account.compliance_disabled_rules or ())
    return [
        RuleRow(rule, info, rule not in disabled, info.severity == Severity.WARN)
        for rule, info in RULES.items()
        if account.marketplace in info.marketplaces
    ]


@login_required
@require_http_methods(["GET", "POST"])
def compliance_settings(request: HttpRequest) -> HttpResponse:
    if not access.is_admin(request.user):
        raise Http404("No such page.")
    accounts = list(access.visible_accounts(request.user))
    if request.method == "POST":
        account = next((a for a in accounts if str(a.pk) == request.POST.get("account")), None)
        if account is None:
            raise Http404("No such seller account.")
        switchable = {row.rule for row in rows_for(account) if row.switchable}
        enabled = set(request.POST.getlist("on"))
        account.compliance_disabled_rules = sorted(switchable - enabled)
        account.save(update_fields=["compliance_disabled_rules"])
        flash.success(request, f"Compliance rules saved for {account.name}.")
        return redirect("compliance_settings")
    return render(
        request,
        "workspace/compliance_settings.html",
        {"accounts": [(a, rows_for(a)) for a in accounts], "role": access.role_of(request.user)},
    )
