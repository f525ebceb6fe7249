"""Demo data: two Walmart seller accounts, an admin and two agents, one account each, who
share the first one (so two browser windows show each other viewing and typing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.clock import system_clock
from sellerdesk.snippets.library import seed_starter_library
from sellerdesk.team.members import ensure_member, generated_password
from sellerdesk.team.models import Role
from sellerdesk.tickets import actions
from sellerdesk.tickets.models import Message, Note, Ticket


@dataclass(frozen=True)
class DemoAccount:
    """A demo seller: its account in sellerdesk and the emulated Walmart seller behind it."""

    name: str
    client_id: str
    client_secret: str
    support_address: str
    seed: int
    orders: int
    webhook_secret: str = "demo-webhook-secret"


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str
    role: Role
    sees: str
    # Accounts shared with a teammate, besides their own (`sees`).
    also: tuple[str, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount(
        "Acme Home Goods",
        "acme-home-demo",
        "acme-home-demo-secret",
        "care@acmehome.example",
        seed=7,
        orders=400,
    ),
    DemoAccount(
        "Trailhead Outdoor",
        "trailhead-demo",
        "trailhead-demo-secret",
        "help@trailhead.example",
        seed=11,
        orders=250,
    ),
)


def seed_accounts(base_urls: dict[str, str]) -> list[SellerAccount]:
    """Create (or point at new emulator URLs) the demo accounts; idempotent across restarts."""
    accounts = []
    for demo in DEMO_ACCOUNTS:
        account, _ = SellerAccount.objects.get_or_create(
            name=demo.name, defaults={"marketplace": SellerAccount.Marketplace.WALMART}
        )
        account.api_base_url = base_urls.get(demo.name, account.api_base_url)
        account.support_address = demo.support_address
        account.sender_address = demo.support_address
        account.time_zone = "America/Chicago"
        account.set_credentials(
            client_id=demo.client_id,
            client_secret=demo.client_secret,
            webhook_secret=demo.webhook_secret,
        )
        account.save()
        accounts.append(account)
    return accounts


def seed_team() -> list[SignIn]:
    """Fresh passwords on every start: the demo prints them, and nothing else relies on them."""
    first, second = (demo.name for demo in DEMO_ACCOUNTS)
    # Bob also works Alice's account: the live collaboration (who is viewing, who is
    # typing, the reply guard) needs two agents on the same tickets.
    plan = [
        ("admin", Role.ADMIN, [], "every account and the settings"),
        ("alice", Role.AGENT, [first], first),
        ("bob", Role.AGENT, [second, first], second),
    ]
    sign_ins = []
    for username, role, names, sees in plan:
        _, password = ensure_member(
            username,
            role=role,
            account_names=names,
            email=f"{username}@sellerdesk.example",
            password=generated_password(),
        )
        assert password is not None
        # A first name for the snippets' {agent_name} signature ("Best regards, Alice").
        User.objects.filter(username=username, first_name="").update(
            first_name=username.capitalize()
        )
        also = tuple(name for name in names if name != sees)
        sign_ins.append(SignIn(username, password, role, sees, also))
    return sign_ins


def seed_snippets() -> list[str]:
    """The starter snippet library (the data migration put it there on the first start;
    this brings back any starter snippet deleted since, and leaves edited ones alone)."""
    added = seed_starter_library()
    return [f"demo: {added} starter snippets added"] if added else []


def seed_workspace(accounts: list[SellerAccount]) -> list[str]:
    """Things to try on the ticket page, on the first demo account once its mail is in: a
    note by the admin that @mentions alice (her bell shows it), and a second ticket from the
    buyer of the first buyer ticket, ready to merge. Idempotent across restarts."""
    account = accounts[0]
    first = (
        Ticket.objects.filter(account=account, kind="buyer_walmart", merged_into__isnull=True)
        .exclude(relay_address="")
        .exclude(status__in=[Ticket.Status.SOLVED, Ticket.Status.CLOSED])
        .order_by("pk")
        .first()
    )
    if first is None:
        return []
    lines = []
    if not Note.objects.filter(ticket__account=account).exists():
        actions.add_note(
            first,
            "@alice the buyer wrote twice about this order; check with the warehouse before "
            "offering a refund.",
            author=User.objects.get(username="admin"),
        )
        lines.append(f"demo: a note on #{first.pk} mentions @alice")
    slug = account.name.lower().replace(" ", "-")
    marker = f"demo.{slug}.same-buyer@relay.walmart.com"
    if not Message.objects.filter(message_id=marker).exists():
        # Opened directly, as mail in a new thread with an unrelated subject would be: the
        # threading rightly keeps it apart, and an agent merges the two.
        at = system_clock.now() - timedelta(minutes=40)
        subject = "One more thing before it ships"
        text = "Could you also add a gift receipt to my order? Thanks!"
        second, _ = actions.open_ticket(
            account=account,
            incoming=actions.IncomingMessage(
                kind="buyer_walmart",
                sender=first.relay_address,
                sender_name="Walmart Customer",
                recipients=[account.support_address],
                subject=subject,
                text=text,
                new_text=text,
                html="",
                truncated=False,
                message_id=marker,
                in_reply_to="",
                references=[],
                received_at=at,
                raw=(
                    f"From: {first.relay_address}\r\nTo: {account.support_address}\r\n"
                    f"Subject: {subject}\r\nMessage-ID: <{marker}>\r\n\r\n{text}\r\n"
                ).encode(),
            ),
            kind="buyer_walmart",
            intent="other",
            relay_address=first.relay_address,
            customer=first.customer,
            order=first.order,
            order_number=first.order_number,
            needs_reply=True,
            one_hour_deadline=False,
        )
        lines.append(f"demo: #{first.pk} and #{second.pk} are from the same buyer, ready to merge")
    return lines


# The inbox on first sign-in: some tickets already handed out and labelled, one snoozed,
# beside the pinned and breached ones the demo mail's timing makes (mailgen.py).
DEMO_TRIAGE: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    # (the demo message that opened the ticket, assign to the account's agent, tags)
    ("damaged_item", True, ("carrier claim",)),
    ("wrong_item", True, ()),
    ("escalation", False, ("escalated",)),
    ("refund_status", True, ("vip",)),
)
SNOOZED_DEMO_TICKET = "pre_sale_question"


def _demo_ticket(account: SellerAccount, name: str) -> Ticket | None:
    slug = account.name.lower().replace(" ", "-")
    opener = (
        Message.objects.filter(message_id__startswith=f"demo.{slug}.{name}@")
        .select_related("ticket")
        .first()
    )
    return opener.ticket if opener else None


def seed_triage(accounts: list[SellerAccount]) -> list[str]:
    """Assign, tag and snooze a few demo tickets per account, through the actions (so their
    history says so). Idempotent across restarts: nothing is redone once done."""
    lines = []
    admin = User.objects.get(username="admin")
    now = system_clock.now()
    for account in accounts:
        agent = User.objects.filter(team_member__accounts=account, team_member__role=Role.AGENT)
        assignee = agent.order_by("username").first()
        for name, assign, tags in DEMO_TRIAGE:
            ticket = _demo_ticket(account, name)
            if ticket is None or ticket.events.filter(kind__in=["assigned", "tags_added"]).exists():
                continue
            if assign and assignee is not None:
                actions.assign(ticket, assignee, actor=admin)
            if tags:
                actions.add_tags(ticket, list(tags), actor=admin)
            lines.append(f"demo: triaged #{ticket.pk} ({name}) in {account.name}")
        snoozed = _demo_ticket(account, SNOOZED_DEMO_TICKET)
        if snoozed is not None and not snoozed.events.filter(kind="snoozed").exists():
            # Until tomorrow; well before its deadline goes at risk (which would wake it).
            actions.snooze(snoozed, now + timedelta(hours=20), actor=admin)
            lines.append(f"demo: snoozed #{snoozed.pk} in {account.name} until tomorrow")
    return lines
