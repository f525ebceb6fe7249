"""Read-only admin views of job runs and leases (for operators; nothing to edit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "tick", "outcome", "started_at", "finished_at", "worker"]
    list_filter = ["job", "outcome"]


class LeaseAdmin(ReadOnlyAdmin):
    list_display = ["name", "holder", "expires_at"]
