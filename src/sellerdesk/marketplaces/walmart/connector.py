"""The Walmart connector: the sync's `Connector` on top of `WalmartClient`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.base import ConnectorError, Page, RawOrder, ReturnData
from sellerdesk.marketplaces.connector import CursorRepeated, QueryTooLarge, Window, WindowField
from sellerdesk.marketplaces.walmart.client import WalmartClient
from sellerdesk.marketplaces.walmart.errors import WalmartAPIError

T = TypeVar("T")


def pages(fetch: Callable[..., Page[T]], filters: dict[str, Any]) -> Iterator[Page[T]]:
    """Every page of a listing: the first with `filters`, the rest by cursor alone."""
    seen: set[str] = set()
    page = fetch(**filters)
    while True:
        yield page
        cursor = page.next_cursor
        if not cursor:
            return
        if cursor in seen:
            raise CursorRepeated(cursor)
        seen.add(cursor)
        page = fetch(cursor=cursor)


class WalmartConnector:
    """One seller account's Walmart API, for the sync and the order actions."""

    def __init__(self, client: WalmartClient) -> None:
        self.client = client

    @classmethod
    def for_account(cls, account: SellerAccount, **client_options: Any) -> WalmartConnector:
        credentials = account.credentials()
        if not credentials.get("client_id") or not credentials.get("client_secret"):
            raise ConnectorError(
                f"seller account {account.name!r} has no Walmart API credentials", permanent=True
            )
        return cls(
            WalmartClient(
                account.api_base_url,
                credentials["client_id"],
                credentials["client_secret"],
                **client_options,
            )
        )

    def order_pages(self, window: Window, *, ship_node_type: str) -> Iterator[Page[RawOrder]]:
        # Raw pages: the store maps only the orders whose fingerprint it does not have.
        if window.field is WindowField.CREATED:
            filters = {"created_start": window.start, "created_end": window.end}
        else:
            filters = {"last_modified_start": window.start, "last_modified_end": window.end}
        try:
            yield from pages(
                self.client.list_raw_orders,
                {**filters, "ship_node_type": ship_node_type, "product_info": True},
            )
        except WalmartAPIError as error:
            if error.is_query_too_large:
                raise QueryTooLarge(error.description) from error
            raise

    def return_pages(self, window: Window) -> Iterator[Page[ReturnData]]:
        if window.field is WindowField.CREATED:
            filters = {"created_start": window.start, "created_end": window.end}
        else:
            filters = {"last_modified_start": window.start, "last_modified_end": window.end}
        yield from pages(self.client.list_returns, filters)

    def get_order(self, order_id: str) -> RawOrder:
        # Raw like the listing pages, so a refreshed order and a synced one fingerprint alike.
        return self.client.get_raw_order(order_id)

    def close(self) -> None:
        self.client.close()
