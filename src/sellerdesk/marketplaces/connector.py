"""What the sync needs from a marketplace, whatever the marketplace.

A connector pages through orders and returns inside a time window and fetches single
orders. Errors are `ConnectorError`s (`permanent` decides retries in one place);
`QueryTooLarge` asks the caller to split its window.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol

from sellerdesk.marketplaces.base import ConnectorError, OrderData, Page, RawOrder, ReturnData


class WindowField(Enum):
    CREATED = "created"
    MODIFIED = "modified"


@dataclass(frozen=True)
class Window:
    """A half-open time range [start, end) on the creation or last-modified time."""

    start: datetime
    end: datetime
    field: WindowField

    def halves(self) -> tuple[Window, Window]:
        middle = self.start + (self.end - self.start) / 2
        return Window(self.start, middle, self.field), Window(middle, self.end, self.field)


class QueryTooLarge(ConnectorError):
    """The window matched more records than the marketplace pages through in one query."""

    def __init__(self, description: str) -> None:
        super().__init__(description, permanent=False, code="QUERY_TOO_LARGE")


class CursorRepeated(ConnectorError):
    """The marketplace handed back a paging cursor it had already given: paging would loop."""

    def __init__(self, cursor: str) -> None:
        super().__init__(f"paging cursor came back twice: {cursor[:80]!r}", permanent=False)


class Connector(Protocol):
    """Orders come mapped, or raw with a fingerprint (`RawOrder`) so the store can skip
    mapping those it already holds; `store.upsert_orders` takes either."""

    def order_pages(
        self, window: Window, *, ship_node_type: str
    ) -> Iterator[Page[OrderData] | Page[RawOrder]]: ...

    def return_pages(self, window: Window) -> Iterator[Page[ReturnData]]: ...

    def get_order(self, order_id: str) -> OrderData | RawOrder: ...

    def close(self) -> None: ...
