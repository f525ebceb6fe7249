from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sellerdesk.runtime.management.commands._scaleout import require_scale_out
from sellerdesk.runtime.queue import create_consumer


class Command(BaseCommand):
    help = "Run background tasks (scale-out). Several may run; one of them schedules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=None, help="Worker threads.")

    def handle(self, *args: Any, **options: Any) -> None:
        require_scale_out("worker")
        create_consumer(embedded=False, workers=options["workers"]).run()
