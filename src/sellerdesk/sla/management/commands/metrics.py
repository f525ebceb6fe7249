from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.sla.metrics import GROUPINGS, figures
from sellerdesk.sla.metrics_format import as_table


# Argument types raise ArgumentTypeError so that argparse prints a usage line, not a traceback.
def positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"{days} is not a positive number of days")
    return days


def moment(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 date and time") from None
    # A bare date or time is read as UTC, the zone everything is stored in.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Print the performance figures (Seller Response Rate, first-response and resolution "
        "times, reopen rate, breached inquiries, volumes) over the last N days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--account",
            action="append",
            metavar="NAME",
            help="Only this seller account (repeat for several; default: all).",
        )
        parser.add_argument("--days", type=positive_days, default=30, help="Window (default 30).")
        parser.add_argument("--by", choices=GROUPINGS, help="Also show the figures per group.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument(
            "--as-of",
            type=moment,
            help="Figures as they stood at this moment (ISO 8601; default: now).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] | None = options["account"]
        account_ids: list[int] | None = None
        if names:
            found = dict(SellerAccount.objects.filter(name__in=names).values_list("name", "pk"))
            missing = [name for name in names if name not in found]
            if missing:
                raise CommandError(
                    "no seller account named " + ", ".join(repr(name) for name in missing)
                )
            account_ids = [found[name] for name in names]
        data = figures(
            account_ids,
            days=options["days"],
            now=options["as_of"] or timezone.now(),
            by=options["by"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
        else:
            self.stdout.write(as_table(data), ending="")
