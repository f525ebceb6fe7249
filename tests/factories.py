"""Test data builders."""

from __future__ import annotations

from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.members import ensure_member
from sellerdesk.team.models import Role

PASSWORD = "a-Long-test-passphrase-77"


def make_account(
    name: str, *, secret: str = "s3cret-value-1234", **fields: object
) -> SellerAccount:
    fields.setdefault("marketplace", SellerAccount.Marketplace.WALMART)
    account = SellerAccount(name=name, **fields)
    account.set_credentials(client_id=f"{name}-id", client_secret=secret)
    account.save()
    return account


def make_member(username: str, role: Role, accounts: list[SellerAccount] | None = None) -> User:
    user, _ = ensure_member(
        username,
        role=role,
        account_names=[a.name for a in accounts or []],
        email=f"{username}@example.com",
        password=PASSWORD,
    )
    return user


def make_outsider(username: str = "outsider") -> User:
    """Signed in, but with no role in the team."""
    return User.objects.create_user(username, f"{username}@example.com", PASSWORD)
