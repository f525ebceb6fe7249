from __future__ import annotations

from django.conf import settings
from django.db import models

from sellerdesk.snippets.catalog import INTENTS, MARKETPLACES, TIERS, marketplaces_of


class Snippet(models.Model):
    """A reply template of the team's library, with `{variables}` filled from the ticket's
    order (see `snippets.render` for the syntax).

    `tier` and `intent` place it (a blank intent fits every intent of the tier); the composer
    offers the snippets of the ticket's intent first. `marketplace` is where it may be used
    ("both", "walmart", "amazon"): saving checks it against those marketplaces' rules.
    Retired snippets (`active` off) stay for the record but are no longer offered.
    """

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField()
    tier = models.CharField(max_length=20, choices=TIERS)
    intent = models.CharField(
        max_length=30,
        blank=True,
        choices=[(value, label) for value, label, _ in INTENTS],
        help_text="Blank: any intent of the tier.",
    )
    marketplace = models.CharField(max_length=10, choices=MARKETPLACES, default="both")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tier", "intent", "title"]
        indexes = [models.Index(fields=["active", "tier", "intent"])]

    def __str__(self) -> str:
        return self.title

    @property
    def marketplaces(self) -> tuple[str, ...]:
        return marketplaces_of(self.marketplace)
