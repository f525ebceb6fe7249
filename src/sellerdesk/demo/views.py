"""The demo's "Mail sent" page: what our replies looked like when they reached the (local)
relay, headers included, so a newcomer can see the threading headers and the addressee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sellerdesk.demo.mailflow import sent_mail_dir
from sellerdesk.mail.transport.maildir import read_new
from sellerdesk.team import access


@dataclass(frozen=True)
class SentRow:
    at: datetime | None
    headers: dict[str, str]
    text: str


@login_required
@require_GET
def sent_mail(request: HttpRequest) -> HttpResponse:
    senders = {a.sender_address for a in access.visible_accounts(request.user) if a.sender_address}
    if not senders:
        raise Http404("Nothing to show.")
    rows: list[SentRow] = []
    folder = sent_mail_dir()
    for mail in read_new(Path(folder)) if folder.exists() else []:
        parsed = message_from_bytes(mail.raw, policy=policy.default)
        sender = str(parsed.get("From", ""))
        if not any(address in sender for address in senders):
            continue
        body = parsed.get_body(preferencelist=("plain",))
        rows.append(
            SentRow(
                at=mail.delivered_at,
                headers={
                    name: str(parsed.get(name, ""))
                    for name in ("From", "To", "Subject", "Message-ID", "In-Reply-To", "References")
                },
                text=body.get_content() if body is not None else "",
            )
        )
    rows.sort(key=lambda row: row.at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return render(
        request, "demo/sent_mail.html", {"rows": rows, "role": access.role_of(request.user)}
    )
