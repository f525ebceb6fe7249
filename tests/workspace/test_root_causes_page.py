"""The root-cause settings page: admins only (anyone else gets the same 404 as the
compliance settings page gives them), add, rename, retire and bring back, with clear
refusals that keep what was typed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.tickets.models import DEFAULT_ROOT_CAUSES, RootCause
from tests.tickets.ticket_builders import acme
from tests.workspace.ticket_page_data import make_team, signed_in

pytestmark = pytest.mark.django_db

URL = "/settings/root-causes/"


@pytest.fixture
def account() -> SellerAccount:
    return acme()


@pytest.fixture
def team(account: SellerAccount) -> dict[str, User]:
    return make_team(account)


def test_the_page_lives_at_its_documented_address() -> None:
    assert reverse("root_cause_settings") == URL


def test_admins_see_every_accounts_taxonomy_seeded_from_the_defaults(
    account: SellerAccount, team: dict[str, User]
) -> None:
    response = signed_in(team["admin"]).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Acme</h2>" in html and "<h2>Trailhead</h2>" in html
    assert RootCause.objects.filter(account=account).count() == len(DEFAULT_ROOT_CAUSES)
    assert "<code>damaged_in_shipping</code>" in html


@pytest.mark.parametrize("who", ["agent", "warehouse", "other_agent", "outsider"])
def test_everyone_but_admins_gets_a_404_like_on_the_compliance_page(
    account: SellerAccount, team: dict[str, User], who: str
) -> None:
    client = signed_in(team[who])

    page = client.get(URL)
    post = client.post(URL, {"op": "add", "account": str(account.pk), "label": "Sneaky"})
    compliance = client.get(reverse("compliance_settings"))

    assert (page.status_code, post.status_code, compliance.status_code) == (404, 404, 404)
    assert not RootCause.objects.filter(label="Sneaky").exists()


def test_admins_add_rename_retire_and_bring_back_an_entry(
    account: SellerAccount, team: dict[str, User]
) -> None:
    client = signed_in(team["admin"])

    added = client.post(
        URL,
        {"op": "add", "account": str(account.pk), "label": "Carrier <b>lost</b> it"},
        follow=True,
    )
    cause = RootCause.objects.get(account=account, code="carrier_blostb_it")
    assert "Added “Carrier &lt;b&gt;lost&lt;/b&gt; it” to Acme." in added.content.decode()
    client.post(URL, {"op": "rename", "cause": str(cause.pk), "label": "Lost by the carrier"})
    client.post(URL, {"op": "retire", "cause": str(cause.pk)})
    cause.refresh_from_db()
    assert (cause.label, cause.active) == ("Lost by the carrier", False)

    client.post(URL, {"op": "restore", "cause": str(cause.pk)})

    cause.refresh_from_db()
    assert (cause.code, cause.active) == ("carrier_blostb_it", True)


def test_a_refused_change_says_why_and_keeps_the_typed_name(
    account: SellerAccount, team: dict[str, User]
) -> None:
    client = signed_in(team["admin"])
    client.get(URL)
    before = list(RootCause.objects.values_list("pk", "code", "label", "active"))

    duplicate = client.post(
        URL,
        {
            "op": "add",
            "account": str(account.pk),
            "label": "Late <i>delivery</i>",
            "code": "late_delivery",
        },
    )

    html = duplicate.content.decode()
    assert duplicate.status_code == 422
    assert "Acme already has a root cause with the code &#x27;late_delivery&#x27;." in html
    assert 'value="Late &lt;i&gt;delivery&lt;/i&gt;"' in html
    assert list(RootCause.objects.values_list("pk", "code", "label", "active")) == before


def test_a_root_cause_of_an_unknown_id_is_a_404(team: dict[str, User]) -> None:
    response = signed_in(team["admin"]).post(URL, {"op": "rename", "cause": "999999", "label": "x"})

    assert response.status_code == 404
