"""Order and return sync for one seller account: incremental by last-modified time with an
overlap, or `full` over the marketplace's whole history in windows small enough for its
per-query limit.

Each resource (seller-fulfilled orders, WFS orders, returns) keeps its own `SyncState`. Its
high-water mark is the moment the last successful run started, and it moves only when a run
finishes: a failed run records its error and the next one starts again from the last good
mark, repeating work rather than skipping any (the upserts make repeats harmless).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import Clock, system_clock
from sellerdesk.marketplaces.base import ConnectorError, OrderData, Page, RawOrder, ReturnData
from sellerdesk.marketplaces.connector import Connector, QueryTooLarge, Window, WindowField
from sellerdesk.marketplaces.store import UpsertCounts, upsert_orders, upsert_returns
from sellerdesk.orders.models import SyncState

log = logging.getLogger(__name__)

# Walmart serves orders created in the last 180 days; ask for a little less so a window's
# start never falls just outside and gets refused.
HISTORY = timedelta(days=180) - timedelta(minutes=5)
# Orders are modified while we page; re-reading ten minutes before the mark catches the ones
# whose lastModified was stamped just before our previous run's cut-off but landed after it.
OVERLAP = timedelta(minutes=10)
# First guess for a full sync's windows; a window over the per-query limit is halved.
FULL_WINDOW = timedelta(days=15)
SMALLEST_WINDOW = timedelta(seconds=2)


@dataclass(frozen=True)
class Resource:
    name: str
    kind: str  # "orders" or "returns"
    ship_node_type: str = ""


RESOURCES = (
    Resource("orders", "orders", "SellerFulfilled"),
    Resource("orders_wfs", "orders", "WFSFulfilled"),
    Resource("returns", "returns"),
)


@dataclass
class ResourceReport:
    resource: str
    fetched: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "created": self.counts.created,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            **({"error": self.error} if self.error else {}),
        }


@dataclass
class SyncReport:
    account: str
    resources: list[ResourceReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(not report.error for report in self.resources)


def windows(start: datetime, end: datetime, size: timedelta, kind: WindowField) -> list[Window]:
    result = []
    while start < end:
        result.append(Window(start, min(start + size, end), kind))
        start += size
    return result


def walk(window: Window, fetch: Callable[[Window], Iterator[Page[Any]]]) -> Iterator[Page[Any]]:
    """Pages of `window`, splitting it in halves while the marketplace says it is too large."""
    try:
        yield from fetch(window)
    except QueryTooLarge:
        if window.end - window.start <= SMALLEST_WINDOW:
            raise
        first, second = window.halves()
        log.info("window %s..%s too large; splitting", window.start, window.end)
        yield from walk(first, fetch)
        yield from walk(second, fetch)


def fetch_pages(connector: Connector, resource: Resource, window: Window) -> Iterator[Page[Any]]:
    if resource.kind == "orders":
        return connector.order_pages(window, ship_node_type=resource.ship_node_type)
    return connector.return_pages(window)


def store_page(
    account: SellerAccount, resource: Resource, page: Page[Any], *, now: datetime
) -> UpsertCounts:
    if resource.kind == "orders":
        orders: tuple[OrderData | RawOrder, ...] = page.items
        return upsert_orders(account, orders, now=now)
    returns: tuple[ReturnData, ...] = page.items
    return upsert_returns(account, returns, now=now)


def plan(state: SyncState, *, full: bool, now: datetime) -> list[Window]:
    oldest = now - HISTORY
    if full or state.high_water_mark is None:
        return windows(oldest, now, FULL_WINDOW, WindowField.CREATED)
    start = max(state.high_water_mark - OVERLAP, oldest)
    return [Window(start, now, WindowField.MODIFIED)]


def sync_resource(
    account: SellerAccount,
    connector: Connector,
    resource: Resource,
    *,
    full: bool,
    clock: Clock,
    progress: Callable[[], None],
) -> ResourceReport:
    state, _ = SyncState.objects.get_or_create(account=account, resource=resource.name)
    started = clock.now()
    report = ResourceReport(resource.name)
    state.last_run_at = started
    try:
        for window in plan(state, full=full, now=started):
            for page in walk(window, lambda w: fetch_pages(connector, resource, w)):
                report.fetched += len(page.items)
                report.counts.add(store_page(account, resource, page, now=clock.now()))
                progress()
    except ConnectorError as error:
        report.error = str(error)
        state.last_outcome = SyncState.Outcome.FAILED
        state.last_error = report.error
        log.warning("sync of %s/%s failed: %s", account.name, resource.name, error)
    else:
        state.high_water_mark = started
        state.last_success_at = clock.now()
        state.last_outcome = SyncState.Outcome.OK
        state.last_error = ""
    state.last_counts = report.as_dict()
    state.save()
    return report


def sync_account(
    account: SellerAccount,
    connector: Connector,
    *,
    full: bool = False,
    clock: Clock = system_clock,
    progress: Callable[[], None] = lambda: None,
) -> SyncReport:
    """Sync every resource of `account`; one resource failing does not stop the others."""
    report = SyncReport(account.name)
    for resource in RESOURCES:
        report.resources.append(
            sync_resource(account, connector, resource, full=full, clock=clock, progress=progress)
        )
    return report


def record_unreachable(account: SellerAccount, error: ConnectorError, clock: Clock) -> SyncReport:
    """The connector could not even be built (no credentials): say so on every resource."""
    report = SyncReport(account.name)
    for resource in RESOURCES:
        state, _ = SyncState.objects.get_or_create(account=account, resource=resource.name)
        state.last_run_at = clock.now()
        state.last_outcome = SyncState.Outcome.FAILED
        state.last_error = str(error)
        state.save()
        report.resources.append(ResourceReport(resource.name, error=str(error)))
    return report
