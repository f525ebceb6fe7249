"""The ticket page (the inbox is in `inbox.py`). Function views returning whole pages; every
query goes through `tickets.access`, so a ticket of another account is a 404."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from sellerdesk.compliance.rules import Verdict
from sellerdesk.lib.clock import system_clock
from sellerdesk.mail.classify import Intent
from sellerdesk.mail.tasks import send_now
from sellerdesk.orders.models import Order
from sellerdesk.realtime import views as live
from sellerdesk.team import access as team_access
from sellerdesk.team.access import acting
from sellerdesk.tickets import actions
from sellerdesk.tickets.access import get_ticket_for_user
from sellerdesk.tickets.guard import check_reply
from sellerdesk.tickets.models import Attachment, Message, Outbox, Ticket
from sellerdesk.workspace import ticket_context
from sellerdesk.workspace.panels import panel_context

# Mail HTML is shown only inside a sandboxed frame: no scripts, no same-origin access, no
# forms. The page itself runs only our own script files (htmx, the live bell) and never an
# inline script, so even a sanitizer miss in a buyer's HTML cannot run code here.
# img-src allows https: for the order panel's product images, which come from the
# marketplace's order API (Walmart's image CDN), never from a buyer: buyer HTML stays in the
# frame under its own policy, and everything a buyer wrote is escaped on this page, so no
# buyer can place an image (a tracking pixel) here.
TICKET_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data: https:; "
    "style-src 'self' 'unsafe-inline'; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@login_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    return ticket_page(request, ticket)


def ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    draft: str = "",
    verdict: Verdict | None = None,
    status: int = 200,
    keep: dict[str, str] | None = None,
) -> HttpResponse:
    """The ticket page; after a refused reply it comes back with the draft and the guard's
    findings, and after any other refused form with what was typed in it (`keep`: field
    name -> value), so nothing the agent typed is lost."""
    role = team_access.role_of(request.user)
    zone = ZoneInfo(ticket.account.time_zone)
    response = render(
        request,
        "workspace/ticket_detail.html",
        {
            "ticket": ticket,
            "timeline": ticket_context.timeline(ticket),
            "history": ticket_context.history(ticket, zone),
            "choices": ticket_context.panel_choices(request.user, ticket),
            "snooze_presets": ticket_context.SNOOZE_PRESETS,
            "account_zone": zone.key,
            "snoozed": ticket.snoozed_until is not None
            and ticket.snoozed_until > system_clock.now(),
            "closing_statuses": sorted(actions.CLOSING_STATUSES),
            "max_attachment_mb": actions.MAX_REPLY_ATTACHMENT_BYTES // (1024 * 1024),
            "inquiries": ticket.inquiries.order_by("received_at"),
            "intents": [i.value for i in Intent],
            "statuses": Ticket.Status.choices,
            "role": role,
            "may_work": ticket_context.may_work(role),
            "show_images": request.GET.get("images") == "1",
            "draft": draft,
            "keep": keep or {},
            "guard": guard_context(draft, verdict) if verdict else None,
            "may_override": acting(request).has_perm("tickets.override_compliance"),
            **panel_context(ticket, acting(request)),
        },
        status=status,
    )
    response["Content-Security-Policy"] = TICKET_PAGE_CSP
    return response


def guard_context(text: str, verdict: Verdict) -> dict[str, object]:
    """The draft cut into plain and flagged pieces (longest-first, no overlaps), for
    highlighting, with the findings to list."""
    pieces: list[tuple[str, str | None]] = []
    cursor = 0
    for found in sorted(
        (f for f in verdict.findings if not f.in_subject and 0 <= f.start < f.end <= len(text)),
        key=lambda f: (f.start, -f.end),
    ):
        if found.start < cursor:
            continue
        pieces.append((text[cursor : found.start], None))
        pieces.append((text[found.start : found.end], str(found.severity)))
        cursor = found.end
    pieces.append((text[cursor:], None))
    return {"verdict": verdict.verdict, "findings": verdict.findings, "pieces": pieces}


@login_required
@require_POST
def check_draft(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The guard's findings on a draft, as the agent types (an htmx fragment)."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    text = request.POST.get("text", "")
    verdict = check_reply(ticket, text) if text.strip() else None
    return render(
        request,
        "workspace/_guard.html",
        {"guard": guard_context(text, verdict) if verdict else None},
    )


@login_required
@require_GET
def message_html(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """The sanitized HTML of one message, for the sandboxed frame, under its own strict CSP:
    remote images load only when the agent asked for them."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    message = get_object_or_404(Message, pk=message_id, ticket=ticket)
    html = message.html
    remote = request.GET.get("images") == "1"
    if remote:
        html = html.replace("data-remote-src=", "src=")
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'unsafe-inline'; img-src {'https: http:' if remote else 'data:'}; sandbox"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, ticket_id: int, attachment_id: int) -> FileResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, message__ticket=ticket)
    # Always a download of opaque bytes: a file from a buyer must never render as a page of
    # our origin (an .html or .svg attachment would otherwise run in our session).
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename
    )
    response["Content-Type"] = "application/octet-stream"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    text = request.POST.get("text", "")
    attached = bool(request.FILES.getlist("files"))
    # A browser cannot refill a file field: a refused reply keeps its text, and says so.
    refill = " Your files were not kept: attach them again." if attached else ""
    try:
        files = ticket_context.uploaded_files(request)
        seen = live.posted_version(request)
        with transaction.atomic():
            # The reply guard: sent only if the conversation is still the `version` the
            # agent's page showed; otherwise held as their draft (realtime issue).
            outcome = actions.send_reply(
                ticket,
                author=acting(request),
                text=text,
                seen_version=ticket.version if seen is None else seen,
                override_reason=request.POST.get("override_reason", ""),
                attachments=files,
            )
            if outcome.message is not None:
                transaction.on_commit(send_now)
    except actions.ComplianceBlocked as blocked:
        flash.error(request, str(blocked) + refill)
        return ticket_page(request, ticket, draft=text, verdict=blocked.verdict, status=422)
    except actions.ActionError as error:
        flash.error(request, str(error) + refill)
        if text.strip():  # the page again with the text in the composer; else nothing to keep
            return ticket_page(request, ticket, draft=text, status=422)
    else:
        if outcome.stale is not None:
            flash.warning(
                request,
                f"Not sent: {outcome.stale} Your reply is kept: read what is new, then send "
                f"it anyway or discard it.{refill}",
            )
            return live.held_redirect(request, ticket.pk, "reply")
        flash.success(request, "Reply queued; it goes out through the marketplace relay.")
    return redirect("ticket_detail", ticket_id=ticket.pk)


@login_required
@require_POST
def update(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Status (with the root cause when it ends the ticket), intent and the linked order,
    from the side panel."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    ticket_context.require_worker(request)
    seen = live.posted_version(request)
    try:
        # One transaction: a refused part (an unknown intent, an unknown order, no root
        # cause) leaves the whole form unapplied rather than half of it.
        with transaction.atomic():
            if seen is not None:
                # Posted from a view older than the conversation (a buyer wrote, a teammate
                # replied): held, nothing applied. A conditional UPDATE, first in the
                # transaction, so a reply committing at the same moment is seen too.
                actions.confirm_version(ticket, seen)
            apply_update(ticket, request.POST, acting(request))
    except actions.StaleView as stale:
        flash.warning(
            request,
            f"Not saved: {stale} Read what is new, then apply your change anyway or keep "
            "the ticket as it is.",
        )
        return live.held_redirect(request, ticket.pk, "status", live.HELD_STATUS_FIELDS)
    except actions.ActionError as error:
        flash.error(request, str(error))
        ticket.refresh_from_db()
        # Nothing applied; the page shows the choices as they were posted, to fix and resend.
        fields = ("status", "root_cause", "intent", "order_number")
        keep = {name: request.POST[name] for name in fields if name in request.POST}
        return ticket_page(request, ticket, keep=keep, status=422)
    return redirect("ticket_detail", ticket_id=ticket.pk)


def apply_update(ticket: Ticket, form: QueryDict, user: User) -> None:
    status, intent = form.get("status"), form.get("intent")
    if intent is not None and intent not in {i.value for i in Intent}:
        raise actions.ActionError(f"Unknown intent {intent!r}.")
    cause = (form.get("root_cause") or "").strip()
    if status in actions.CLOSING_STATUSES:
        # Solved and closed both need a root cause (`close` refuses without one); an ended
        # ticket posted unchanged without one keeps the one it has.
        if status != ticket.status or (cause and cause != ticket.root_cause):
            actions.close(ticket, cause, actor=user, status=status)
    elif status is not None:
        actions.set_status(ticket, status, actor=user)
    if intent is not None:
        actions.set_intent(ticket, intent, actor=user)
    if "order_number" in form:
        number = (form.get("order_number") or "").strip()
        order = None
        if number:
            order = (
                Order.objects.filter(account=ticket.account, purchase_order_id=number).first()
                or Order.objects.filter(account=ticket.account, customer_order_id=number).first()
            )
            if order is None:
                raise actions.ActionError(f"No order {number} in {ticket.account.name}.")
        if order != ticket.order:
            actions.link_order(ticket, order, actor=user)


@login_required
@require_POST
def no_response_needed(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Amazon's "no response needed": closes the inquiry on Amazon; recorded but not
    honoured on Walmart, whose rules count every inquiry."""
    ticket = get_ticket_for_user(request.user, ticket_id)
    actions.mark_no_response_needed(ticket, actor=acting(request))
    return redirect("ticket_detail", ticket_id=ticket.pk)


@login_required
@require_POST
def resend(request: HttpRequest, ticket_id: int, outbox_id: int) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, ticket_id)
    outbox = get_object_or_404(Outbox, pk=outbox_id, message__ticket=ticket)
    try:
        actions.retry_delivery(outbox, actor=acting(request))
        transaction.on_commit(send_now)
    except actions.ActionError as error:
        flash.error(request, str(error))
    return redirect("ticket_detail", ticket_id=ticket.pk)
