from __future__ import annotations

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
