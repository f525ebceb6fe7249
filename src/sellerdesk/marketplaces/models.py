from __future__ import annotations

from django.db import models

from sellerdesk.accounts.models import SellerAccount


class WebhookDelivery(models.Model):
    """A webhook delivery we accepted. Its `dedup_key` (the event id, or a hash of the body
    when the event has none) is unique per account, so a delivery sent twice acts once."""

    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="webhooks")
    dedup_key = models.CharField(max_length=100)
    event_type = models.CharField(max_length=60, blank=True)
    received_at = models.DateTimeField()
    order_ids = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "dedup_key"], name="webhook_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.dedup_key}"
