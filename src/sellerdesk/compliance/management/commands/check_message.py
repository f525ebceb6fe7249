"""`sellerdesk check-message`: check one message from a file or stdin, print the verdict as
JSON, and exit 0 (ok), 10 (block) or 20 (warn), so scripts and CI can gate on it."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.compliance.rules import Context, check

EXIT_CODES = {"ok": 0, "block": 10, "warn": 20}
# sysexits.h: the command's own errors stay apart from the verdict codes.
EX_USAGE = 64
EX_NOINPUT = 66


class Command(BaseCommand):
    help = "Check an outgoing message against the marketplace's communication rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--marketplace", required=True, choices=("walmart", "amazon"))
        parser.add_argument(
            "--proactive", action="store_true", help="Not a reply in a buyer-started thread."
        )
        parser.add_argument("--subject", default="", help="The message's subject line.")
        parser.add_argument("file", nargs="?", default="-", help="The message text (- = stdin).")

    def run_from_argv(self, argv: list[str]) -> None:
        # argparse exits 2 on bad usage; this command promises 64 for its own errors.
        try:
            super().run_from_argv(argv)
        except SystemExit as exit_:
            if exit_.code == 2:
                raise SystemExit(EX_USAGE) from None
            raise

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["file"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}", returncode=EX_NOINPUT) from None
        context = Context(
            marketplace=options["marketplace"],
            proactive=options["proactive"],
            subject=options["subject"],
        )
        verdict = check(text, context)
        self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
        self.stdout.flush()
        if verdict.verdict != "ok":
            raise SystemExit(EXIT_CODES[verdict.verdict])
