from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.marketplaces.running import AccountBusy, run_sync


class Command(BaseCommand):
    help = "Sync orders and returns from the marketplace (all active Walmart accounts, or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", help="Seller account name (default: every active one).")
        parser.add_argument(
            "--full", action="store_true", help="Walk the whole 180-day history again."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = SellerAccount.objects.filter(marketplace=SellerAccount.Marketplace.WALMART)
        if options["account"]:
            account = SellerAccount.objects.filter(name=options["account"]).first()
            if account is None:
                known = ", ".join(SellerAccount.objects.values_list("name", flat=True)) or "none"
                raise CommandError(
                    f"no seller account named {options['account']!r} (known: {known})"
                )
            if account.marketplace != SellerAccount.Marketplace.WALMART:
                raise CommandError(
                    f"{account.name!r} is an {account.marketplace} account: mail only, nothing to sync"
                )
            accounts = accounts.filter(pk=account.pk)
        else:
            accounts = accounts.filter(active=True)
        if not accounts.exists():
            raise CommandError(
                "no active Walmart seller account to sync (add one with `sellerdesk accounts add walmart`)"
            )
        failed = []
        for account in accounts:
            try:
                report = run_sync(account, full=options["full"])
            except AccountBusy as busy:
                failed.append(account.name)
                self.stderr.write(f"{account.name}: skipped, {busy}")
                continue
            for resource in report.resources:
                figures = resource.as_dict()
                line = (
                    f"{account.name} {resource.resource}: fetched {figures['fetched']}, "
                    f"created {figures['created']}, updated {figures['updated']}, "
                    f"unchanged {figures['unchanged']}"
                )
                if resource.error:
                    self.stderr.write(f"{line}; FAILED: {resource.error}")
                else:
                    self.stdout.write(line)
            if not report.ok:
                failed.append(account.name)
        if failed:
            raise CommandError(
                f"sync failed for {', '.join(failed)}; the next run resumes from the last good point"
            )
