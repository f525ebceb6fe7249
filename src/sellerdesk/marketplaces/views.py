"""The webhook endpoint: `/hooks/walmart/<account id>/`."""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import system_clock
from sellerdesk.lib.crypto import CredentialsKeyError
from sellerdesk.marketplaces.models import WebhookDelivery
from sellerdesk.marketplaces.tasks import refresh_orders_task
from sellerdesk.marketplaces.walmart import webhooks

MAX_BODY = 1024 * 1024


def _auth_config(account: SellerAccount) -> webhooks.WebhookAuthConfig:
    try:
        credentials = account.credentials()
    except CredentialsKeyError:
        credentials = {}
    return webhooks.WebhookAuthConfig(
        scheme=account.webhook_auth,
        header=webhooks.header_name(account.webhook_auth, account.webhook_header),
        secret=credentials.get("webhook_secret", ""),
        username=credentials.get("webhook_username", ""),
    )


@csrf_exempt  # authenticated by the signature or credentials checked below, not a session
@require_POST
def walmart_webhook(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(
        SellerAccount, pk=account_id, marketplace=SellerAccount.Marketplace.WALMART, active=True
    )
    body = request.body
    if not webhooks.is_authentic(body, request.headers, _auth_config(account)):
        return JsonResponse({"error": "authentication failed"}, status=401)
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "body too large"}, status=413)
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "body is not JSON"}, status=400)
    if not isinstance(envelope, dict):
        return JsonResponse({"error": "body is not a JSON object"}, status=400)
    key = webhooks.dedup_key(envelope, body)
    orders = webhooks.order_ids(envelope)
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                account=account,
                dedup_key=key,
                event_type=webhooks.event_type(envelope),
                received_at=system_clock.now(),
                order_ids=orders,
            )
            if orders:
                transaction.on_commit(lambda: refresh_orders_task(account.pk, orders))
    except IntegrityError:
        return JsonResponse({"status": "duplicate"})
    return JsonResponse({"status": "accepted", "orders": len(orders)})
