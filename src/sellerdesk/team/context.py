from __future__ import annotations

from django.http import HttpRequest

from sellerdesk.team.models import Notification


def notifications(request: HttpRequest) -> dict[str, int]:
    """The bell's count of unread notifications, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(
            user_id=user.pk, read_at__isnull=True
        ).count()
    }
