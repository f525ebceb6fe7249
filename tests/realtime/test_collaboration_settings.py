"""The team setting of the soft claim: admins switch it; for anyone else the page does not
exist, and a refused post changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sellerdesk.team.models import Role, TeamSettings
from tests.factories import make_member, make_outsider
from tests.realtime.support import shop

pytestmark = pytest.mark.django_db

URL = "/settings/collaboration/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_switches_whether_the_claim_assigns() -> None:
    admin = signed_in(make_member("ada", Role.ADMIN))
    assert reverse("collaboration_settings") == URL

    page = admin.get(URL)
    on = admin.post(URL, {"claim_assigns": "on"})
    after_on = TeamSettings.load().claim_assigns
    off = admin.post(URL, {})

    assert page.status_code == 200
    assert 'name="claim_assigns" >' in page.content.decode()  # unchecked by default
    assert (on.status_code, on["Location"]) == (302, URL)
    assert after_on is True
    assert off.status_code == 302
    assert TeamSettings.load().claim_assigns is False


@pytest.mark.parametrize("who", ["agent", "warehouse", "outsider"])
def test_anyone_but_an_admin_gets_a_404_and_changes_nothing(who: str) -> None:
    account = shop()
    user = {
        "agent": lambda: make_member("alice", Role.AGENT, [account]),
        "warehouse": lambda: make_member("walt", Role.WAREHOUSE, [account]),
        "outsider": make_outsider,
    }[who]()
    client = signed_in(user)

    assert client.get(URL).status_code == 404
    assert client.post(URL, {"claim_assigns": "on"}).status_code == 404
    assert TeamSettings.load().claim_assigns is False


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    answer = Client().post(URL, {"claim_assigns": "on"})
    assert answer.status_code == 302 and answer["Location"].startswith("/auth/login/")
    assert TeamSettings.load().claim_assigns is False
