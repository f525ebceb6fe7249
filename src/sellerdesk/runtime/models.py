from __future__ import annotations

from django.db import models


class Lease(models.Model):
    """A time-limited claim on a named piece of work ("account:3", "mailbox:7", "scheduler"):
    while it is held and unexpired no other worker takes it. Taken and renewed with a
    conditional UPDATE, so it works the same on SQLite and PostgreSQL and across hosts."""

    name = models.CharField(max_length=200, unique=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    acquired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class JobRun(models.Model):
    """One run of a periodic job, keyed by the minute it was scheduled for. The unique key
    makes a tick run at most once even if a scheduler hand-over enqueues it twice."""

    class Outcome(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        FAILED = "failed"

    job = models.CharField(max_length=100)
    tick = models.DateTimeField(help_text="The scheduled minute (UTC) this run belongs to.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    detail = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "tick"], name="jobrun_once_per_tick")]
        indexes = [models.Index(fields=["job", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} @ {self.tick:%Y-%m-%d %H:%M} {self.outcome}"
