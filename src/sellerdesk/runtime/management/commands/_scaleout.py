"""Shared guard for the scale-out commands."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError


def require_scale_out(command: str) -> None:
    """`web` and `worker` only make sense with shared state: with SQLite and an in-process
    queue a second process would see none of the first one's work."""
    missing = []
    if settings.EMBEDDED:
        missing.append("DATABASE_URL (PostgreSQL)")
    if not settings.REDIS_URL:
        missing.append("REDIS_URL")
    if missing:
        raise CommandError(
            f"`sellerdesk {command}` is for scale-out and needs {' and '.join(missing)}; "
            "on one machine use `sellerdesk run`."
        )
