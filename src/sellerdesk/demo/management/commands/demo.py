from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.demo.check import CheckFailed, free_port, run_check
from sellerdesk.demo.mailflow import deliver_demo_mail, demo_smtp_server, fetch_all, wire_accounts
from sellerdesk.demo.seed import (
    seed_accounts,
    seed_snippets,
    seed_team,
    seed_triage,
    seed_workspace,
)
from sellerdesk.demo.sellers import emulated_sellers, go_live, sync_all
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
        with emulated_sellers() as handles, demo_smtp_server() as smtp:
            accounts = seed_accounts({name: handle.url for name, handle in handles.items()})
            sign_ins = seed_team()
            for report in sync_all(accounts):
                for resource in report.resources:
                    figures = resource.as_dict()
                    self.stdout.write(
                        f"synced {report.account} {resource.resource}: {figures['fetched']} fetched"
                        + (f", FAILED: {resource.error}" if resource.error else "")
                    )
                if not report.ok and options["check"]:
                    raise CommandError(f"demo check failed: the sync of {report.account} failed")
            mailboxes = wire_accounts(accounts, smtp.port)
            delivered = deliver_demo_mail(accounts, mailboxes)
            for summary in fetch_all(mailboxes):
                self.stdout.write(
                    f"mail: {delivered} delivered to the demo Maildirs; {summary.as_dict()}"
                )
            for line in seed_workspace(accounts) + seed_triage(accounts) + seed_snippets():
                self.stdout.write(line)
            if options["check"]:
                port = free_port()
                go_live(handles, accounts, f"http://127.0.0.1:{port}")
                try:
                    for line in run_check(sign_ins, port=port, smtp=smtp):
                        self.stdout.write(line)
                except CheckFailed as error:
                    raise CommandError(f"demo check failed: {error}") from None
                self.stdout.write("demo check passed")
                return
            host, port = options["host"], options["port"]
            go_live(handles, accounts, f"http://{host}:{port}")
            self.stdout.write(f"\nsellerdesk demo: open http://{host}:{port}/\n")
            self.stdout.write("Emulated Walmart sellers (live: new orders arrive as you watch):")
            for name, handle in handles.items():
                self.stdout.write(f"  {name:<20} {handle.url}")
            self.stdout.write("Sign in as:")
            for who in sign_ins:
                self.stdout.write(
                    f"  {who.username:<6} password {who.password:<18} ({who.role.label}: {who.sees}{''.join(f', and {name}' for name in who.also)})"
                )
            self.stdout.write("Press Ctrl-C to stop.\n")
            serve(host=host, port=port, run_consumer=True)
