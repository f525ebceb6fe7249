"""Every page, for each role and an outsider: who sees what, and that a refusal looks exactly
like a missing object."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team import access
from sellerdesk.team.models import Role
from tests.factories import make_account, make_member, make_outsider

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts() -> tuple[SellerAccount, SellerAccount]:
    return make_account("Acme Home"), make_account("Trailhead")


@pytest.fixture
def team(accounts: tuple[SellerAccount, SellerAccount]) -> dict[str, User]:
    home, trail = accounts
    return {
        "admin": make_member("ada", Role.ADMIN),
        "agent": make_member("alice", Role.AGENT, [home]),
        "warehouse": make_member("wes", Role.WAREHOUSE, [trail]),
        "outsider": make_outsider(),
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_visible_accounts_per_role(team: dict[str, User]) -> None:
    def names(user: User) -> list[str]:
        return list(access.visible_accounts(user).values_list("name", flat=True))

    assert names(team["admin"]) == ["Acme Home", "Trailhead"]
    assert names(team["agent"]) == ["Acme Home"]
    assert names(team["warehouse"]) == ["Trailhead"]
    assert names(team["outsider"]) == []


def test_a_deactivated_user_sees_nothing(team: dict[str, User]) -> None:
    team["admin"].is_active = False
    team["admin"].save()
    assert access.role_of(team["admin"]) is None
    assert not access.visible_accounts(team["admin"]).exists()


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("admin", ["Acme Home", "Trailhead"], []),
        ("agent", ["Acme Home"], ["Trailhead"]),
        ("warehouse", ["Trailhead"], ["Acme Home"]),
        ("outsider", [], ["Acme Home", "Trailhead"]),
    ],
)
def test_home_lists_only_the_accounts_a_user_may_see(
    team: dict[str, User], who: str, shown: list[str], hidden: list[str]
) -> None:
    response = signed_in(team[who]).get(reverse("home"))
    assert response.status_code == 200
    text = response.content.decode()
    for name in shown:
        assert name in text
    for name in hidden:
        assert name not in text


def test_home_asks_anonymous_visitors_to_sign_in() -> None:
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.parametrize(
    ("who", "status_home", "status_trail"),
    [("admin", 200, 200), ("agent", 200, 404), ("warehouse", 404, 200), ("outsider", 404, 404)],
)
def test_account_page_is_404_for_accounts_a_user_may_not_see(
    team: dict[str, User],
    accounts: tuple[SellerAccount, SellerAccount],
    who: str,
    status_home: int,
    status_trail: int,
) -> None:
    client = signed_in(team[who])
    home, trail = accounts
    assert client.get(reverse("account_detail", args=[home.pk])).status_code == status_home
    assert client.get(reverse("account_detail", args=[trail.pk])).status_code == status_trail
    # An id that does not exist answers exactly like one the user may not see.
    assert client.get(reverse("account_detail", args=[99999])).status_code == 404


def test_account_page_shows_whether_credentials_are_set_but_not_them(
    team: dict[str, User], accounts: tuple[SellerAccount, SellerAccount]
) -> None:
    text = signed_in(team["admin"]).get(reverse("account_detail", args=[accounts[0].pk])).content
    assert b"credentials set" in text
    assert b"s3cret-value-1234" not in text
    assert b"Acme Home-id" not in text


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("agent", 302), ("warehouse", 302), ("outsider", 302)]
)
def test_settings_pages_are_for_admins_only(team: dict[str, User], who: str, status: int) -> None:
    assert signed_in(team[who]).get("/admin/").status_code == status
    assert Client().get("/admin/").status_code == 302


def test_a_staff_flag_alone_does_not_open_the_settings(team: dict[str, User]) -> None:
    agent = team["agent"]
    agent.is_staff = agent.is_superuser = True
    agent.save()
    assert signed_in(agent).get("/admin/").status_code == 302


def test_admin_account_form_never_renders_the_secret(
    team: dict[str, User], accounts: tuple[SellerAccount, SellerAccount]
) -> None:
    page = signed_in(team["admin"]).get(f"/admin/accounts/selleraccount/{accounts[0].pk}/change/")
    assert page.status_code == 200
    assert b"s3cret-value-1234" not in page.content


def test_admin_can_change_the_secret_and_a_blank_keeps_it(
    team: dict[str, User], accounts: tuple[SellerAccount, SellerAccount]
) -> None:
    account = accounts[0]
    url = f"/admin/accounts/selleraccount/{account.pk}/change/"
    form = {
        "marketplace": "walmart",
        "name": account.name,
        "api_base_url": "http://127.0.0.1:8101",
        "smtp_security": "starttls",
        "webhook_auth": "hmac",
        "at_risk_minutes": "120",
        "reply_policy_overrides": "{}",
        "time_zone": "America/Chicago",
        "active": "on",
        "client_id": "new-id",
        "client_secret": "",
    }
    client = signed_in(team["admin"])
    assert client.post(url, form).status_code == 302
    account.refresh_from_db()
    assert account.credentials() == {"client_id": "new-id", "client_secret": "s3cret-value-1234"}
    assert client.post(url, {**form, "client_secret": "rotated-secret"}).status_code == 302
    account.refresh_from_db()
    assert account.credentials()["client_secret"] == "rotated-secret"


def test_health_endpoint_is_public_and_reveals_no_data(team: dict[str, User]) -> None:
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert set(body) == {"ok", "database", "cache", "queue"}
