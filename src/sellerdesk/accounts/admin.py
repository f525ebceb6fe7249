"""Admin for seller accounts: secrets are write-only fields, never rendered back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.crypto import mask

SECRET_FIELDS = ("client_secret", "smtp_password", "webhook_secret")


class SellerAccountForm(forms.ModelForm):
    api_base_url = forms.URLField(required=False, assume_scheme="https")
    client_id = forms.CharField(required=False)
    webhook_username = forms.CharField(required=False, help_text="For basic-auth webhooks.")
    client_secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), help_text="Blank keeps it."
    )
    smtp_password = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), help_text="Blank keeps it."
    )
    webhook_secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), help_text="Blank keeps it."
    )

    class Meta:
        model = SellerAccount
        fields = [
            "marketplace",
            "name",
            "api_base_url",
            "support_address",
            "sender_address",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_user",
            "webhook_auth",
            "webhook_header",
            "time_zone",
            "wfs_needs_reply",
            "at_risk_minutes",
            "lead_email",
            "quiet_hours_start",
            "quiet_hours_end",
            "reply_policy_overrides",
            "compliance_allow_domains",
            "compliance_allow_phrases",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            stored = self.instance.credentials()
            self.fields["client_id"].initial = stored.get("client_id", "")
            self.fields["webhook_username"].initial = stored.get("webhook_username", "")

    def save(self, commit: bool = True) -> SellerAccount:
        account: SellerAccount = super().save(commit=False)
        changes: dict[str, str | None] = {
            "client_id": self.cleaned_data["client_id"] or None,
            "webhook_username": self.cleaned_data["webhook_username"] or None,
        }
        for name in SECRET_FIELDS:
            if self.cleaned_data.get(name):
                changes[name] = self.cleaned_data[name]
        account.set_credentials(**changes)
        if commit:
            account.save()
        return account


class SellerAccountAdmin(admin.ModelAdmin):
    form = SellerAccountForm
    list_display = ["name", "marketplace", "active", "secret_state", "api_base_url"]
    list_filter = ["marketplace", "active"]
    search_fields = ["name"]

    @admin.display(description="API secret")
    def secret_state(self, account: SellerAccount) -> str:
        return mask(account.credentials().get("client_secret", ""))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Tickets and orders will hang off an account: disable it instead of deleting history.
        return False
