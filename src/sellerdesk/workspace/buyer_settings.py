"""The buyer settings page (/settings/buyers/): the thresholds of the repeat-buyer tiers and
of the problem-buyer flag, team-wide. Admins only; anyone else gets a 404, as for every
settings page, so the page does not announce itself."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sellerdesk.team import access
from sellerdesk.team.models import TeamSettings

# Only these columns are saved: the settings row holds other teams' switches too
# (claim_assigns), which a stale copy of this form must never overwrite.
FIELDS = [
    "returning_buyer_orders",
    "loyal_buyer_orders",
    "loyal_buyer_spend",
    "problem_buyer_returns_30d",
    "problem_buyer_cases_30d",
]


class BuyerThresholdsForm(forms.ModelForm):
    class Meta:
        model = TeamSettings
        fields = FIELDS
        labels = {
            "returning_buyer_orders": "Returning buyer from (orders)",
            "loyal_buyer_orders": "Loyal buyer from (orders)",
            "loyal_buyer_spend": "Loyal buyer from (spend, item prices net of refunds)",
            "problem_buyer_returns_30d": "Problem buyer from (items returned or refunded in 30 days; 0: off)",
            "problem_buyer_cases_30d": "Problem buyer from (cases and escalations in 30 days; 0: off)",
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        returning, loyal = data.get("returning_buyer_orders"), data.get("loyal_buyer_orders")
        if isinstance(returning, int) and returning < 2:
            self.add_error(
                "returning_buyer_orders", "A buyer with one order is new: use 2 or more."
            )
        if isinstance(returning, int) and isinstance(loyal, int) and loyal < returning:
            self.add_error(
                "loyal_buyer_orders", "Loyal must need at least as many orders as returning."
            )
        spend = data.get("loyal_buyer_spend")
        if spend is not None and spend <= 0:
            self.add_error("loyal_buyer_spend", "Use an amount above zero.")
        return data


@login_required
@require_http_methods(["GET", "POST"])
def buyer_settings(request: HttpRequest) -> HttpResponse:
    if not access.is_admin(request.user):
        raise Http404("No such page.")
    row = TeamSettings.load()
    form = BuyerThresholdsForm(request.POST or None, instance=row)
    if request.method == "POST":
        if form.is_valid():
            form.instance.save(update_fields=FIELDS)
            flash.success(request, "Buyer thresholds saved.")
            return redirect("buyer_settings")
        status = 422
    else:
        status = 200
    return render(
        request,
        "workspace/buyer_settings.html",
        {"form": form, "role": access.role_of(request.user)},
        status=status,
    )
