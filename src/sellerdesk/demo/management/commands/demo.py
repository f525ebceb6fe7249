from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.demo.check import CheckFailed, run_check
from sellerdesk.demo.seed import seed_accounts, seed_team
from sellerdesk.runtime.server import serve


class Command(BaseCommand):
    help = "Run the whole product locally with demo data (no outside account needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--check",
            action="store_true",
            help="Start everything, run each periodic job once, sign in, then exit 0 or 1.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        accounts = seed_accounts({})
        sign_ins = seed_team()
        if options["check"]:
            try:
                for line in run_check(sign_ins):
                    self.stdout.write(line)
            except CheckFailed as error:
                raise CommandError(f"demo check failed: {error}") from None
            self.stdout.write("demo check passed")
            return
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"\nsellerdesk demo: open {url}\n")
        self.stdout.write(f"Seller accounts: {', '.join(a.name for a in accounts)}")
        self.stdout.write("Sign in as:")
        for who in sign_ins:
            self.stdout.write(
                f"  {who.username:<6} password {who.password:<18} ({who.role.label}: {who.sees})"
            )
        self.stdout.write("Press Ctrl-C to stop.\n")
        serve(host=options["host"], port=options["port"], run_consumer=True)
