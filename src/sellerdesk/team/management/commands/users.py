from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sellerdesk.team.members import MemberError, ensure_member
from sellerdesk.team.models import Role, TeamMember


class Command(BaseCommand):
    help = "Add team members and list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add or update a team member.")
        add.add_argument("username")
        add.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENT.value)
        add.add_argument("--email", default="")
        add.add_argument("--accounts", default="", help="Comma-separated seller account names.")
        add.add_argument(
            "--password", help="'-' reads it from stdin; left out, one is generated and printed."
        )
        sub.add_parser("list", help="List team members.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for member in TeamMember.objects.select_related("user").prefetch_related("accounts"):
                names = ", ".join(a.name for a in member.accounts.all()) or "-"
                if member.role == Role.ADMIN:
                    names = "all accounts"
                self.stdout.write(f"{member.user.username:<20} {member.role:<10} {names}")
            return
        password = options["password"]
        if password == "-":
            password = sys.stdin.readline().rstrip("\n")
        account_names = [n.strip() for n in options["accounts"].split(",") if n.strip()]
        try:
            user, new_password = ensure_member(
                options["username"],
                role=Role(options["role"]),
                account_names=account_names,
                email=options["email"],
                password=password,
            )
        except MemberError as error:
            raise CommandError(str(error)) from None
        shown = (
            f" with password {new_password}" if new_password and options["password"] is None else ""
        )
        self.stdout.write(f"{user.username}: {options['role']}{shown}")
