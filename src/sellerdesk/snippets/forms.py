"""The snippet form of the settings pages: syntax and compliance are checked on save."""

from __future__ import annotations

from typing import Any

from django import forms

from sellerdesk.snippets.catalog import intent_fits_tier
from sellerdesk.snippets.checks import check_snippet
from sellerdesk.snippets.models import Snippet


class SnippetForm(forms.ModelForm):
    class Meta:
        model = Snippet
        fields = ["title", "tier", "intent", "marketplace", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Warn-level findings: shown after the save, never a reason to refuse it.
        self.warnings: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tier, intent = data.get("tier", ""), data.get("intent", "")
        if tier and not intent_fits_tier(intent, tier):
            self.add_error("intent", "This intent belongs to another tier.")
        body = data.get("body")
        if body and tier and data.get("marketplace"):
            result = check_snippet(body, tier, data["marketplace"])
            for error in result.errors:
                self.add_error("body", error)
            self.warnings = result.warnings
        return data
