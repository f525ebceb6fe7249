from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.crypto import CredentialsKeyError, mask


def read_secret(value: str | None, *, label: str) -> str | None:
    """`-` reads the secret from standard input, so it need not sit in the shell history or
    in the process list where any local user can read a command line."""
    if value != "-":
        return value
    secret = sys.stdin.readline().strip()
    if not secret:
        raise CommandError(f"{label}: nothing was given on standard input")
    return secret


def describe_errors(error: ValidationError) -> str:
    return "; ".join(
        f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
    )


class Command(BaseCommand):
    help = "Add, list, disable and enable seller accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add a seller account.")
        add.add_argument("marketplace", choices=[m.value for m in SellerAccount.Marketplace])
        add.add_argument("--name", required=True)
        add.add_argument("--client-id", help="Walmart API client id.")
        add.add_argument("--client-secret", help="Walmart API client secret ('-' reads stdin).")
        add.add_argument("--base-url", help="API base URL (default: the marketplace's).")
        add.add_argument("--support-address", default="")
        add.add_argument("--sender-address", default="")
        add.add_argument("--smtp-host", default="")
        add.add_argument("--smtp-port", type=int)
        add.add_argument(
            "--smtp-security",
            default="starttls",
            choices=[s.value for s in SellerAccount.SmtpSecurity],
        )
        add.add_argument("--smtp-user", default="")
        add.add_argument("--smtp-password", help="SMTP password ('-' reads stdin).")
        add.add_argument("--time-zone", default="America/Chicago")
        sub.add_parser("list", help="List seller accounts (secrets are never shown).")
        for verb in ("disable", "enable"):
            toggle = sub.add_parser(verb, help=f"{verb.capitalize()} a seller account.")
            toggle.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self.add(options)
        elif action == "list":
            self.list()
        else:
            self.toggle(options["name"], active=action == "enable")

    def add(self, options: dict[str, Any]) -> None:
        marketplace = options["marketplace"]
        client_id = options["client_id"]
        client_secret = read_secret(options["client_secret"], label="--client-secret")
        if marketplace == SellerAccount.Marketplace.WALMART and not (client_id and client_secret):
            raise CommandError("a Walmart account needs --client-id and --client-secret")
        if marketplace == SellerAccount.Marketplace.AMAZON and (client_id or client_secret):
            raise CommandError(
                "Amazon accounts are mail-only for now: leave out --client-id and --client-secret"
            )
        if SellerAccount.objects.filter(name=options["name"]).exists():
            raise CommandError(f"a seller account named {options['name']!r} already exists")
        account = SellerAccount(
            marketplace=marketplace,
            name=options["name"],
            api_base_url=options["base_url"] or SellerAccount.default_base_url(marketplace),
            support_address=options["support_address"],
            sender_address=options["sender_address"],
            smtp_host=options["smtp_host"],
            smtp_port=options["smtp_port"],
            smtp_security=options["smtp_security"],
            smtp_user=options["smtp_user"],
            time_zone=options["time_zone"],
        )
        account.set_credentials(
            client_id=client_id,
            client_secret=client_secret,
            smtp_password=read_secret(options["smtp_password"], label="--smtp-password"),
        )
        try:
            account.full_clean()
        except ValidationError as error:
            raise CommandError(f"account not added: {describe_errors(error)}") from None
        with transaction.atomic():
            account.save()
        self.stdout.write(f"added {marketplace} account {account.name!r} (id {account.pk})")

    def list(self) -> None:
        accounts = list(SellerAccount.objects.all())
        if not accounts:
            self.stdout.write("no seller accounts yet: add one with `sellerdesk accounts add`")
            return
        self.stdout.write(f"{'NAME':<28} {'MARKETPLACE':<11} {'ACTIVE':<6} {'CREDENTIALS':<12} API")
        for account in accounts:
            try:
                secret = mask(account.credentials().get("client_secret", ""))
            except CredentialsKeyError:
                secret = "unreadable"
            self.stdout.write(
                f"{account.name:<28} {account.marketplace:<11} {'yes' if account.active else 'no':<6} "
                f"{secret:<12} {account.api_base_url}"
            )

    def toggle(self, name: str, *, active: bool) -> None:
        updated = SellerAccount.objects.filter(name=name).update(active=active)
        if not updated:
            known = ", ".join(SellerAccount.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"no seller account named {name!r} (known: {known})")
        self.stdout.write(f"{'enabled' if active else 'disabled'} {name!r}")
