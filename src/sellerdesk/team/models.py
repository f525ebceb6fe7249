from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from sellerdesk.accounts.models import SellerAccount


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    AGENT = "agent", "Agent"
    WAREHOUSE = "warehouse", "Warehouse"


class TeamMember(models.Model):
    """A user's place in the team: their role, and the seller accounts they may see.

    Admins see every account; agents and warehouse staff see only the accounts listed here.
    A signed-in user without a TeamMember row sees nothing at all.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_member"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    accounts = models.ManyToManyField(SellerAccount, blank=True, related_name="members")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Notification(models.Model):
    """Something a team member should see: a deadline alert, later an @mention. Shown in the
    app; mailed too when `email_after` is set (held through the account's quiet hours)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    email_to = models.EmailField(blank=True, help_text="A lead's address, for alerts by mail.")
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=200, blank=True)
    ticket_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_after = models.DateTimeField(null=True, blank=True, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.text[:40]}"


class TeamSettings(models.Model):
    """Team-wide settings an admin changes (one row; `TeamSettings.load()` reads it).

    The buyer tiers and problem-buyer flag use these thresholds across all of the seller's
    accounts; `claim_assigns` decides whether the first agent to type on an unassigned
    ticket becomes its assignee or is only shown to the others as replying."""

    claim_assigns = models.BooleanField(
        default=False,
        help_text="Assign an unassigned ticket to the first agent who starts typing a reply.",
    )
    returning_buyer_orders = models.PositiveSmallIntegerField(
        default=2, help_text="Orders from which a buyer counts as returning."
    )
    loyal_buyer_orders = models.PositiveSmallIntegerField(
        default=5, help_text="Orders from which a buyer counts as loyal."
    )
    loyal_buyer_spend = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("500"),
        help_text="Spend from which a buyer counts as loyal, whatever the number of orders.",
    )
    problem_buyer_returns_30d = models.PositiveSmallIntegerField(
        default=3, help_text="Returns and refunds in 30 days that flag a problem buyer."
    )
    problem_buyer_cases_30d = models.PositiveSmallIntegerField(
        default=2, help_text="Cases and escalations in 30 days that flag a problem buyer."
    )

    def __str__(self) -> str:
        return "team settings"

    @classmethod
    def load(cls) -> TeamSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row
