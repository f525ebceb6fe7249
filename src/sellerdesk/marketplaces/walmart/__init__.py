"""Walmart Marketplace (US) connector: HTTP client, pure mapping, and a local emulator."""

from sellerdesk.marketplaces.walmart.client import (
    InventoryData,
    RefundLine,
    ShipmentLine,
    WalmartClient,
)
from sellerdesk.marketplaces.walmart.errors import WalmartAPIError

__all__ = ["InventoryData", "RefundLine", "ShipmentLine", "WalmartAPIError", "WalmartClient"]
