from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sellerdesk.accounts.models import SellerAccount

pytestmark = pytest.mark.django_db

SECRET = "walmart-secret-0d9e"


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("accounts", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


def test_add_walmart_account_stores_encrypted_credentials_and_prints_no_secret() -> None:
    output = run(
        "add",
        "walmart",
        "--name",
        "Acme",
        "--client-id",
        "cid",
        "--client-secret",
        SECRET,
        "--base-url",
        "http://127.0.0.1:8101",
    )
    assert output == f"added walmart account 'Acme' (id {SellerAccount.objects.get().pk})\n"
    account = SellerAccount.objects.get(name="Acme")
    assert account.api_base_url == "http://127.0.0.1:8101"
    assert account.credentials() == {"client_id": "cid", "client_secret": SECRET}
    listing = run("list")
    assert "Acme" in listing
    assert "set" in listing
    assert SECRET not in listing
    assert "cid" not in listing


def test_secret_can_come_from_stdin() -> None:
    run(
        "add",
        "walmart",
        "--name",
        "Acme",
        "--client-id",
        "cid",
        "--client-secret",
        "-",
        stdin=SECRET + "\n",
    )
    assert SellerAccount.objects.get().credentials()["client_secret"] == SECRET


def test_default_base_url_is_walmarts_production_host() -> None:
    run("add", "walmart", "--name", "Acme", "--client-id", "cid", "--client-secret", SECRET)
    assert SellerAccount.objects.get().api_base_url == "https://marketplace.walmartapis.com"


def test_amazon_account_is_mail_only() -> None:
    run("add", "amazon", "--name", "Acme EU")
    account = SellerAccount.objects.get()
    assert (account.marketplace, account.credentials()) == ("amazon", {})
    with pytest.raises(CommandError, match="mail-only"):
        run("add", "amazon", "--name", "Other", "--client-id", "x")


def test_duplicate_name_is_refused_and_nothing_changes() -> None:
    run("add", "walmart", "--name", "Acme", "--client-id", "cid", "--client-secret", SECRET)
    with pytest.raises(CommandError, match="a seller account named 'Acme' already exists"):
        run("add", "walmart", "--name", "Acme", "--client-id", "other", "--client-secret", "other")
    assert SellerAccount.objects.get().credentials()["client_id"] == "cid"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--time-zone", "Mars/Olympus"], "time_zone: unknown time zone 'Mars/Olympus'"),
        (["--base-url", "not a url"], "api_base_url: Enter a valid URL."),
        (["--support-address", "nope"], "support_address: Enter a valid email address."),
    ],
)
def test_invalid_fields_are_named_and_no_account_is_created(extra: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("add", "walmart", "--name", "Acme", "--client-id", "c", "--client-secret", "s", *extra)
    assert not SellerAccount.objects.exists()


def test_walmart_needs_credentials() -> None:
    with pytest.raises(CommandError, match="needs --client-id and --client-secret"):
        run("add", "walmart", "--name", "Acme")
    assert not SellerAccount.objects.exists()


def test_disable_and_enable_by_name() -> None:
    run("add", "walmart", "--name", "Acme", "--client-id", "cid", "--client-secret", SECRET)
    assert run("disable", "Acme") == "disabled 'Acme'\n"
    assert SellerAccount.objects.get().active is False
    run("enable", "Acme")
    assert SellerAccount.objects.get().active is True


def test_unknown_account_name_lists_the_known_ones() -> None:
    run("add", "walmart", "--name", "Acme", "--client-id", "cid", "--client-secret", SECRET)
    with pytest.raises(CommandError, match=r"no seller account named 'Acmee' \(known: Acme\)"):
        run("disable", "Acmee")
