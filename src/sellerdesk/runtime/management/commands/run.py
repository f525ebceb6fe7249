from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sellerdesk.runtime.server import serve


class Command(BaseCommand):
    help = "Run everything in one process: pages, websockets, task consumer and schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-migrate", action="store_true", help="Do not apply migrations before serving."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"sellerdesk on http://{options['host']}:{options['port']}/")
        serve(host=options["host"], port=options["port"], run_consumer=True)
