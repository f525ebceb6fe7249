"""Template filters for the inbox rows."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def code_label(code: str) -> str:
    """A stored code ("where_is_my_order") as people read it ("Where is my order")."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]
