from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.crypto import CredentialsKeyError, generate_key
from tests.factories import make_account

pytestmark = pytest.mark.django_db

SECRET = "wm-secret-7f3a9c"


def raw_column(account: SellerAccount) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_ciphertext FROM accounts_selleraccount WHERE id = %s", [account.pk]
        )
        return str(cursor.fetchone()[0])


def test_the_raw_column_never_holds_the_secret() -> None:
    account = make_account("Acme", secret=SECRET)
    stored = raw_column(account)
    assert stored
    assert SECRET not in stored
    assert "Acme-id" not in stored
    assert SellerAccount.objects.get(pk=account.pk).credentials() == {
        "client_id": "Acme-id",
        "client_secret": SECRET,
    }


def test_str_and_repr_show_no_secret() -> None:
    account = make_account("Acme", secret=SECRET)
    assert SECRET not in str(account)
    assert SECRET not in repr(account)


def test_unknown_credential_keys_are_refused() -> None:
    account = make_account("Acme")
    with pytest.raises(ValueError, match="unknown credential keys: client_secrte"):
        account.set_credentials(client_secrte="x")


def test_credentials_survive_a_key_rotation_and_reencrypt(settings: object) -> None:
    old_keys = list(settings.SELLERDESK_CREDENTIALS_KEYS)  # type: ignore[attr-defined]
    account = make_account("Acme", secret=SECRET)
    before = raw_column(account)
    new_key = generate_key()
    with override_settings(SELLERDESK_CREDENTIALS_KEYS=[new_key, *old_keys]):
        # Old ciphertext still decrypts with the new key in front...
        assert SellerAccount.objects.get(pk=account.pk).credentials()["client_secret"] == SECRET
        call_command("keys", "reencrypt")
        after = raw_column(account)
        assert after != before
    # ...and after re-encryption the new key alone is enough, the old one is not.
    with override_settings(SELLERDESK_CREDENTIALS_KEYS=[new_key]):
        assert SellerAccount.objects.get(pk=account.pk).credentials()["client_secret"] == SECRET
    with (
        override_settings(SELLERDESK_CREDENTIALS_KEYS=old_keys),
        pytest.raises(CredentialsKeyError),
    ):
        SellerAccount.objects.get(pk=account.pk).credentials()
