"""A Walmart account with a team (admin, agent, warehouse, an agent of another account, an
outsider) and a where-is-my-order ticket on a shipped order."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.snippets.library import seed_starter_library
from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Ticket
from tests.factories import make_account, make_member, make_outsider
from tests.snippets.builders import make_line, make_order, open_ticket


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _starter_library(request: pytest.FixtureRequest) -> None:
    # The data migration seeded it, but a browser test's flush (transactional database)
    # empties every table for the tests after it: seed again, as `sellerdesk demo` does.
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        seed_starter_library()


@pytest.fixture
def account(db: None) -> SellerAccount:
    return make_account(
        "Acme Home",
        support_address="care@acme.example",
        sender_address="care@acme.example",
        time_zone="America/Chicago",
    )


@pytest.fixture
def team(account: SellerAccount) -> dict[str, User]:
    other = make_account("Trailhead")
    people = {
        "admin": make_member("ada", Role.ADMIN),
        "agent": make_member("alice", Role.AGENT, [account]),
        "warehouse": make_member("walt", Role.WAREHOUSE, [account]),
        "other_agent": make_member("oscar", Role.AGENT, [other]),
        "outsider": make_outsider(),
    }
    people["agent"].first_name = "Alice"
    people["agent"].save()
    return people


@pytest.fixture
def shipped_ticket(account: SellerAccount) -> Ticket:
    order = make_order(account, "1000001", customer_order_id="200000000000001")
    make_line(order, "1")
    return open_ticket(account, order=order)


@pytest.fixture
def unshipped_ticket(account: SellerAccount) -> Ticket:
    order = make_order(account, "1000002", customer_order_id="200000000000002")
    make_line(order, "1", status="Acknowledged")
    return open_ticket(
        account, order=order, relay="ffffffffffffffffffffffffffffffff@relay.walmart.com"
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
