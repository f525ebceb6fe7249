"""Encryption of credentials at rest (Fernet, with key rotation).

Pure: the keys are passed in, so this module needs no Django. `MultiFernet` encrypts with the
first (newest) key and decrypts with any, which is what makes rotation safe: add the new key
in front, re-encrypt, then drop the old one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class CredentialsKeyError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""


class Vault:
    """Encrypts and decrypts small secrets (API credentials, passwords) as JSON."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one credentials key is required")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, data: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(data, sort_keys=True).encode()).decode()

    def decrypt(self, token: str) -> dict[str, Any]:
        if not token:
            return {}
        try:
            plain = self._fernet.decrypt(token.encode())
        except InvalidToken:
            raise CredentialsKeyError(
                "stored credentials cannot be decrypted with the configured credentials keys "
                "(was SELLERDESK_CREDENTIALS_KEYS changed without keeping the old key?)"
            ) from None
        value = json.loads(plain)
        if not isinstance(value, dict):
            raise CredentialsKeyError("stored credentials are not a JSON object")
        return value

    def rotate(self, token: str) -> str:
        """Re-encrypt under the newest key (keeps the plaintext out of our hands)."""
        if not token:
            return token
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise CredentialsKeyError(
                "stored credentials cannot be decrypted with any configured credentials key"
            ) from None


def generate_key() -> str:
    return Fernet.generate_key().decode()


def mask(value: str) -> str:
    """What a listing may show of a secret: whether it is set, never any of its characters."""
    return "set" if value else "not set"
