from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sellerdesk.lib.clock import system_clock
from sellerdesk.lib.crypto import CredentialsKeyError
from sellerdesk.orders.models import SyncState
from sellerdesk.orders.queries import account_summaries, recent_orders
from sellerdesk.team import access
from sellerdesk.team.access import acting
from sellerdesk.team.models import Notification


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in: the seller accounts this user may see, with how their
    order sync stands."""
    return render(
        request,
        "team/home.html",
        {
            "summaries": account_summaries(access.visible_accounts(request.user)),
            "role": access.role_of(request.user),
        },
    )


@login_required
@require_GET
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, account_id)
    try:
        has_secret = account.has_credential("client_secret")
    except CredentialsKeyError:
        has_secret = False
    return render(
        request,
        "team/account_detail.html",
        {
            "account": account,
            "has_secret": has_secret,
            "role": access.role_of(request.user),
            "sync_states": SyncState.objects.filter(account=account).order_by("resource"),
            "orders": recent_orders(account),
        },
    )


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The bell: deadline alerts (and, later, mentions), newest first."""
    items = Notification.objects.filter(user=acting(request)).order_by("-created_at", "-pk")[:100]
    return render(
        request, "team/notifications.html", {"items": items, "role": access.role_of(request.user)}
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=acting(request), read_at__isnull=True).update(
        read_at=system_clock.now()
    )
    return redirect("notifications")
