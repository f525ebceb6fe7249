from __future__ import annotations

import os
import secrets
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sellerdesk.lib import env
from sellerdesk.lib.crypto import CredentialsKeyError, Vault, generate_key
from sellerdesk.lib.vault import EncryptedTextField


def reencrypt_all(vault: Vault) -> int:
    """Re-encrypt every encrypted column under the newest key; returns the rows changed."""
    changed = 0
    for model in apps.get_models():
        fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
        if not fields:
            continue
        with transaction.atomic():
            for row in model._default_manager.select_for_update().only("pk", *fields):
                for name in fields:
                    setattr(row, name, vault.rotate(getattr(row, name)))
                row.save(update_fields=fields)
                changed += 1
    return changed


class Command(BaseCommand):
    help = "Manage the credentials keys: generate, rotate (embedded mode), reencrypt."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("generate", help="Print a new SECRET_KEY and credentials key.")
        sub.add_parser(
            "rotate",
            help="Embedded mode: put a new credentials key first and re-encrypt everything.",
        )
        sub.add_parser(
            "reencrypt",
            help="Re-encrypt every stored credential under the first configured key.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self.stdout.write(f"SECRET_KEY={secrets.token_urlsafe(50)}")
            self.stdout.write(f"SELLERDESK_CREDENTIALS_KEYS={generate_key()}")
            return
        keys = list(settings.SELLERDESK_CREDENTIALS_KEYS)
        if action == "rotate":
            if not settings.EMBEDDED or env.env_list(os.environ, "SELLERDESK_CREDENTIALS_KEYS"):
                raise CommandError(
                    "the credentials keys come from SELLERDESK_CREDENTIALS_KEYS: put a new key "
                    "(`sellerdesk keys generate`) in front of the old ones, restart every "
                    "process, run `sellerdesk keys reencrypt`, then drop the old key."
                )
            keys = env.prepend_embedded_credentials_key(settings.VAR_DIR, generate_key())
            settings.SELLERDESK_CREDENTIALS_KEYS = keys
        try:
            changed = reencrypt_all(Vault(keys))
        except CredentialsKeyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"re-encrypted {changed} rows under the newest of {len(keys)} keys")
