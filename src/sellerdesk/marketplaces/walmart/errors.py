"""Walmart error bodies and codes, shared by the client and the emulator.

Walmart answers errors in two shapes: ``{"errors": {"error": [...]}}`` from the services and
``{"error": [...]}`` from the API gateway. Both parse into one :class:`WalmartAPIError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sellerdesk.marketplaces.base import ConnectorError

UNAUTHORIZED = "UNAUTHORIZED.GMP_GATEWAY_API"
INVALID_TOKEN = "INVALID_TOKEN.GMP_GATEWAY_API"
CONTENT_NOT_FOUND = "CONTENT_NOT_FOUND.GMP_ORDER_API"
REQUEST_THRESHOLD_VIOLATED = "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API"
INVALID_REQUEST = "INVALID_REQUEST_CONTENT.GMP_ORDER_API"
SYSTEM_ERROR = "SYSTEM_ERROR.GMP_GATEWAY_API"
# orders.json says a query over more than 20,000 orders "will return an error" but names no
# code; this is the one we use (emulator and client agree on it, and only here).
TOO_MANY_ORDERS = "ORDER_LIMIT_EXCEEDED.GMP_ORDER_API"
MAX_ORDERS_PER_QUERY = 20_000


def error_entries(body: Any) -> list[Mapping[str, Any]]:
    """The error objects of either documented shape (or a bare list); empty if none."""
    raw: Any = None
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            raw = errors.get("error")
        elif isinstance(errors, list):
            raw = errors
        elif "error" in body:
            raw = body.get("error")
    elif isinstance(body, list):
        raw = body
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    return [entry for entry in raw if isinstance(entry, Mapping)]


def service_error_body(
    code: str, description: str, *, field: str = "", category: str = "DATA"
) -> dict[str, Any]:
    """``{"errors": {"error": [...]}}``: the shape Walmart's services answer with."""
    entry: dict[str, Any] = {
        "code": code,
        "description": description,
        "info": description,
        "severity": "ERROR",
        "category": category,
        "causes": [],
        "errorIdentifiers": {},
    }
    if field:
        entry["field"] = field
    return {"errors": {"error": [entry]}}


def gateway_error_body(code: str, description: str) -> dict[str, Any]:
    """``{"error": [...]}``: the shape Walmart's API gateway answers with."""
    return {
        "error": [
            {
                "code": code,
                "info": description,
                "description": description,
                "severity": "ERROR",
                "category": "DATA",
                "causes": [],
                "errorIdentifiers": {},
            }
        ]
    }


class WalmartAPIError(ConnectorError):
    """An HTTP error answer from Walmart, with the first error's code and description.

    Throttling (429) and server errors (5xx) are transient; every other 4xx is permanent
    because repeating the same request gets the same answer.
    """

    def __init__(
        self, status: int, code: str, description: str, errors: Sequence[Mapping[str, Any]] = ()
    ) -> None:
        super().__init__(
            description or f"HTTP {status}",
            permanent=not (status == 429 or status >= 500),
            code=code,
        )
        self.status = status
        self.errors = tuple(errors)

    @classmethod
    def from_body(cls, status: int, body: Any, fallback: str = "") -> WalmartAPIError:
        entries = error_entries(body)
        first = entries[0] if entries else {}
        code = str(first.get("code") or f"HTTP_{status}")
        description = str(
            first.get("description") or first.get("info") or fallback or f"HTTP {status}"
        )
        return cls(status, code, description, entries)

    @property
    def is_auth_error(self) -> bool:
        """A bad or expired token: refresh it once and try again."""
        return self.status == 401 or (self.status == 400 and self.code.startswith("INVALID_TOKEN"))

    @property
    def is_not_found(self) -> bool:
        return self.status == 404 and self.code.startswith("CONTENT_NOT_FOUND")

    @property
    def is_query_too_large(self) -> bool:
        """The query matched more orders than one query may page through: split the window."""
        return self.code == TOO_MANY_ORDERS
