from __future__ import annotations

from typing import Any

from django.db import models

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.lib.vault import EncryptedTextField, vault


class Mailbox(models.Model):
    """Where a seller account's mail is read from: an IMAP account or a local Maildir.

    Each mailbox is fetched on its own, under its own lease, so one slow or broken mailbox
    never holds up another. The password is stored encrypted.
    """

    class Kind(models.TextChoices):
        IMAP = "imap", "IMAP"
        MAILDIR = "maildir", "Maildir"

    class Security(models.TextChoices):
        TLS = "tls", "Implicit TLS"
        STARTTLS = "starttls", "STARTTLS"
        NONE = "none", "None (loopback only)"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    account = models.ForeignKey(SellerAccount, on_delete=models.PROTECT, related_name="mailboxes")
    host = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    security = models.CharField(max_length=10, choices=Security.choices, default=Security.TLS)
    username = models.CharField(max_length=255, blank=True)
    password_ciphertext = EncryptedTextField(blank=True, default="", editable=False)
    ca_file = models.CharField(
        max_length=500, blank=True, help_text="Extra CA bundle for a private mail server."
    )
    path = models.CharField(max_length=500, blank=True, help_text="Maildir folder.")
    folders = models.JSONField(default=list, help_text="IMAP folders to read, e.g. INBOX.")
    sent_folder = models.CharField(
        max_length=200, blank=True, help_text="Where replies sent from elsewhere are found."
    )
    active = models.BooleanField(default=True)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name

    def password(self) -> str:
        return str(vault().decrypt(self.password_ciphertext).get("password", ""))

    def set_password(self, password: str) -> None:
        self.password_ciphertext = vault().encrypt({"password": password})


class FolderState(models.Model):
    """How far an IMAP folder has been read. A UIDVALIDITY change means the server renumbered
    the folder: start again from UID 0 (Message-ID deduplication makes that safe)."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folder_states")
    folder = models.CharField(max_length=200)
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "folder"], name="folder_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.folder} {self.uidvalidity}/{self.last_uid}"


class MaildirSeen(models.Model):
    """A Maildir message already taken (Maildir has no UIDs; its keys are stable)."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="maildir_seen")
    key = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "key"], name="maildir_seen_once")]

    def __str__(self) -> str:
        return self.key


class QuarantinedMail(models.Model):
    """A message we could not ingest, kept whole with the reason; an admin can retry it
    (after a fix) or dismiss it. Quarantine is what keeps one bad message from stalling
    its mailbox: the fetch moves past it, nothing is lost."""

    account = models.ForeignKey(
        SellerAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True)
    source = models.CharField(
        max_length=300, help_text="Where it came from (folder and UID, file)."
    )
    reason = models.TextField()
    raw = models.FileField(upload_to="quarantine/%Y/%m/")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.source}: {self.reason[:60]}"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.pk, "source": self.source, "reason": self.reason}
