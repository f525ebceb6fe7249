from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.mail.models import Mailbox


class Command(BaseCommand):
    help = "Add and list the mailboxes sellerdesk reads (IMAP or Maildir)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imap = sub.add_parser("add-imap", help="Add an IMAP mailbox (also: `add imap`).")
        maildir = sub.add_parser("add-maildir", help="Add a Maildir (also: `add maildir`).")
        for p in (imap, maildir):
            p.add_argument("--name", required=True)
            p.add_argument("--account", required=True, help="Seller account name.")
        imap.add_argument("--host", required=True)
        imap.add_argument("--port", type=int)
        imap.add_argument("--security", choices=[s.value for s in Mailbox.Security], default="tls")
        imap.add_argument("--username", required=True)
        imap.add_argument("--password", required=True, help="'-' reads it from stdin.")
        imap.add_argument("--folders", default="INBOX", help="Comma-separated folders.")
        imap.add_argument("--sent-folder", default="", help="Folder of replies sent elsewhere.")
        imap.add_argument("--ca-file", default="")
        maildir.add_argument("--path", required=True)
        sub.add_parser("list", help="List mailboxes.")

    def run_from_argv(self, argv: list[str]) -> None:
        # Accept the spelling `mailboxes add imap|maildir ...` too.
        if len(argv) >= 4 and argv[2] == "add" and argv[3] in {"imap", "maildir"}:
            argv = [*argv[:2], f"add-{argv[3]}", *argv[4:]]
        super().run_from_argv(argv)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for mailbox in Mailbox.objects.select_related("account").order_by("name"):
                where = (
                    mailbox.path if mailbox.kind == "maildir" else f"{mailbox.host}:{mailbox.port}"
                )
                state = "error: " + mailbox.last_error if mailbox.last_error else "ok"
                self.stdout.write(
                    f"{mailbox.name:<20} {mailbox.kind:<8} {mailbox.account.name:<24} {where} ({state})"
                )
            return
        account = SellerAccount.objects.filter(name=options["account"]).first()
        if account is None:
            raise CommandError(f"no seller account named {options['account']!r}")
        if Mailbox.objects.filter(name=options["name"]).exists():
            raise CommandError(f"a mailbox named {options['name']!r} already exists")
        mailbox = Mailbox(name=options["name"], account=account)
        if options["action"] == "add-imap":
            password = options["password"]
            if password == "-":
                password = sys.stdin.readline().rstrip("\n")
            mailbox.kind = Mailbox.Kind.IMAP
            mailbox.host, mailbox.port = options["host"], options["port"]
            mailbox.security, mailbox.username = options["security"], options["username"]
            mailbox.folders = [f.strip() for f in options["folders"].split(",") if f.strip()]
            mailbox.sent_folder, mailbox.ca_file = options["sent_folder"], options["ca_file"]
            mailbox.set_password(password)
        else:
            mailbox.kind = Mailbox.Kind.MAILDIR
            mailbox.path = options["path"]
        try:
            mailbox.full_clean()
        except ValidationError as error:
            raise CommandError(f"mailbox not added: {error.messages}") from None
        mailbox.save()
        self.stdout.write(f"added {mailbox.kind} mailbox {mailbox.name!r} for {account.name!r}")
