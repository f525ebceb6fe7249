from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def demo_flag(request: HttpRequest) -> dict[str, bool]:
    """Lets the page header link the demo-only pages while `sellerdesk demo` runs."""
    return {"demo_mode": bool(settings.DEMO)}
