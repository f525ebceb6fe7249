"""Two agents press send on the same ticket at the same moment, in real threads, against a
real database (run by tests/tickets/test_reply_guard_race.py as its own process, with the
production database settings: a SQLite file with WAL, busy timeout and IMMEDIATE
transactions, or PostgreSQL). Prints one JSON line per round.

    python -m tests.tickets.reply_race ROUNDS
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any


def main(rounds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)

    from sellerdesk.team.models import Role
    from sellerdesk.tickets.models import Draft, Message, Outbox
    from tests.factories import make_member
    from tests.realtime.support import fresh, open_ticket, shop

    account = shop("Race")
    agents = [make_member(name, Role.AGENT, [account]) for name in ("alice", "bob")]
    connections.close_all()

    for _ in range(rounds):
        ticket = open_ticket(account)
        outcomes = race_once(ticket.pk, agents)
        after = fresh(ticket)
        print(
            json.dumps(
                {
                    "vendor": connections["default"].vendor,
                    "outcomes": outcomes,
                    "outgoing": list(
                        Message.objects.filter(ticket=ticket, direction="out").values_list(
                            "text", flat=True
                        )
                    ),
                    "outbox": Outbox.objects.filter(message__ticket=ticket).count(),
                    "held": list(
                        Draft.objects.filter(ticket=ticket)
                        .exclude(held_reason="")
                        .values_list("text", "base_version")
                    ),
                    "version": after.version,
                }
            ),
            flush=True,
        )
        connections.close_all()


def race_once(ticket_id: int, agents: list[Any]) -> dict[str, str]:
    """Each agent loads the ticket (their page), then all press send together."""
    from django.db import connections

    from sellerdesk.tickets import actions
    from sellerdesk.tickets.models import Ticket
    from tests.realtime.support import fresh

    barrier = threading.Barrier(len(agents))
    outcomes: dict[str, str] = {}

    def send(agent: Any) -> None:
        try:
            view = fresh(Ticket(pk=ticket_id))
            barrier.wait(timeout=30)
            outcome = actions.send_reply(
                view, author=agent, text=f"Hello from {agent.username}", seen_version=view.version
            )
            outcomes[agent.username] = "sent" if outcome.message else "held"
        except Exception as error:  # reported: the test fails on it
            outcomes[agent.username] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
