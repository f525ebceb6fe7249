"""`sellerdesk demo --check`, continued: the "Done when" of the workspace (issue 6), order
context (issue 7) and live collaboration (issue 9) issues, tried over real HTTP against the
running demo server exactly as a new user would click through them.

Every action goes through the pages: sign in, open the page, submit the form the page renders
(`pageforms`: its hidden fields as rendered, only what a user types or chooses changed). The
ORM is read only to choose the tickets to try and to verify what the actions did, never to act.

Each step works on tickets of its own (`taken`), so no step depends on what another changed;
tickets are chosen by state (open, awake, with an order...) and by the intent the demo's mail
gives them (mailgen.BUYER_TEMPLATES: one buyer ticket per intent and account), falling back to
any fitting ticket so a rerun on the same var dir still finds one.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
from django.db.models import F, Q, QuerySet

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.demo.check import JOB_TIMEOUT, CheckFailed
from sellerdesk.demo.pageforms import Form, forms_of
from sellerdesk.demo.seed import SignIn
from sellerdesk.lib.clock import system_clock
from sellerdesk.marketplaces.order_actions import refundable_amount
from sellerdesk.orders.models import Order, OrderLine
from sellerdesk.orders.queries import line_sort_key
from sellerdesk.snippets.render import buyer_date
from sellerdesk.team.models import Notification, Role
from sellerdesk.tickets.models import Draft, Outbox, Ticket, TicketEvent
from sellerdesk.tickets.queries import ACTIVE_STATUSES, PIN_WINDOW

INBOX = "/tickets/"
# Tickets whose deadline is this close to a segment's edge are not asserted on: the page and
# the check read the clock a moment apart.
EDGE = timedelta(minutes=2)
SHIPPED = ("Shipped", "Delivered")
# The root cause an agent picks when closing a ticket of this intent (the seeded taxonomy).
ROOT_CAUSE_FOR_INTENT = {
    "wrong_item": "wrong_item_sent",
    "damaged_item": "damaged_in_shipping",
    "not_as_described": "not_as_described",
    "missing_parts": "missing_parts",
    "pre_sale_question": "pre_sale_question",
}
_ROW = re.compile(r'<tr data-ticket="(\d+)" class="([^"]*)"')


class Browser:
    """One user's signed-in session: pages fetched and forms submitted as a browser would."""

    def __init__(self, base_url: str, who: SignIn) -> None:
        self.who = who
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, timeout=20)
        self.landing = ""
        self.landing_page = ""

    def sign_in(self) -> None:
        page = self.get("/auth/login/")
        form = self.form(page, action="/auth/login/")
        answer = self.submit(
            "/auth/login/", form, {"username": self.who.username, "password": self.who.password}
        )
        if answer.status_code != 302:
            raise CheckFailed(f"signing in as {self.who.username} answered {answer.status_code}")
        self.landing = answer.headers.get("location", "")
        self.landing_page = self.get(self.landing)

    def get(self, path: str, *, htmx: bool = False) -> str:
        answer = self.client.get(path, headers={"HX-Request": "true"} if htmx else {})
        if answer.status_code != 200:
            raise CheckFailed(f"{path} answered {answer.status_code} for {self.who.username}")
        return answer.text

    def form(self, page: str, *, form_id: str = "", action: str | None = None) -> Form:
        """The page's form with this id (or posting to this action; "" for the page itself)."""
        for form in forms_of(page):
            if (form_id and form.attrs.get("id") == form_id) or (
                not form_id and action is not None and form.action == action
            ):
                return form
        raise CheckFailed(f"the page has no form {form_id or action!r} for {self.who.username}")

    def submit(
        self,
        page_path: str,
        form: Form,
        changes: dict[str, str] | None = None,
        button: tuple[str, str] | None = None,
    ) -> httpx.Response:
        """Post `form` from the page at `page_path` with what the user changed and clicked."""
        target = form.action or page_path
        sent: dict[str, list[str]] = {}
        for name, value in form.data(changes, button):
            sent.setdefault(name, []).append(value)
        return self.client.post(
            target, data=sent, headers={"Referer": f"{self.base_url}{page_path}"}
        )


@contextmanager
def signed_in(base_url: str, who: SignIn) -> Iterator[Browser]:
    browser = Browser(base_url, who)
    try:
        browser.sign_in()
        yield browser
    finally:
        browser.client.close()


def _redirect(answer: httpx.Response, what: str) -> str:
    if answer.status_code != 302:
        raise CheckFailed(f"{what} answered {answer.status_code}, not a redirect")
    return answer.headers.get("location", "")


def _section(page: str, css_class: str) -> str:
    match = re.search(rf'<section [^>]*class="{css_class}".*?</section>', page, re.S)
    return match[0] if match else ""


def _rows(page: str) -> dict[int, str]:
    """The inbox's rows: ticket id -> the row's mark ("pinned", "breached" or "")."""
    return {int(pk): mark for pk, mark in _ROW.findall(page)}


def _awake(account: SellerAccount) -> QuerySet[Ticket]:
    """The account's tickets the default inbox lists: open, not merged, not snoozed."""
    now = system_clock.now()
    return Ticket.objects.filter(
        account=account, merged_into__isnull=True, status__in=ACTIVE_STATUSES
    ).filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))


def _pick(candidates: QuerySet[Ticket], taken: set[int], intent: str, what: str) -> Ticket:
    """A ticket for one step, none used by another: of `intent` if one fits, else one whose
    deadline is not close (the pinned and breached ones are what the triage and deadline
    checks look at), else any."""
    rows = list(
        candidates.exclude(pk__in=taken)
        .exclude(relay_address="")
        .select_related("account", "order", "customer")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )
    if not rows:
        raise CheckFailed(f"the demo has no ticket left to {what}")
    soon = system_clock.now() + PIN_WINDOW + EDGE
    calm = [t for t in rows if t.due_at is None or t.due_at > soon]
    ticket = next((t for t in rows if t.intent == intent), None) or (calm or rows)[0]
    taken.add(ticket.pk)
    return ticket


def shared_agents(sign_ins: list[SignIn]) -> tuple[SignIn, SignIn]:
    """Two demo agents who work the same account, the one whose own account it is first."""
    agents = [who for who in sign_ins if who.role == Role.AGENT]
    for first in agents:
        for second in agents:
            if second is not first and first.sees in (second.sees, *second.also):
                return first, second
    raise CheckFailed("the demo has no two agents sharing an account")


# --- issue 6: the workspace ------------------------------------------------------------------


def _triage(browser: Browser, account: SellerAccount) -> str:
    """Signing in lands on the inbox, with tickets under 2 hours pinned on top and marked,
    then the breached ones marked."""
    if browser.landing != INBOX:
        raise CheckFailed(
            f"signing in as {browser.who.username} led to {browser.landing!r}, not the inbox"
        )
    rows = _rows(browser.landing_page)
    if not rows:
        raise CheckFailed("the inbox lists no ticket after sign-in")
    now = system_clock.now()
    dated = _awake(account)
    pinned = set(
        dated.filter(due_at__gt=now + EDGE, due_at__lte=now + PIN_WINDOW - EDGE).values_list(
            "pk", flat=True
        )
    )
    breached = set(dated.filter(due_at__lte=now - EDGE).values_list("pk", flat=True))
    if not pinned or not breached:
        # The demo's mail makes both, relative to when it was first delivered.
        raise CheckFailed(
            f"{account.name} has {len(pinned)} tickets under 2 hours and {len(breached)} past "
            "their deadline; the fresh demo has both (is this var dir hours old?)"
        )
    for expected, mark in ((pinned, "pinned"), (breached, "breached")):
        for pk in sorted(expected):
            if rows.get(pk) != mark:
                raise CheckFailed(
                    f"inbox row of #{pk} is marked {rows.get(pk)!r}, expected {mark!r}"
                )
    rank = {"pinned": 0, "breached": 1}
    marks = [rank.get(mark, 2) for mark in rows.values()]
    if marks != sorted(marks):
        raise CheckFailed("the inbox does not list pinned, then breached tickets first")
    return (
        f"{browser.who.username} lands on {INBOX}: {len(rows)} tickets, "
        f"{len(pinned)} pinned on top, {len(breached)} breached"
    )


def _note_with_mention(
    browser: Browser, teammate: SignIn, account: SellerAccount, taken: set[int]
) -> str:
    ticket = _pick(_awake(account), taken, "missing_parts", "write a note on")
    path = f"/tickets/{ticket.pk}/"
    text = (
        f"@{teammate.username} could you check with the warehouse whether the missing parts "
        "are in stock? We can send them on their own."
    )
    answer = browser.submit(
        path, browser.form(browser.get(path), form_id="note-form"), {"note": text}
    )
    where = _redirect(answer, f"adding a note on #{ticket.pk}")
    note = re.fullmatch(rf"/tickets/{ticket.pk}/#note-(\d+)", where)
    if note is None:
        raise CheckFailed(f"adding a note on #{ticket.pk} led to {where!r}")
    link = f"/tickets/{ticket.pk}/#note-{note[1]}"
    unread = Notification.objects.filter(
        user__username=teammate.username, kind="mention", read_at__isnull=True, link=link
    )
    if not unread.exists():
        raise CheckFailed(f"@{teammate.username} has no unread mention for the note {link}")
    with signed_in(browser.base_url, teammate) as other:
        if f'href="{link}"' not in other.get("/notifications/"):
            raise CheckFailed(f"{teammate.username}'s notifications do not list the note {link}")
    return f"note on #{ticket.pk} mentions @{teammate.username} (unread in the bell)"


def _snooze(browser: Browser, account: SellerAccount, taken: set[int]) -> str:
    # Deadline far off (or none): a deadline at risk wakes a snoozed ticket, and must not
    # while the check looks.
    later = system_clock.now() + PIN_WINDOW + timedelta(hours=1)
    candidates = _awake(account).filter(Q(due_at__isnull=True) | Q(due_at__gt=later))
    ticket = _pick(candidates, taken, "not_as_described", "snooze")
    if ticket.pk not in _rows(browser.get(INBOX)):
        raise CheckFailed(f"#{ticket.pk} is not in the inbox before it is snoozed")
    path = f"/tickets/{ticket.pk}/"
    form = browser.form(browser.get(path), form_id="snooze-form")
    answer = browser.submit(path, form, button=("preset", "tomorrow"))
    _redirect(answer, f"snoozing #{ticket.pk}")
    ticket.refresh_from_db()
    if ticket.snoozed_until is None or ticket.snoozed_until <= system_clock.now():
        raise CheckFailed(f"#{ticket.pk} is not snoozed after the snooze form")
    if ticket.pk in _rows(browser.get(INBOX)):
        raise CheckFailed(f"snoozed #{ticket.pk} is still in the default inbox view")
    if ticket.pk not in _rows(browser.get(f"{INBOX}?view=snoozed")):
        raise CheckFailed(f"snoozed #{ticket.pk} is not in the Snoozed view")
    until = ticket.snoozed_until.astimezone(ZoneInfo(account.time_zone))
    return f"#{ticket.pk} snoozed to {until:%a %H:%M} (in the Snoozed view only)"


def _state(ticket: Ticket) -> dict[str, object]:
    """What merging and undoing must give back: the conversation and the ticket's standing."""
    ticket.refresh_from_db()
    return {
        "status": ticket.status,
        "merged_into": ticket.merged_into_id,
        "closed_at": ticket.closed_at,
        "messages": sorted(ticket.messages.values_list("pk", flat=True)),
        "notes": sorted(ticket.notes.values_list("pk", flat=True)),
    }


def _merge_and_undo(browser: Browser, account: SellerAccount, taken: set[int]) -> str:
    # The pair seed_workspace opens: a second ticket from the first buyer ticket's buyer,
    # opened by the message with this Message-ID.
    slug = account.name.lower().replace(" ", "-")
    source = Ticket.objects.filter(
        account=account, messages__message_id=f"demo.{slug}.same-buyer@relay.walmart.com"
    ).first()
    if source is None or source.merged_into_id is not None:
        raise CheckFailed(f"the demo's ticket to merge in {account.name} is missing or merged")
    survivor = (
        _awake(account)
        .filter(relay_address=source.relay_address)
        .exclude(pk=source.pk)
        .order_by("pk")
        .first()
    )
    if survivor is None:
        raise CheckFailed(f"#{source.pk} has no open ticket of the same buyer to merge into")
    taken.update({source.pk, survivor.pk})
    path = f"/tickets/{source.pk}/"
    form = browser.form(browser.get(path), form_id="merge-form")
    if str(survivor.pk) not in form.options.get("into", []):
        raise CheckFailed(f"#{source.pk}'s merge form does not offer #{survivor.pk}")
    before = (_state(source), _state(survivor))
    answer = browser.submit(path, form, {"into": str(survivor.pk)})
    _redirect(answer, f"merging #{source.pk} into #{survivor.pk}")
    merged = _state(source)
    if merged["merged_into"] != survivor.pk or merged["messages"]:
        raise CheckFailed(f"#{source.pk} was not merged into #{survivor.pk}")
    event = TicketEvent.objects.filter(ticket=survivor, kind="merged").order_by("-pk").first()
    if event is None or event.data.get("source") != source.pk:
        raise CheckFailed(f"#{survivor.pk}'s history has no merge of #{source.pk}")
    here = f"/tickets/{survivor.pk}/"
    undo = browser.form(browser.get(here), action=f"{here}history/{event.pk}/undo")
    _redirect(browser.submit(here, undo), f"undoing the merge of #{source.pk}")
    changed = [
        f"#{ticket.pk}'s {key} is {now[key]!r}, was {was[key]!r}"
        for ticket, was in zip((source, survivor), before, strict=True)
        for now in [_state(ticket)]
        for key in was
        if now[key] != was[key]
    ]
    if changed:
        raise CheckFailed("undoing the merge left " + "; ".join(changed))
    return f"#{source.pk} merged into #{survivor.pk}, undone from the history (both as before)"


def _close(browser: Browser, account: SellerAccount, taken: set[int]) -> str:
    ticket = _pick(_awake(account), taken, "wrong_item", "close")
    cause = ROOT_CAUSE_FOR_INTENT.get(ticket.intent, "other")
    path = f"/tickets/{ticket.pk}/"
    form = browser.form(browser.get(path), form_id="status-form")
    if cause not in form.options.get("root_cause", []):
        raise CheckFailed(f"#{ticket.pk}'s status form offers no root cause {cause!r}")
    answer = browser.submit(path, form, {"status": Ticket.Status.CLOSED, "root_cause": cause})
    _redirect(answer, f"closing #{ticket.pk}")
    ticket.refresh_from_db()
    if ticket.status != Ticket.Status.CLOSED or ticket.root_cause != cause:
        raise CheckFailed(
            f"#{ticket.pk} is {ticket.status} with root cause {ticket.root_cause!r} after "
            f"closing it with {cause!r}"
        )
    return f"#{ticket.pk} closed with root cause {cause}"


def check_workspace(base_url: str, agent: SignIn, teammate: SignIn, taken: set[int]) -> str:
    """Issue 6: sign in, triage, add a note with a mention, snooze one, merge two (and undo),
    close one with a root cause."""
    account = SellerAccount.objects.get(name=agent.sees)
    with signed_in(base_url, agent) as browser:
        done = [
            _triage(browser, account),
            _note_with_mention(browser, teammate, account, taken),
            _snooze(browser, account, taken),
            _merge_and_undo(browser, account, taken),
            _close(browser, account, taken),
        ]
    return "workspace (issue 6): " + "; ".join(done)


# --- issue 7: order context, snippets, refund, search ----------------------------------------


def _refundable(order: Order) -> OrderLine | None:
    lines = sorted(order.lines.all(), key=lambda line: line_sort_key(line.line_number))
    return next(
        (ln for ln in lines if ln.status in SHIPPED and refundable_amount(ln) > 0),
        None,
    )


def _panels(browser: Browser, ticket: Ticket, line: OrderLine) -> str:
    page = browser.get(f"/tickets/{ticket.pk}/")
    order = ticket.order
    assert order is not None
    panel = _section(page, "order-panel")
    if f"Order {order.purchase_order_id}" not in panel:
        raise CheckFailed(f"#{ticket.pk}'s order panel does not show {order.purchase_order_id}")
    if html.escape(line.product_name) not in panel:
        raise CheckFailed(f"#{ticket.pk}'s order panel does not show {line.product_name!r}")
    name = (ticket.customer.name if ticket.customer else "") or order.shipping_name
    buyer = _section(page, "buyer-panel")
    if f"Buyer {html.escape(name)}" not in buyer:
        raise CheckFailed(f"#{ticket.pk}'s buyer panel does not show the buyer {name!r}")
    return page


def _refund(browser: Browser, ticket: Ticket, line: OrderLine) -> str:
    page = _panels(browser, ticket, line)
    link = f"/tickets/{ticket.pk}/order/refund?line={quote(line.line_number)}"
    if f'href="{html.escape(link)}"' not in _section(page, "order-panel"):
        raise CheckFailed(f"#{ticket.pk}'s order panel offers no refund of line {line.line_number}")
    owed = refundable_amount(line)
    form = browser.form(browser.get(link), action="")
    review = browser.submit(link, form, {"mode": "full"})
    if review.status_code != 200 or "Confirm" not in review.text:
        raise CheckFailed(f"the refund review of #{ticket.pk} answered {review.status_code}")
    confirm = browser.form(review.text, action="")
    done = browser.submit(link, confirm, button=("confirm", "1"))
    where = _redirect(done, f"confirming the refund on #{ticket.pk}")
    if where != f"/tickets/{ticket.pk}/#order-panel":
        raise CheckFailed(f"confirming the refund led to {where!r}")
    event = ticket.events.filter(kind="order_line_refunded").order_by("-pk").first()
    if event is None or event.data.get("line") != line.line_number:
        raise CheckFailed(f"#{ticket.pk}'s history has no refund of line {line.line_number}")
    if event.data.get("refreshed") is not True:
        raise CheckFailed("the order was not re-read from Walmart after the refund")
    line.refresh_from_db()
    if line.refunded_amount < owed:
        raise CheckFailed(
            f"Walmart's order shows {line.refunded_amount} refunded on line "
            f"{line.line_number}, not the {owed} confirmed"
        )
    if "event-order_line_refunded" not in browser.get(f"/tickets/{ticket.pk}/"):
        raise CheckFailed(f"#{ticket.pk}'s page shows no refund in its history")
    return (
        f"#{ticket.pk} shows order {line.order.purchase_order_id} and its buyer; line "
        f"{line.line_number} refunded {owed} {line.order.currency} (form, review, confirm; "
        f"Walmart's order now says {line.refunded_amount})"
    )


def _snippet(browser: Browser, account: SellerAccount, taken: set[int]) -> str:
    candidates = _awake(account).filter(
        intent="where_is_my_order",
        order__estimated_delivery_date__isnull=False,
        order__lines__status__in=SHIPPED,
    )
    ticket = _pick(candidates.distinct(), taken, "where_is_my_order", "answer with a snippet")
    order = ticket.order
    assert order is not None
    lines = sorted(order.lines.all(), key=lambda line: line_sort_key(line.line_number))
    carriers = list(
        dict.fromkeys(ln.carrier for ln in lines if ln.status in SHIPPED and ln.carrier)
    )
    zone = account.time_zone
    today = system_clock.now().astimezone(ZoneInfo(zone)).date()
    date = buyer_date(order.estimated_delivery_date, zone, today)
    picker = browser.get(f"/tickets/{ticket.pk}/snippets/", htmx=True)
    texts = [html.unescape(text) for text in re.findall(r'data-text="([^"]*)"', picker)]
    fitting = [t for t in texts if date in t and all(carrier in t for carrier in carriers)]
    if not carriers or not fitting:
        raise CheckFailed(
            f"no snippet for #{ticket.pk} fills in the carrier {' and '.join(carriers)!r} "
            f"and the estimated delivery {date!r} ({len(texts)} snippets offered)"
        )
    return f"a snippet on #{ticket.pk} says {' and '.join(carriers)}, {date}"


def _search(browser: Browser, account: SellerAccount, taken: set[int]) -> str:
    ticket = _pick(_awake(account).filter(order__isnull=False), taken, "refund_status", "find")
    assert ticket.order is not None
    number = ticket.order.purchase_order_id
    found = _section(browser.get(f"/search/?q={quote(number)}"), "search-exact")
    if f'href="/tickets/{ticket.pk}/"' not in found:
        raise CheckFailed(f"searching order {number} does not find #{ticket.pk}")
    return f"searching {number} finds #{ticket.pk}"


def check_order_context(base_url: str, agent: SignIn, taken: set[int]) -> str:
    """Issue 7: open a ticket, see its order and buyer, answer with a snippet that fills in
    the carrier and date, refund a damaged item, find another ticket by its order number."""
    account = SellerAccount.objects.get(name=agent.sees)
    candidates = _awake(account).filter(order__isnull=False)
    # Walmart refunds WFS orders itself: the panel offers no refund there.
    fitting = [
        t.pk
        for t in candidates.select_related("order")
        if t.order and not t.order.is_wfs and _refundable(t.order) is not None
    ]
    ticket = _pick(candidates.filter(pk__in=fitting), taken, "damaged_item", "refund")
    assert ticket.order is not None
    line = _refundable(ticket.order)
    assert line is not None
    with signed_in(base_url, agent) as browser:
        done = [
            _refund(browser, ticket, line),
            _snippet(browser, account, taken),
            _search(browser, account, taken),
        ]
    return "order context (issue 7): " + "; ".join(done)


# --- issue 9: the reply guard ----------------------------------------------------------------

FIRST_REPLY = "Hello, thank you for your message. We are looking into your request now."
LATE_REPLY = "Hi, thanks for writing. We are checking this for you and will write again."


def check_reply_guard(base_url: str, first: SignIn, second: SignIn, taken: set[int]) -> str:
    """Issue 9: two agents open the same ticket; the second to send, from a page that no
    longer shows the conversation, is held, never sent."""
    account = SellerAccount.objects.get(name=first.sees)
    ticket = _pick(_awake(account), taken, "address_change", "reply to from two windows")
    path = f"/tickets/{ticket.pk}/"
    with signed_in(base_url, first) as late, signed_in(base_url, second) as early:
        stale = late.form(late.get(path), form_id="reply-form")
        seen = stale.value("version")
        ticket.refresh_from_db()
        if seen != str(ticket.version):
            raise CheckFailed(
                f"#{ticket.pk}'s reply form carries version {seen!r}, not {ticket.version}"
            )
        before = set(Outbox.objects.filter(message__ticket=ticket).values_list("pk", flat=True))
        fresh = early.form(early.get(path), form_id="reply-form")
        if fresh.value("version") != seen:
            raise CheckFailed(f"the two agents' pages of #{ticket.pk} show different versions")
        where = _redirect(early.submit(path, fresh, {"text": FIRST_REPLY}), "the first reply")
        if "held=" in where:
            raise CheckFailed(f"{second.username}'s reply on #{ticket.pk} was held")
        where = _redirect(late.submit(path, stale, {"text": LATE_REPLY}), "the stale reply")
        if "held=reply" not in where:
            raise CheckFailed(f"{first.username}'s stale reply led to {where!r}, not held")
        held = _section(late.get(where), "held")
        if html.escape(LATE_REPLY) not in held or html.escape(FIRST_REPLY) not in held:
            raise CheckFailed("the held reply's page does not show it beside what is new")
    queued = Outbox.objects.filter(message__ticket=ticket).exclude(pk__in=before)
    authors = list(queued.values_list("message__author__username", "message__text"))
    if authors != [(second.username, FIRST_REPLY)]:
        raise CheckFailed(
            f"#{ticket.pk} queued {authors} instead of one reply by {second.username}"
        )
    draft = Draft.objects.filter(
        ticket=ticket, author__username=first.username, kind=Draft.Kind.REPLY
    ).first()
    if draft is None or not draft.held_reason or draft.text != LATE_REPLY:
        raise CheckFailed(f"{first.username} has no held draft of the stale reply")
    deadline = time.monotonic() + JOB_TIMEOUT
    outbox = queued.get()
    while outbox.state != Outbox.State.SENT:
        if time.monotonic() > deadline or outbox.state in (
            Outbox.State.FAILED,
            Outbox.State.UNCERTAIN,
        ):
            raise CheckFailed(f"{second.username}'s reply is {outbox.state}, never sent")
        time.sleep(0.2)
        outbox.refresh_from_db()
    return (
        f"reply guard (issue 9): {second.username} and {first.username} open #{ticket.pk} at "
        f"version {seen}; {second.username}'s reply is sent, {first.username}'s is held as a "
        "draft (one message to the buyer)"
    )


def run_workspace_checks(base_url: str, sign_ins: list[SignIn]) -> list[str]:
    first, second = shared_agents(sign_ins)
    taken: set[int] = set()
    return [
        check_workspace(base_url, first, second, taken),
        check_order_context(base_url, first, taken),
        check_reply_guard(base_url, first, second, taken),
    ]
