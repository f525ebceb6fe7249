"""`sellerdesk sync`: one line of figures per resource, and a CommandError whenever any
account did not sync, so cron and CI notice."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.running import lease_name
from sellerdesk.marketplaces.walmart.emulator.state import EmulatorState
from sellerdesk.orders.models import Order, SyncState
from sellerdesk.runtime import leases
from tests.factories import make_account

from .conftest import StartEmulator
from .support import db_orders, emulator_orders, point_at, settled

pytestmark = pytest.mark.django_db


@dataclass
class Outcome:
    out: list[str]
    err: list[str]
    error: str | None  # the CommandError's message, if the command failed


def run(*args: str) -> Outcome:
    out, err = StringIO(), StringIO()
    error = None
    try:
        call_command("sync", *args, stdout=out, stderr=err)
    except CommandError as exc:
        error = str(exc)
    return Outcome(out.getvalue().splitlines(), err.getvalue().splitlines(), error)


def totals(state: EmulatorState) -> dict[str, int]:
    expected = emulator_orders(state)
    seller = sum(1 for node, _ in expected.values() if node == "SellerFulfilled")
    return {"orders": seller, "orders_wfs": len(expected) - seller, "returns": len(state.returns)}


def test_sync_prints_exact_figures_per_resource_and_a_second_full_run_finds_nothing_new(
    start_emulator: StartEmulator,
) -> None:
    handle = start_emulator(seed=41, orders=300, clock=time.time, now=settled())
    account = make_account("acme")
    point_at(account, handle)
    n = totals(handle.emulator.state)

    first = run("--account", "acme")

    assert first == Outcome(
        out=[
            f"acme orders: fetched {n['orders']}, created {n['orders']}, updated 0, unchanged 0",
            f"acme orders_wfs: fetched {n['orders_wfs']}, created {n['orders_wfs']}, updated 0, unchanged 0",
            f"acme returns: fetched {n['returns']}, created {n['returns']}, updated 0, unchanged 0",
        ],
        err=[],
        error=None,
    )
    assert db_orders(account) == emulator_orders(handle.emulator.state)

    again = run("--account", "acme", "--full")

    assert again == Outcome(
        out=[
            f"acme orders: fetched {n['orders']}, created 0, updated 0, unchanged {n['orders']}",
            f"acme orders_wfs: fetched {n['orders_wfs']}, created 0, updated 0, unchanged {n['orders_wfs']}",
            f"acme returns: fetched {n['returns']}, created 0, updated 0, unchanged {n['returns']}",
        ],
        err=[],
        error=None,
    )


def test_sync_without_account_runs_every_active_walmart_account_and_skips_the_rest(
    start_emulator: StartEmulator,
) -> None:
    first = start_emulator(seed=42, orders=40, clock=time.time, now=settled())
    second = start_emulator(seed=43, orders=40, clock=time.time, now=settled())
    acme, bolt = make_account("acme"), make_account("bolt")
    point_at(acme, first)
    point_at(bolt, second)
    paused = make_account("paused", active=False)
    point_at(paused, first)
    SellerAccount.objects.create(name="shop", marketplace=SellerAccount.Marketplace.AMAZON)

    outcome = run()

    assert [line.split(":")[0] for line in outcome.out] == [
        "acme orders",
        "acme orders_wfs",
        "acme returns",
        "bolt orders",
        "bolt orders_wfs",
        "bolt returns",
    ]
    assert (outcome.err, outcome.error) == ([], None)
    assert db_orders(acme) == emulator_orders(first.emulator.state)
    assert db_orders(bolt) == emulator_orders(second.emulator.state)
    assert not Order.objects.filter(account=paused).exists()
    assert set(SyncState.objects.values_list("account__name", flat=True)) == {"acme", "bolt"}


def test_a_failed_sync_prints_the_error_per_resource_and_raises(
    start_emulator: StartEmulator,
) -> None:
    handle = start_emulator(seed=44, orders=40, clock=time.time, now=settled())
    account = make_account("acme")
    point_at(account, handle)
    account.set_credentials(client_secret="revoked")
    account.save()

    outcome = run("--account", "acme")

    failure = (
        "fetched 0, created 0, updated 0, unchanged 0; "
        "FAILED: UNAUTHORIZED.GMP_GATEWAY_API: Invalid client credentials"
    )
    assert outcome == Outcome(
        out=[],
        err=[f"acme orders: {failure}", f"acme orders_wfs: {failure}", f"acme returns: {failure}"],
        error="sync failed for acme; the next run resumes from the last good point",
    )
    assert not Order.objects.exists()
    assert set(SyncState.objects.values_list("last_outcome", flat=True)) == {"failed"}


def test_an_unknown_account_name_is_a_command_error_naming_it() -> None:
    make_account("acme")

    outcome = run("--account", "nope")

    assert outcome.error == "no seller account named 'nope' (known: acme)"
    assert not SyncState.objects.exists()


def test_a_mail_only_account_cannot_be_synced() -> None:
    SellerAccount.objects.create(name="shop", marketplace=SellerAccount.Marketplace.AMAZON)

    outcome = run("--account", "shop")

    assert outcome.error == "'shop' is an amazon account: mail only, nothing to sync"
    assert not SyncState.objects.exists()


def test_no_active_walmart_account_is_a_command_error() -> None:
    make_account("paused", active=False)

    outcome = run()

    assert outcome.error == (
        "no active Walmart seller account to sync (add one with `sellerdesk accounts add walmart`)"
    )
    assert not SyncState.objects.exists()


def test_an_account_busy_elsewhere_is_skipped_and_reported(
    start_emulator: StartEmulator,
) -> None:
    handle = start_emulator(seed=45, orders=40, clock=time.time, now=settled())
    account = make_account("acme")
    point_at(account, handle)
    leases.acquire(lease_name(account), "worker-2:77:sync", timedelta(minutes=5))

    outcome = run("--account", "acme")

    assert outcome == Outcome(
        out=[],
        err=["acme: skipped, acme is being synced by worker-2:77:sync"],
        error="sync failed for acme; the next run resumes from the last good point",
    )
    assert handle.emulator.request_count == 0
    assert not SyncState.objects.exists()
    assert not Order.objects.exists()
