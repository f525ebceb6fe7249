from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.mail.fetch import MailboxBusy, fetch_mailbox
from sellerdesk.mail.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from every active mailbox, or one; prints a JSON summary per mailbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", help="Mailbox name.")

    def handle(self, *args: Any, **options: Any) -> None:
        mailboxes = Mailbox.objects.filter(active=True)
        if options["mailbox"]:
            mailboxes = Mailbox.objects.filter(name=options["mailbox"])
            if not mailboxes.exists():
                raise CommandError(f"no mailbox named {options['mailbox']!r}")
        failed = []
        for mailbox in mailboxes:
            try:
                summary = fetch_mailbox(mailbox)
            except MailboxBusy as busy:
                self.stderr.write(str(busy))
                failed.append(mailbox.name)
                continue
            self.stdout.write(json.dumps({"mailbox": mailbox.name, **summary.as_dict()}))
            if summary.errors:
                failed.append(mailbox.name)
        if failed:
            raise CommandError(f"fetching failed for {', '.join(failed)}")
