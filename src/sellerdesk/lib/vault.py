"""The process's credentials vault, built from settings, and the marker field for
encrypted columns (so re-encryption can find every one of them)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import models

from sellerdesk.lib.crypto import Vault


@cache
def _vault_for(keys: tuple[str, ...]) -> Vault:
    return Vault(keys)


def vault() -> Vault:
    # Keyed on the configured keys so a test (or a rotation) that changes settings gets a
    # vault for the new keys rather than a stale one.
    return _vault_for(tuple(settings.SELLERDESK_CREDENTIALS_KEYS))


class EncryptedTextField(models.TextField):
    """Holds Fernet ciphertext only. The model encrypts and decrypts explicitly through
    `vault()`, so the plaintext never sits in a model attribute that could be logged or
    rendered by accident; this class exists so `sellerdesk keys reencrypt` finds the column."""

    description = "Fernet ciphertext of a JSON object"
