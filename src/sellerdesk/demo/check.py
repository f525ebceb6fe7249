"""`sellerdesk demo --check`: start everything, run every periodic job once through the real
queue, sign in over HTTP and read the home page. CI runs it so the demo cannot rot."""

from __future__ import annotations

import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy

import httpx
from django.core.management import call_command

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.demo.seed import SignIn
from sellerdesk.mail.transport.smtpd import LocalSmtpServer
from sellerdesk.runtime.jobs import REGISTRY, enqueue_manual_run
from sellerdesk.runtime.models import JobRun
from sellerdesk.runtime.server import make_server
from sellerdesk.sla.metrics_format import percent
from sellerdesk.tickets.models import Outbox, Ticket

STARTUP_TIMEOUT = 30.0
JOB_TIMEOUT = 120.0


class CheckFailed(Exception):
    """One step of the demo check failed; the message names it."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(port: int) -> Iterator[str]:
    """The same server `sellerdesk run` starts (consumer included), in a thread."""
    server = make_server(host="127.0.0.1", port=port, run_consumer=True)
    thread = threading.Thread(target=server.run, name="demo-check-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise CheckFailed("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def run_periodic_jobs() -> list[str]:
    """Enqueue one run of every periodic job and wait for the consumer to record its end."""
    ticks = {name: enqueue_manual_run(job) for name, job in sorted(REGISTRY.items())}
    deadline = time.monotonic() + JOB_TIMEOUT
    lines = []
    for name, tick in ticks.items():
        while True:
            run = JobRun.objects.filter(job=name, tick=tick).first()
            if run is not None and run.outcome != JobRun.Outcome.RUNNING:
                break
            if time.monotonic() > deadline:
                raise CheckFailed(f"periodic job {name} did not finish in {JOB_TIMEOUT:g}s")
            time.sleep(0.1)
        if run.outcome != JobRun.Outcome.OK:
            raise CheckFailed(f"periodic job {name} failed: {run.detail}")
        lines.append(f"job {name}: {run.detail}")
    return lines


def sign_in(client: httpx.Client, who: SignIn) -> str:
    page = client.get("/auth/login/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or match is None:
        raise CheckFailed(f"the sign-in page answered {page.status_code} without a form")
    answer = client.post(
        "/auth/login/",
        data={"username": who.username, "password": who.password, "csrfmiddlewaretoken": match[1]},
        headers={"Referer": f"{client.base_url}/auth/login/"},
    )
    if answer.status_code != 302:
        raise CheckFailed(f"signing in as {who.username} answered {answer.status_code}")
    home = client.get("/")
    if home.status_code != 200:
        raise CheckFailed(f"the home page answered {home.status_code} for {who.username}")
    return home.text


def check_home_pages(base_url: str, sign_ins: list[SignIn]) -> list[str]:
    lines = []
    every = set(SellerAccount.objects.values_list("name", flat=True))
    for who in sign_ins:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            text = sign_in(client, who)
        shown = {name for name in every if name in text}
        expected = every if who.sees.startswith("every") else {who.sees, *who.also}
        if shown != expected:
            raise CheckFailed(
                f"{who.username}'s home page shows {sorted(shown)}, expected {sorted(expected)}"
            )
        lines.append(f"home page for {who.username}: {', '.join(sorted(shown))}")
    return lines


def check_health(base_url: str) -> str:
    answer = httpx.get(f"{base_url}/healthz", timeout=10)
    if answer.status_code != 200:
        raise CheckFailed(f"/healthz answered {answer.status_code}: {answer.text}")
    return "healthz: ok"


def check_orders_shown(base_url: str, who: SignIn) -> str:
    """The account page lists synced orders: the sync reached the pages."""
    account = SellerAccount.objects.get(name=who.sees)
    order = account.orders.order_by("-order_date").first()
    if order is None:
        raise CheckFailed(f"{account.name} has no orders after the sync")
    with httpx.Client(base_url=base_url, timeout=10) as client:
        sign_in(client, who)
        page = client.get(f"/accounts/{account.pk}/")
    if page.status_code != 200 or order.purchase_order_id not in page.text:
        raise CheckFailed(f"{account.name}'s page does not list its latest order")
    return (
        f"{account.name}: {account.orders.count()} orders, latest {order.purchase_order_id} shown"
    )


def check_reply_reaches_relay(base_url: str, who: SignIn, smtp: LocalSmtpServer) -> str:
    """Reply to a buyer ticket over HTTP, as an agent would, and wait for the demo relay
    (the local SMTP server) to receive it, addressed to the relay with threading headers."""
    ticket = (
        Ticket.objects.filter(account__name=who.sees, kind="buyer_walmart")
        .exclude(relay_address="")
        .order_by("pk")
        .first()
    )
    if ticket is None:
        raise CheckFailed(f"{who.sees} has no buyer ticket from the demo mail")
    parent = ticket.messages.filter(direction="in").exclude(message_id="").order_by("-pk").first()
    if parent is None:
        raise CheckFailed(f"ticket {ticket.pk} has no inbound message")
    with httpx.Client(base_url=base_url, timeout=10) as client:
        sign_in(client, who)
        page = client.get(f"/tickets/{ticket.pk}/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or token is None:
            raise CheckFailed(f"ticket page {ticket.pk} answered {page.status_code}")
        answer = client.post(
            f"/tickets/{ticket.pk}/reply",
            data={
                "text": "Thanks for writing; your order is on its way.",
                "csrfmiddlewaretoken": token[1],
            },
            headers={"Referer": f"{base_url}/tickets/{ticket.pk}/"},
        )
        if answer.status_code != 302:
            raise CheckFailed(f"replying answered {answer.status_code}")
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        for received in smtp.messages:
            mail = message_from_bytes(received.content, policy=policy.default)
            if str(mail.get("In-Reply-To", "")) == f"<{parent.message_id}>":
                if list(received.rcpt_tos) != [ticket.relay_address]:
                    raise CheckFailed(f"the reply went to {received.rcpt_tos}, not the relay")
                if f"<{parent.message_id}>" not in str(mail.get("References", "")):
                    raise CheckFailed("the reply lacks the References header")
                return f"reply on ticket {ticket.pk} reached the relay {ticket.relay_address}"
        time.sleep(0.2)
    raise CheckFailed("the reply never reached the demo SMTP server")


def check_deadlines_shown(base_url: str, who: SignIn) -> str:
    """The demo has a ticket past Walmart's 48 hours: the sweep marked it, the list shows it."""
    breached = Ticket.objects.filter(account__name=who.sees, sla_state="breached").first()
    if breached is None:
        raise CheckFailed(f"{who.sees} has no breached ticket after the deadline sweep")
    with httpx.Client(base_url=base_url, timeout=10) as client:
        sign_in(client, who)
        page = client.get("/tickets/")
    if page.status_code != 200 or 'class="sla-breached">breached' not in page.text:
        raise CheckFailed("the ticket list does not show the breached ticket as breached")
    return f"ticket {breached.pk} shows as breached; due {breached.due_at:%Y-%m-%d %H:%M} UTC"


def check_dashboard(base_url: str, who: SignIn) -> str:
    """The dashboard shows the same response rate `sellerdesk metrics --json` prints."""
    out = io.StringIO()
    call_command("metrics", "--days", "30", "--json", stdout=out)
    numbers = json.loads(out.getvalue())
    shown = percent(numbers["response_rate"])
    with httpx.Client(base_url=base_url, timeout=10) as client:
        sign_in(client, who)
        page = client.get("/dashboard/?days=30")
    if page.status_code != 200 or shown not in page.text:
        raise CheckFailed(f"the dashboard does not show the response rate {shown}")
    return f"dashboard: response rate {shown}, {numbers['breached']} breached (as `metrics` says)"


PROMOTION = "Visit our store at example-shop.com for 10% off"
TRACKING = "Your UPS tracking number is 1Z999AA10123456784"


def check_compliance_guard(base_url: str, who: SignIn) -> str:
    """The composer's live check blocks a promotion and passes a tracking number, and a
    blocked send queues nothing."""
    ticket = (
        Ticket.objects.filter(account__name=who.sees)
        .exclude(relay_address="")
        .order_by("-pk")
        .first()
    )
    if ticket is None:
        raise CheckFailed(f"{who.sees} has no ticket to reply to")
    queued_before = Outbox.objects.count()
    with httpx.Client(base_url=base_url, timeout=10) as client:
        sign_in(client, who)
        page = client.get(f"/tickets/{ticket.pk}/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise CheckFailed(f"ticket page {ticket.pk} has no form")
        headers = {"Referer": f"{base_url}/tickets/{ticket.pk}/"}
        for text, expected in ((PROMOTION, "Blocked"), (TRACKING, "No problems found")):
            answer = client.post(
                f"/tickets/{ticket.pk}/check",
                data={"text": text, "csrfmiddlewaretoken": token[1]},
                headers=headers,
            )
            if expected not in answer.text:
                raise CheckFailed(f"the composer's check of {text!r} did not say {expected!r}")
        refused = client.post(
            f"/tickets/{ticket.pk}/reply",
            data={"text": PROMOTION, "csrfmiddlewaretoken": token[1]},
            headers=headers,
        )
    if refused.status_code != 422 or Outbox.objects.count() != queued_before:
        raise CheckFailed("a reply with a promotion was not blocked")
    return "compliance guard: the promotion is blocked, the tracking number passes"


def run_check(sign_ins: list[SignIn], *, port: int, smtp: LocalSmtpServer) -> list[str]:
    # Imported here: check_workspace builds on this module (CheckFailed, JOB_TIMEOUT).
    from sellerdesk.demo.check_workspace import run_workspace_checks

    with running_server(port) as base_url:
        lines = [f"server on {base_url}"]
        lines += run_periodic_jobs()
        lines += check_home_pages(base_url, sign_ins)
        lines += [check_orders_shown(base_url, who) for who in sign_ins if who.role != "admin"]
        agent = next(who for who in sign_ins if who.role != "admin")
        lines.append(check_deadlines_shown(base_url, agent))
        lines.append(check_reply_reaches_relay(base_url, agent, smtp))
        lines.append(check_compliance_guard(base_url, agent))
        # The "Done when" of the workspace, order context and live collaboration issues.
        lines += run_workspace_checks(base_url, sign_ins)
        admin = next(who for who in sign_ins if who.role == "admin")
        lines.append(check_dashboard(base_url, admin))
        lines.append(check_health(base_url))
    return lines
