from __future__ import annotations

from decimal import Decimal

from django.db import models

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer


def money() -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))


class Order(models.Model):
    """A marketplace order (Walmart: a purchase order) as last synced.

    `content_hash` is a digest of everything the marketplace told us; the sync compares it
    to skip orders that did not change, so a re-sync of unchanged orders writes nothing.
    """

    class ShipNodeType(models.TextChoices):
        SELLER = "SellerFulfilled", "Seller fulfilled"
        WFS = "WFSFulfilled", "Walmart Fulfillment Services"
        THIRD_PARTY = "3PLFulfilled", "Third-party logistics"

    account = models.ForeignKey(SellerAccount, on_delete=models.PROTECT, related_name="orders")
    purchase_order_id = models.CharField(max_length=64)
    customer_order_id = models.CharField(max_length=64, db_index=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    buyer_email = models.EmailField(blank=True)
    shipping_name = models.CharField(max_length=200, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    order_date = models.DateTimeField()
    estimated_ship_date = models.DateTimeField(null=True, blank=True)
    estimated_delivery_date = models.DateTimeField(null=True, blank=True)
    ship_method = models.CharField(max_length=40, blank=True)
    ship_node_type = models.CharField(
        max_length=20, choices=ShipNodeType.choices, default=ShipNodeType.SELLER
    )
    currency = models.CharField(max_length=3, default="USD")
    product_total = money()
    shipping_total = money()
    tax_total = money()
    order_total = money()
    refunded_total = money()
    last_modified = models.DateTimeField(db_index=True)
    content_hash = models.CharField(max_length=64)
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "purchase_order_id"], name="order_unique_per_account"
            )
        ]
        indexes = [models.Index(fields=["account", "-order_date"])]

    def __str__(self) -> str:
        return self.purchase_order_id

    @property
    def is_wfs(self) -> bool:
        return self.ship_node_type == self.ShipNodeType.WFS


class OrderLine(models.Model):
    """One line of an order in its latest state (the most advanced of its unit statuses)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.CharField(max_length=20)
    sku = models.CharField(max_length=100, db_index=True)
    product_name = models.CharField(max_length=500, blank=True)
    image_url = models.URLField(max_length=1000, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = money()
    status = models.CharField(max_length=30)
    status_date = models.DateTimeField(null=True, blank=True)
    status_quantities = models.JSONField(default=list, blank=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    tracking_url = models.URLField(max_length=1000, blank=True)
    ship_date = models.DateTimeField(null=True, blank=True)
    intent_to_cancel = models.BooleanField(default=False)
    cancellation_reason = models.CharField(max_length=100, blank=True)
    refunded_amount = money()
    refund_reasons = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="line_unique_per_order")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_number} {self.sku}"


class Return(models.Model):
    """A marketplace return order: one or more returned lines and where the refund stands."""

    account = models.ForeignKey(SellerAccount, on_delete=models.PROTECT, related_name="returns")
    return_order_id = models.CharField(max_length=64)
    customer_order_id = models.CharField(max_length=64, db_index=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="returns"
    )
    buyer_email = models.EmailField(blank=True)
    return_date = models.DateTimeField(null=True, blank=True)
    return_by_date = models.DateTimeField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    refund_mode = models.CharField(max_length=40, blank=True)
    return_type = models.CharField(max_length=40, blank=True)
    total_refund_amount = money()
    currency = models.CharField(max_length=3, default="USD")
    content_hash = models.CharField(max_length=64)
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "return_order_id"], name="return_unique_per_account"
            )
        ]

    def __str__(self) -> str:
        return self.return_order_id


class ReturnLine(models.Model):
    """One returned line: reason, status, refund, and the return shipment's tracking events."""

    return_order = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="return_lines"
    )
    purchase_order_id = models.CharField(max_length=64, blank=True)
    order_line_number = models.PositiveIntegerField(null=True, blank=True)
    sku = models.CharField(max_length=100, blank=True)
    product_name = models.CharField(max_length=500, blank=True)
    reason = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=40, blank=True)
    status_time = models.DateTimeField(null=True, blank=True)
    refund_status = models.CharField(max_length=40, blank=True)
    refund_channel = models.CharField(max_length=40, blank=True)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    refunded_quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    unit_price = money()
    line_total = money()
    tracking_events = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["return_order", "line_number"], name="return_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.return_order_id}/{self.line_number}"


class SyncState(models.Model):
    """Where the sync of one resource of one account stands.

    `high_water_mark` moves only after a run succeeds end to end, so a failed run is simply
    repeated from the last good point: nothing is skipped, and upserts make the repeat
    harmless.
    """

    class Outcome(models.TextChoices):
        NEVER = "never", "Never run"
        OK = "ok", "OK"
        FAILED = "failed", "Failed"

    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="sync_states")
    resource = models.CharField(max_length=30)
    high_water_mark = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.NEVER)
    last_error = models.TextField(blank=True)
    last_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "resource"], name="sync_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.resource} {self.last_outcome}"
