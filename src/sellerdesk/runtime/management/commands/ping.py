from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from huey.exceptions import HueyException

from sellerdesk.runtime.tasks import ping


class Command(BaseCommand):
    help = "Enqueue a ping task and wait for a running consumer to answer it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args: Any, **options: Any) -> None:
        result = ping()
        try:
            answer = result.get(blocking=True, timeout=options["timeout"])
        except HueyException:
            result.revoke()
            raise CommandError(
                f"no consumer answered within {options['timeout']:g}s: is `sellerdesk run` "
                "or `sellerdesk worker` running against this queue?"
            ) from None
        self.stdout.write(f"pong from {answer}")
