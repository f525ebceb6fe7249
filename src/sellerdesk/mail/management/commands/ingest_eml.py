from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail.fetch import FetchSummary
from sellerdesk.mail.ingest import ingest
from sellerdesk.mail.transport.maildir import read_new


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


class Command(BaseCommand):
    help = "Import .eml files or Maildirs (also `sellerdesk ingest-eml`); prints a JSON summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--account", help="Seller account the mail belongs to (default: by the To address)."
        )
        parser.add_argument("paths", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        account = None
        if options["account"]:
            account = SellerAccount.objects.filter(name=options["account"]).first()
            if account is None:
                raise CommandError(f"no seller account named {options['account']!r}")
        summary = FetchSummary()
        for name in options["paths"]:
            path = Path(name)
            if is_maildir(path):
                for mail in read_new(path):
                    summary.add(
                        ingest(
                            mail.raw,
                            account=account,
                            delivered_at=mail.delivered_at,
                            source=f"{path}:{mail.key}",
                        )
                    )
            elif path.is_dir():
                for file in sorted(p for p in path.iterdir() if p.is_file()):
                    summary.add(ingest(file.read_bytes(), account=account, source=str(file)))
            elif path.is_file():
                summary.add(ingest(path.read_bytes(), account=account, source=str(path)))
            else:
                raise CommandError(f"{path}: no such file or Maildir")
        self.stdout.write(json.dumps(summary.as_dict()))
