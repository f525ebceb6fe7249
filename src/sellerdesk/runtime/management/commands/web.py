from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sellerdesk.runtime.management.commands._scaleout import require_scale_out
from sellerdesk.runtime.server import serve


class Command(BaseCommand):
    help = "Serve pages and websockets only (scale-out: run `sellerdesk worker` beside it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        require_scale_out("web")
        serve(host=options["host"], port=options["port"], run_consumer=False)
