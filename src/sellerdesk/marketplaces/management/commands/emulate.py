from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.marketplaces.walmart import emulator


class Command(BaseCommand):
    help = "Run a local marketplace API emulator: `sellerdesk emulate walmart --help`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("marketplace", choices=["walmart"])
        parser.add_argument("options", nargs="*", help="Options of the emulator (see --help).")

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after `walmart` belongs to the emulator's own parser, --help included.
        if len(argv) >= 3 and argv[2] == "walmart":
            code = emulator.main(argv[3:])
            if code:
                raise SystemExit(code)
            return
        super().run_from_argv(argv)

    def handle(self, *args: Any, **options: Any) -> None:
        code = emulator.main(options["options"])
        if code:
            raise CommandError(f"the emulator exited with status {code}")
