from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from sellerdesk.team.models import Role
from tests.factories import PASSWORD, make_account, make_member

pytestmark = pytest.mark.django_db


def test_sign_in_and_sign_out() -> None:
    make_member("alice", Role.AGENT, [make_account("Acme")])
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    wrong = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert b"didn't match" in wrong.content
    right = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert right.status_code == 302
    assert "Acme" in client.get(reverse("home")).content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_by_emailed_link() -> None:
    make_member("alice", Role.AGENT)
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/auth/reset/\S+/)", mail.outbox[0].body)
    assert match is not None
    form_page = client.get(match[1], follow=True)
    assert form_page.status_code == 200
    new_password = "Another-long-passphrase-42"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert Client().login(username="alice", password=new_password)
    assert not Client().login(username="alice", password=PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same() -> None:
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
