"""Demo data: two Walmart seller accounts, an admin and two agents with one account each."""

from __future__ import annotations

from dataclasses import dataclass

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.members import ensure_member, generated_password
from sellerdesk.team.models import Role


@dataclass(frozen=True)
class DemoAccount:
    """A demo seller: its account in sellerdesk and the emulated Walmart seller behind it."""

    name: str
    client_id: str
    client_secret: str
    support_address: str
    seed: int
    orders: int
    webhook_secret: str = "demo-webhook-secret"


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str
    role: Role
    sees: str


DEMO_ACCOUNTS = (
    DemoAccount(
        "Acme Home Goods",
        "acme-home-demo",
        "acme-home-demo-secret",
        "care@acmehome.example",
        seed=7,
        orders=400,
    ),
    DemoAccount(
        "Trailhead Outdoor",
        "trailhead-demo",
        "trailhead-demo-secret",
        "help@trailhead.example",
        seed=11,
        orders=250,
    ),
)


def seed_accounts(base_urls: dict[str, str]) -> list[SellerAccount]:
    """Create (or point at new emulator URLs) the demo accounts; idempotent across restarts."""
    accounts = []
    for demo in DEMO_ACCOUNTS:
        account, _ = SellerAccount.objects.get_or_create(
            name=demo.name, defaults={"marketplace": SellerAccount.Marketplace.WALMART}
        )
        account.api_base_url = base_urls.get(demo.name, account.api_base_url)
        account.support_address = demo.support_address
        account.sender_address = demo.support_address
        account.time_zone = "America/Chicago"
        account.set_credentials(
            client_id=demo.client_id,
            client_secret=demo.client_secret,
            webhook_secret=demo.webhook_secret,
        )
        account.save()
        accounts.append(account)
    return accounts


def seed_team() -> list[SignIn]:
    """Fresh passwords on every start: the demo prints them, and nothing else relies on them."""
    first, second = (demo.name for demo in DEMO_ACCOUNTS)
    plan = [
        ("admin", Role.ADMIN, [], "every account and the settings"),
        ("alice", Role.AGENT, [first], first),
        ("bob", Role.AGENT, [second], second),
    ]
    sign_ins = []
    for username, role, names, sees in plan:
        _, password = ensure_member(
            username,
            role=role,
            account_names=names,
            email=f"{username}@sellerdesk.example",
            password=generated_password(),
        )
        assert password is not None
        sign_ins.append(SignIn(username, password, role, sees))
    return sign_ins
