from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from sellerdesk.lib.vault import EncryptedTextField, vault

WALMART_PRODUCTION_URL = "https://marketplace.walmartapis.com"
AMAZON_SP_API_NA_URL = "https://sellingpartnerapi-na.amazon.com"

# The only keys a credentials blob may hold; anything else is a typo that would otherwise be
# stored silently and never used.
CREDENTIAL_KEYS = frozenset(
    {"client_id", "client_secret", "smtp_password", "webhook_username", "webhook_secret"}
)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"unknown time zone {value!r} (use an IANA name such as America/Chicago)"
        ) from None


class SellerAccount(models.Model):
    """One marketplace account of the seller (a Walmart seller id, an Amazon seller account).

    Credentials are stored encrypted (Fernet) in `credentials_ciphertext`; read them with
    `credentials()` and change them with `set_credentials()`. Nothing here renders them:
    `__str__`, `__repr__`, the admin and the command line show only whether one is set.
    """

    class Marketplace(models.TextChoices):
        WALMART = "walmart", "Walmart"
        AMAZON = "amazon", "Amazon"

    class SmtpSecurity(models.TextChoices):
        STARTTLS = "starttls", "STARTTLS"
        TLS = "tls", "Implicit TLS"
        NONE = "none", "None (loopback relays only)"

    class WebhookAuth(models.TextChoices):
        HMAC = "hmac", "HMAC-SHA256 of the body"
        BASIC = "basic", "Basic auth"

    marketplace = models.CharField(max_length=20, choices=Marketplace.choices)
    name = models.CharField(max_length=100, unique=True, help_text="Display name, unique.")
    credentials_ciphertext = EncryptedTextField(blank=True, default="", editable=False)
    api_base_url = models.URLField(blank=True, help_text="Marketplace API base URL.")
    support_address = models.EmailField(
        blank=True, help_text="Where the marketplace relays buyer messages to us."
    )
    sender_address = models.EmailField(
        blank=True, help_text="The approved sender address replies go out from."
    )
    smtp_host = models.CharField(max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(null=True, blank=True)
    smtp_security = models.CharField(
        max_length=10, choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS
    )
    smtp_user = models.CharField(max_length=255, blank=True)
    webhook_auth = models.CharField(
        max_length=10,
        choices=WebhookAuth.choices,
        default=WebhookAuth.HMAC,
        help_text="How webhook deliveries prove they come from the marketplace.",
    )
    webhook_header = models.CharField(
        max_length=100,
        blank=True,
        help_text="Header carrying the proof; blank means WM-Signature (HMAC) or Authorization (basic).",
    )
    time_zone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_time_zone]
    )
    reply_policy_overrides = models.JSONField(
        default=dict,
        blank=True,
        help_text="Custom reply policies per kind of ticket (see sla.policies.policy_from_dict).",
    )
    wfs_needs_reply = models.BooleanField(
        default=False,
        help_text="Messages about WFS orders are ours to answer (off: Walmart supports them).",
    )
    at_risk_minutes = models.PositiveIntegerField(
        default=120, help_text="A ticket is at risk with this little time left to its deadline."
    )
    lead_email = models.EmailField(blank=True, help_text="Also mail deadline alerts here.")
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(
        null=True, blank=True, help_text="Alert emails wait out quiet hours; deadlines do not."
    )
    compliance_allow_domains = models.TextField(
        blank=True,
        help_text="Web domains replies may link to besides the marketplace's, one per line.",
    )
    compliance_allow_phrases = models.TextField(
        blank=True,
        help_text="Text never flagged (the registered support line, say), one per line.",
    )
    compliance_disabled_rules = models.JSONField(
        default=list, blank=True, help_text="Warn-level compliance rules switched off."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_marketplace_display()})"

    def __repr__(self) -> str:
        return f"<SellerAccount {self.pk} {self.name!r} {self.marketplace}>"

    def credentials(self) -> dict[str, Any]:
        return vault().decrypt(self.credentials_ciphertext)

    def set_credentials(self, **values: str | None) -> None:
        """Merge `values` into the stored credentials; None removes a key."""
        unknown = set(values) - CREDENTIAL_KEYS
        if unknown:
            raise ValueError(f"unknown credential keys: {', '.join(sorted(unknown))}")
        current = self.credentials()
        for key, value in values.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
        self.credentials_ciphertext = vault().encrypt(current)

    def lines_of(self, field: str) -> tuple[str, ...]:
        return tuple(
            line.strip() for line in str(getattr(self, field)).splitlines() if line.strip()
        )

    def has_credential(self, key: str) -> bool:
        return bool(self.credentials().get(key))

    @staticmethod
    def default_base_url(marketplace: str) -> str:
        return {
            SellerAccount.Marketplace.WALMART: WALMART_PRODUCTION_URL,
            SellerAccount.Marketplace.AMAZON: AMAZON_SP_API_NA_URL,
        }[SellerAccount.Marketplace(marketplace)]
