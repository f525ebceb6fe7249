from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.mail.models import QuarantinedMail
from sellerdesk.mail.quarantine import retry


class Command(BaseCommand):
    help = "List quarantined mail, or retry one after a fix."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list")
        again = sub.add_parser("retry")
        again.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for item in QuarantinedMail.objects.filter(resolved_at__isnull=True).order_by("pk"):
                self.stdout.write(
                    f"{item.pk:>6} {item.created_at:%Y-%m-%d %H:%M} {item.source}: {item.reason.splitlines()[0][:100]}"
                )
            return
        found = QuarantinedMail.objects.filter(pk=options["id"], resolved_at__isnull=True).first()
        if found is None:
            raise CommandError(f"no open quarantined message {options['id']}")
        result = retry(found)
        self.stdout.write(
            f"{found.pk}: {result.outcome}{' - ' + result.reason if result.reason else ''}"
        )
