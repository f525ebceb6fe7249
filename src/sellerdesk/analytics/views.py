"""The performance dashboard and its CSV export: the figures of `sla.metrics` over the seller
accounts the user may see."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sellerdesk.sla.metrics import GROUPINGS, WINDOWS, figures
from sellerdesk.sla.metrics_format import csv_rows, duration, percent
from sellerdesk.team import access
from sellerdesk.team.models import Role

DEFAULT_DAYS = 30
DEFAULT_BY = "account"


class BadParameter(ValueError):
    pass


def _parameters(request: HttpRequest) -> tuple[int, str]:
    days_text = request.GET.get("days", str(DEFAULT_DAYS))
    by = request.GET.get("by", DEFAULT_BY)
    if days_text not in {str(d) for d in WINDOWS}:
        raise BadParameter(f"days must be one of {', '.join(map(str, WINDOWS))}")
    if by not in GROUPINGS:
        raise BadParameter(f"by must be one of {', '.join(GROUPINGS)}")
    return int(days_text), by


def _scope(request: HttpRequest) -> tuple[Role, Sequence[int] | None]:
    """The accounts to count: all for an admin (no id list to pass around), else the ones the
    user is a member of. A signed-in user with no role gets a 404, the answer the access
    rules give for anything they may not see."""
    role = access.role_of(request.user)
    if role is None:
        raise Http404("No figures for this user.")
    if role == Role.ADMIN:
        return role, None
    return role, list(access.visible_accounts(request.user).values_list("pk", flat=True))


def _display(row: dict[str, Any]) -> dict[str, str]:
    return {
        "response_rate": percent(row["response_rate"]),
        "first_response_mean": duration(row["first_response"]["mean_seconds"]),
        "first_response_median": duration(row["first_response"]["median_seconds"]),
        "resolution_mean": duration(row["resolution"]["mean_seconds"]),
        "resolution_median": duration(row["resolution"]["median_seconds"]),
        "reopen_rate": percent(row["reopen_rate"]),
    }


def _chart_data(data: dict[str, Any]) -> dict[str, Any]:
    """Only what the charts draw: the page's script reads this from a JSON block, so no
    inline script is needed and a `script-src 'self'` policy holds."""
    return {
        "target": data["response_rate_target"],
        "groups": {
            "labels": [str(g["label"]) for g in data["groups"]],
            "response_rate": [g["response_rate"] for g in data["groups"]],
        },
        "by_intent": data["by_intent"],
        "by_root_cause": data["by_root_cause"],
    }


def _figures_for(request: HttpRequest) -> tuple[Role, int, str, dict[str, Any]]:
    """The figures a request asks for, over the accounts its user may see (the dashboard
    and its CSV export show the same numbers)."""
    role, account_ids = _scope(request)
    days, by = _parameters(request)
    return role, days, by, figures(account_ids, days=days, now=timezone.now(), by=by)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        role, days, by, data = _figures_for(request)
    except BadParameter as error:
        return HttpResponseBadRequest(str(error))
    rate = data["response_rate"]
    return render(
        request,
        "analytics/dashboard.html",
        {
            "role": role,
            "data": data,
            "shown": _display(data),
            "groups": [(g, _display(g)) for g in data["groups"]],
            "chart_data": _chart_data(data),
            "days": days,
            "by": by,
            "windows": WINDOWS,
            "groupings": GROUPINGS,
            "below_target": rate is not None and rate < data["response_rate_target"],
        },
    )


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    try:
        _, days, by, data = _figures_for(request)
    except BadParameter as error:
        return HttpResponseBadRequest(str(error))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="sellerdesk-figures-{days}d-by-{by}.csv"'
    )
    csv.writer(response).writerows(csv_rows(data))
    return response
