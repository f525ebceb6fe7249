from __future__ import annotations

import pytest

from sellerdesk.lib.crypto import CredentialsKeyError, Vault, generate_key, mask


def test_round_trip_and_ciphertext_holds_no_plaintext() -> None:
    vault = Vault([generate_key()])
    token = vault.encrypt({"client_secret": "hunter2-very-secret"})
    assert "hunter2" not in token
    assert vault.decrypt(token) == {"client_secret": "hunter2-very-secret"}
    assert vault.decrypt("") == {}


def test_old_key_still_decrypts_after_a_new_one_is_put_first() -> None:
    old, new = generate_key(), generate_key()
    token = Vault([old]).encrypt({"a": "b"})
    assert Vault([new, old]).decrypt(token) == {"a": "b"}


def test_rotate_reencrypts_under_the_newest_key() -> None:
    old, new = generate_key(), generate_key()
    token = Vault([old]).encrypt({"a": "b"})
    rotated = Vault([new, old]).rotate(token)
    assert Vault([new]).decrypt(rotated) == {"a": "b"}
    with pytest.raises(CredentialsKeyError):
        Vault([old]).decrypt(rotated)


def test_a_wrong_key_is_a_clear_error() -> None:
    token = Vault([generate_key()]).encrypt({"a": "b"})
    with pytest.raises(CredentialsKeyError, match="cannot be decrypted"):
        Vault([generate_key()]).decrypt(token)


def test_mask_never_shows_characters() -> None:
    assert mask("abc") == "set"
    assert mask("") == "not set"
