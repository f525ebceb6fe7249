"""Putting the starter library (snippets.starter) into the database: once by the data
migration on every new install, and again by `sellerdesk demo`. A title already present is
left as the admins made it (edited or retired), so running it twice changes nothing."""

from __future__ import annotations

from typing import Any

from sellerdesk.snippets.starter import STARTER_LIBRARY


def seed_starter_library(model: Any = None) -> int:
    """Create the starter snippets whose titles are missing; returns how many. `model`: the
    migration's historical Snippet model (default: the current one)."""
    if model is None:
        from sellerdesk.snippets.models import Snippet

        model = Snippet
    taken = set(model.objects.values_list("title", flat=True))
    missing = [
        model(title=s.title, body=s.body, tier=s.tier, intent=s.intent, marketplace=s.marketplace)
        for s in STARTER_LIBRARY
        if s.title not in taken
    ]
    model.objects.bulk_create(missing)
    return len(missing)
