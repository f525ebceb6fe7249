"""Running the sync for accounts: building connectors, holding the account lease, and
turning every failure into a recorded outcome rather than an exception."""

from __future__ import annotations

import logging
from datetime import timedelta

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.marketplaces.base import ConnectorError
from sellerdesk.marketplaces.connector import Connector
from sellerdesk.marketplaces.sync import SyncReport, record_unreachable, sync_account
from sellerdesk.marketplaces.walmart.connector import WalmartConnector
from sellerdesk.runtime import leases

log = logging.getLogger(__name__)

# A full sync of a big account takes minutes; the lease is renewed after every page, so this
# only bounds how long a crashed worker keeps the account from the others.
SYNC_LEASE_TTL = timedelta(minutes=5)


class AccountBusy(Exception):
    """Another worker holds this account's lease."""


def connector_for(account: SellerAccount) -> Connector:
    if account.marketplace != SellerAccount.Marketplace.WALMART:
        raise ConnectorError(
            f"{account.get_marketplace_display()} has no order connector yet", permanent=True
        )
    return WalmartConnector.for_account(account)


def lease_name(account: SellerAccount) -> str:
    return f"account:{account.pk}"


def run_sync(
    account: SellerAccount,
    *,
    full: bool = False,
    connector: Connector | None = None,
    clock: Clock = system_clock,
) -> SyncReport:
    """Sync one account under its lease; raises `AccountBusy` if another worker has it."""
    holder = f"{leases.process_identity()}:sync"
    name = lease_name(account)
    if not leases.acquire(name, holder, SYNC_LEASE_TTL, clock=clock):
        raise AccountBusy(
            f"{account.name} is being synced by {leases.holder_of(name, clock=clock)}"
        )

    def renew() -> None:
        leases.acquire(name, holder, SYNC_LEASE_TTL, clock=clock)

    try:
        try:
            connector = connector or connector_for(account)
        except ConnectorError as error:
            return record_unreachable(account, error, clock)
        try:
            return sync_account(account, connector, full=full, clock=clock, progress=renew)
        finally:
            connector.close()
    finally:
        leases.release(name, holder)
