from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.customers.models import Customer
from sellerdesk.orders.models import Order


def new_reply_token() -> str:
    return secrets.token_hex(6)


class Tag(models.Model):
    """A free label on tickets (the workspace filters by it)."""

    name = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """One conversation: a buyer's inquiry, a marketplace case or escalation notice, or a
    complaint, with every message in and out.

    `relay_address` is where replies go: the buyer's marketplace relay alias, or the
    marketplace address that sent a notice; never a buyer's personal address. `reply_token`
    is embedded in our outgoing Message-IDs so that answers thread back here even when the
    relay rewrites everything else.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Pending (waiting on buyer)"
        WAITING_ON_WAREHOUSE = "waiting_on_warehouse", "Waiting on warehouse"
        SOLVED = "solved", "Solved"
        CLOSED = "closed", "Closed"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"

    account = models.ForeignKey(SellerAccount, on_delete=models.PROTECT, related_name="tickets")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(max_length=30, help_text="What started it (classification kind).")
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    order_number = models.CharField(
        max_length=40, blank=True, help_text="The order number the mail named, linked or not."
    )
    subject = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    intent = models.CharField(max_length=30, default="other")
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    relay_address = models.EmailField(blank=True, db_index=True)
    reply_token = models.CharField(max_length=20, unique=True, default=new_reply_token)
    needs_reply = models.BooleanField(default=True)
    one_hour_deadline = models.BooleanField(default=False)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        help_text="The closed ticket this one continues.",
    )
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    due_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Reply deadline of the oldest unanswered inquiry (None: nothing owed).",
    )
    sla_state = models.CharField(max_length=10, default="none", db_index=True)
    sla_notified_state = models.CharField(
        max_length=10, default="none", help_text="The state last announced (alerts go once)."
    )
    root_cause = models.CharField(max_length=40, blank=True)
    snoozed_until = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Hidden from the inbox until then; a buyer message or a deadline at risk wakes it.",
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
        help_text="The ticket this one was merged into; later mail to it follows there.",
    )

    class Meta:
        indexes = [
            # The inbox (tickets/queries.py) reads each triage segment as an ordered index
            # range and filters inside the index, never in the table. Tickets that owe a
            # reply, by deadline: a small partial index. The others, per status by latest
            # activity: `ticket_inbox_by_status` on SQLite (it takes `due_at IS NULL` as an
            # equality), which also answers the saved views' counts from the index alone;
            # PostgreSQL orders by an index only past columns fixed by `=`, which
            # `IS NULL` is not, so it gets `ticket_inbox_unowed`, partial on that test.
            models.Index(
                fields=[
                    "due_at",
                    "id",
                    "account",
                    "status",
                    "assignee",
                    "snoozed_until",
                    "merged_into",
                    "kind",
                    "intent",
                ],
                condition=Q(due_at__isnull=False),
                name="ticket_inbox_owed",
            ),
            models.Index(
                fields=[
                    "status",
                    "due_at",
                    "last_message_at",
                    "id",
                    "account",
                    "assignee",
                    "snoozed_until",
                    "merged_into",
                    "kind",
                    "intent",
                ],
                name="ticket_inbox_by_status",
            ),
            models.Index(
                fields=["status", "last_message_at", "id"],
                condition=Q(due_at__isnull=True),
                name="ticket_inbox_unowed",
            ),
            models.Index(fields=["account", "status", "-last_message_at"]),
            models.Index(fields=["relay_address", "-last_message_at"]),
            models.Index(fields=["account", "created_at"]),
        ]
        permissions = [
            ("override_compliance", "May send a reply the compliance guard blocks, with a reason"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class Message(models.Model):
    """A message of a ticket: a buyer's or marketplace's mail in, our reply out, or a system
    message (bounce, auto-reply). The raw source is kept in storage; `text` and `html` are
    what we show (HTML already sanitized); `new_text` is what the sender actually wrote."""

    class Direction(models.TextChoices):
        INBOUND = "in", "Inbound"
        OUTBOUND = "out", "Outbound"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=30, help_text="buyer, notice, reply, auto_reply, bounce...")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    sender = models.CharField(max_length=320, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    new_text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    truncated = models.BooleanField(default=False)
    # A plain index besides the partial unique one: SQLite uses a partial index only when the
    # query repeats its condition, and every threading lookup is by Message-ID.
    message_id = models.CharField(max_length=500, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(help_text="When it reached us (or SMTP accepted ours).")
    raw = models.FileField(upload_to="raw/%Y/%m/", blank=True)
    raw_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    notes = models.JSONField(default=list, blank=True, help_text="Parse defects, reasons.")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "received_at"])]
        constraints = [
            # Threading looks Message-IDs up on every mail; deduplication relies on them.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="message_id_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id or self.pk}"


class Attachment(models.Model):
    """A file that came with a message (or went out with a reply). Served only as a
    download, never rendered from our origin."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to="attachments/%Y/%m/")
    content_id = models.CharField(max_length=255, blank=True)
    inline = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """The history of a ticket: who did what, when. Written by every action."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"


class Outbox(models.Model):
    """The delivery of one outgoing message. Queued in the same transaction as the message;
    claimed by a worker with a conditional UPDATE; sent at most once.

    `uncertain`: the worker handed the message to SMTP but never learned the answer (it died,
    or the connection broke after the data). It may have been delivered, so it is shown to an
    agent and never resent on its own.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNCERTAIN = "uncertain", "Uncertain"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="outbox")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    sender = models.EmailField()
    recipients = models.JSONField(default=list)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    smtp_response = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.state} {self.message_id}"


class Inquiry(models.Model):
    """One buyer inquiry and its reply deadline, as the SLA clock computed it: stored so that
    reports read rows instead of recomputing every ticket's history."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="inquiries")
    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="inquiries")
    policy = models.CharField(max_length=40)
    opened_by = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by_message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=30, blank=True)
    in_time = models.BooleanField(null=True, help_text="None until decided.")
    excluded = models.BooleanField(default=False, help_text="Left out of the response rate.")

    class Meta:
        indexes = [
            models.Index(fields=["account", "received_at"]),
            models.Index(fields=["account", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"inquiry on #{self.ticket_id} due {self.due_at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    """An internal note on a ticket: seen by the team only, never sent, never an answer to
    the buyer (it neither stops nor starts a reply deadline). An @mention notifies the
    teammate named."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    text = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"note on #{self.ticket_id}"


# The starter taxonomy every account gets; admins rename, add and retire entries per account.
DEFAULT_ROOT_CAUSES: tuple[tuple[str, str], ...] = (
    ("damaged_in_shipping", "Damaged in shipping"),
    ("wrong_item_sent", "Wrong item sent"),
    ("late_delivery", "Late delivery"),
    ("lost_in_transit", "Lost in transit"),
    ("not_as_described", "Not as described"),
    ("missing_parts", "Missing parts"),
    ("buyer_remorse", "Buyer remorse"),
    ("address_issue", "Address issue"),
    ("pre_sale_question", "Pre-sale question"),
    ("other", "Other"),
)


class RootCause(models.Model):
    """One entry of an account's root-cause taxonomy. Closing a ticket needs one, so that
    per-SKU analytics can say why buyers write. Retired entries stay for old tickets."""

    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="root_causes")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["account", "code"], name="root_cause_code_once")
        ]

    def __str__(self) -> str:
        return self.label


class Draft(models.Model):
    """What an agent has typed on a ticket and not sent, saved on the server as they type so
    that a reload or a crash loses nothing. A reply held back by the reply guard (the ticket
    changed since the agent loaded it) waits here too, with `held_reason` set.

    `base_version` is the ticket version the agent had seen when they last typed."""

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        NOTE = "note", "Note"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="drafts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPLY)
    text = models.TextField(blank=True)
    base_version = models.PositiveIntegerField(default=0)
    held_reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "author", "kind"], name="one_draft_per_agent_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} draft on #{self.ticket_id} by {self.author_id}"
