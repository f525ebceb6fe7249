"""Background work of the marketplaces: the periodic sync (one task per account, so one
account's failure or slowness never holds up another) and webhook-triggered refreshes."""

from __future__ import annotations

import logging

from huey import crontab

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import system_clock
from sellerdesk.marketplaces.base import ConnectorError
from sellerdesk.marketplaces.running import AccountBusy, connector_for, run_sync
from sellerdesk.marketplaces.store import upsert_orders
from sellerdesk.runtime.jobs import periodic_job
from sellerdesk.runtime.queue import huey

log = logging.getLogger(__name__)


@huey.task(name="marketplaces.sync_account")
def sync_account_task(account_id: int) -> str:
    account = SellerAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        return "account gone or disabled"
    try:
        report = run_sync(account)
    except AccountBusy as busy:
        return str(busy)
    return f"{account.name}: {'ok' if report.ok else 'failed'}"


@periodic_job("marketplace_sync", crontab(minute="*/5"))
def marketplace_sync() -> str:
    """Queue an incremental sync for every active account with an order connector."""
    accounts = list(
        SellerAccount.objects.filter(
            active=True, marketplace=SellerAccount.Marketplace.WALMART
        ).values_list("pk", flat=True)
    )
    for account_id in accounts:
        sync_account_task(account_id)
    return f"queued {len(accounts)} account syncs"


@huey.task(name="marketplaces.refresh_orders", retries=3, retry_delay=30)
def refresh_orders_task(account_id: int, order_ids: list[str]) -> str:
    """Fetch the orders a webhook named and upsert them. Transient failures retry; the
    periodic sync remains the safety net for anything a webhook missed."""
    account = SellerAccount.objects.get(pk=account_id)
    connector = connector_for(account)
    try:
        orders = []
        for order_id in order_ids:
            try:
                orders.append(connector.get_order(order_id))
            except ConnectorError as error:
                if error.permanent:
                    log.warning("webhook named order %s we cannot fetch: %s", order_id, error)
                    continue
                raise
        counts = upsert_orders(account, orders, now=system_clock.now())
    finally:
        connector.close()
    return f"refreshed {len(orders)} orders: {counts.created} new, {counts.updated} changed"
