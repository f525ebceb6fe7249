"""The `sellerdesk` console script: Django's management commands, with configuration errors
printed as one clear line instead of a traceback."""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from sellerdesk.lib.env import SettingError

# The demo keeps its database and keys apart from real data, so trying it never touches a
# seller's own ./var.
DEMO_VAR_DIR = "var/demo"
# Command names as the README spells them; Django's come from module names.
ALIASES = {"ingest-eml": "ingest_eml", "check-message": "check_message"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else ["sellerdesk", *argv])
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerdesk.settings")
    if len(args) > 1 and args[1] == "demo":
        os.environ.setdefault("SELLERDESK_VAR_DIR", DEMO_VAR_DIR)
        os.environ.setdefault("SELLERDESK_DEMO", "1")
    try:
        import django

        django.setup()
    except (SettingError, ImproperlyConfigured) as error:
        print(f"sellerdesk: configuration error: {error}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
