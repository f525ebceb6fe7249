"""Shared pieces of the mail flow tests: a seller account that receives the fixture corpus's
mail, orders to link to, files stored under a temporary MEDIA_ROOT, and the real servers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer
from sellerdesk.orders.models import Order
from tests.factories import make_account
from tests.support.dovecot import Dovecot, running_dovecot

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mail"
SUPPORT = "support@acme-outdoor.example"
SENDER = "replies@acme-outdoor.example"
WALMART_RELAY = "8f14e45fceea167a5a36dedd4bea2543@relay.walmart.com"
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


def buyer_mail(
    message_id: str,
    *,
    sender: str = WALMART_RELAY,
    subject: str = "Question about my tent",
    body: str = "Hello, I have a question.",
    date: str = "Mon, 10 Mar 2025 09:00:00 +0000",
    in_reply_to: str = "",
    references: str = "",
    to: str = SUPPORT,
) -> bytes:
    """A plain buyer message written for one test, with exactly the headers it needs."""
    headers = [
        f"From: Jane Buyer <{sender}>",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {date}",
        f"Message-ID: <{message_id}>",
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: <{in_reply_to}>")
    if references:
        headers.append(f"References: {references}")
    headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def make_order(
    account: SellerAccount,
    purchase_order_id: str,
    customer_order_id: str = "",
    *,
    customer: Customer | None = None,
    order_date: datetime = datetime(2025, 2, 20, 15, 0, tzinfo=UTC),
    buyer_email: str = "",
) -> Order:
    now = timezone.now()
    return Order.objects.create(
        account=account,
        purchase_order_id=purchase_order_id,
        customer_order_id=customer_order_id or f"2000{purchase_order_id[:11]}",
        customer=customer,
        buyer_email=buyer_email,
        order_date=order_date,
        last_modified=order_date,
        content_hash="x" * 64,
        synced_at=now,
    )


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    # Raw sources and attachments go to storage: a private directory per test.
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def account(db: None) -> SellerAccount:
    return make_account("ACME Outdoor", support_address=SUPPORT, sender_address=SENDER)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server
