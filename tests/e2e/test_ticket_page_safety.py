"""No script from message content runs: a buyer mail carrying script in its subject, sender
name, text body, HTML body and attachment name is shown as text on the inbox and the ticket
page, and its HTML stays inert inside the sandboxed frame, even HTML the sanitizer missed.

Every payload would mark the page (`window.__pwned` and a `data-pwned` attribute on <html>,
which a sandboxed frame's own document would carry too), so "nothing ran" is checked on the
pages and inside every frame, after the frames have loaded and shown their text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Frame, Page, expect

from sellerdesk.team.models import Role
from sellerdesk.tickets.models import Attachment, Message, Ticket
from tests.e2e.mail import buyer_mail, deliver, seller_account
from tests.factories import make_member

pytestmark = pytest.mark.e2e

JS = "window.__pwned=1;document.documentElement.dataset.pwned=1"
SUBJECT = f"Tent <script>{JS}</script>"
SENDER_NAME = f'Jane <img src=x onerror="{JS}">'
TEXT = (
    f"My tent arrived torn. <script>{JS}</script>\n"
    f'<img src=x onerror="{JS}"> <a href="javascript:{JS}">track my order</a>'
)
HTML = (
    "<p>Hello from the formatted part.</p>"
    f"<script>{JS}</script>"
    f'<img src=x onerror="{JS}"><svg onload="{JS}"></svg>'
    f'<a href="javascript:{JS}">open the formatted link</a>'
    f'<iframe srcdoc="<script>parent.{JS}</script>"></iframe>'
)
FILENAME = f'<img src=x onerror="{JS}">.jpg'
# What a sanitizer bug would let through: stored as is, so only the frame's sandbox and its
# Content-Security-Policy stand between it and the agent's session.
UNSANITIZED = (
    "<p>Unsanitized formatted part.</p>"
    f"<script>{JS}</script>"
    f'<img src=x onerror="{JS}"><body onload="{JS}">'
    f'<a href="javascript:{JS}">the unsanitized link</a>'
)


def nothing_ran(page: Page) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("() => window.__pwned === undefined")
    frames: list[Frame] = page.frames
    for frame in frames:
        assert frame.locator("html[data-pwned]").count() == 0, frame.url
    assert page.locator("a[href^='javascript:' i]").count() == 0


@pytest.fixture
def hostile_ticket() -> Ticket:
    account = seller_account()
    raw = buyer_mail(
        "hostile-1@relay.walmart.com",
        subject=SUBJECT,
        sender_name=SENDER_NAME,
        text=TEXT,
        html=HTML,
        attachments=((FILENAME, b"\xff\xd8\xff not really a picture"),),
    )
    ticket = deliver(raw, account)
    # What a sanitizer miss would store: the message's HTML as raw hostile markup, and an
    # attachment whose name kept its markup (the mail parser tidies names; other ways in,
    # such as an agent's upload, might not), so the page's own escaping is what is tested.
    message = ticket.messages.get()
    Message.objects.filter(pk=message.pk).update(html=HTML + UNSANITIZED)
    Attachment.objects.create(
        message=message,
        filename=FILENAME,
        content_type="image/jpeg",
        size=4,
        file=ContentFile(b"\xff\xd8\xff\xe0", name="photo.jpg"),
    )
    return ticket


@pytest.fixture
def agent(hostile_ticket: Ticket) -> object:
    return make_member("alice", Role.AGENT, [hostile_ticket.account])


def test_the_inbox_shows_script_in_a_subject_as_text_and_runs_nothing(
    hostile_ticket: Ticket,
    agent: object,
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    page = sign_in(agent)
    page.goto("/tickets/")

    row_link = page.get_by_role("link", name=re.compile(r"^Tent <script>"))
    expect(row_link.first).to_be_visible()
    # The buyer's name and the first line of the message, as text (perhaps shortened).
    expect(page.get_by_text("Jane <img src=x").first).to_be_visible()
    expect(page.get_by_text("My tent arrived torn. <script>").first).to_be_visible()
    nothing_ran(page)
    save_screenshot(page, "inbox-hostile-mail")


def test_the_ticket_page_shows_every_hostile_field_as_text_and_runs_nothing(
    hostile_ticket: Ticket,
    agent: object,
    sign_in: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    tidied = Attachment.objects.exclude(filename=FILENAME).get(message__ticket=hostile_ticket)
    page = sign_in(agent)
    page.goto(f"/tickets/{hostile_ticket.pk}/")

    expect(page.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    conversation = page.locator(f"#m{hostile_ticket.messages.get().pk}")
    expect(conversation).to_contain_text(SENDER_NAME)
    expect(conversation).to_contain_text(f"My tent arrived torn. <script>{JS}</script>")
    expect(conversation).to_contain_text(f'<a href="javascript:{JS}">track my order</a>')
    # File names are shown as the text of download links: the one with its markup kept,
    # and the one the mail parser tidied on the way in.
    expect(page.get_by_role("link", name=FILENAME, exact=True)).to_be_visible()
    assert tidied.filename == (
        "_img src=x onerror=_window.__pwned=1;document.documentElement.dataset.pwned=1__.jpg"
    )
    expect(page.get_by_role("link", name=tidied.filename, exact=True)).to_be_visible()
    nothing_ran(page)
    save_screenshot(page, "ticket-page-hostile-mail")


def test_html_in_the_sandboxed_frame_runs_nothing_even_when_unsanitized(
    hostile_ticket: Ticket, agent: object, sign_in: Callable[..., Page]
) -> None:
    page = sign_in(agent)
    page.goto(f"/tickets/{hostile_ticket.pk}/")

    page.get_by_text("Formatted version").first.click()
    frame = page.frame_locator("iframe[sandbox]").first
    # The frame loaded and shows the mail: the checks below look at a rendered document.
    expect(frame.get_by_text("Unsanitized formatted part.")).to_be_visible()
    expect(frame.get_by_text("Hello from the formatted part.")).to_be_visible()
    # Following a javascript: link inside the frame does nothing either.
    frame.get_by_text("the unsanitized link").click()
    nothing_ran(page)
    expect(page).to_have_url(re.compile(rf"/tickets/{hostile_ticket.pk}/$"))


def test_the_check_notices_each_payload_when_it_does_run(
    agent: object, sign_in: Callable[..., Page]
) -> None:
    """The checks above are only as good as their payloads and `nothing_ran`: shown
    unescaped, in the page or in a frame that allows scripts, each payload is caught."""
    page = sign_in(agent)

    def show(html: str) -> None:
        page.goto("about:blank")  # a new window each time, so no mark is left over
        page.set_content(html)

    for payload in (f"<script>{JS}</script>", FILENAME, SENDER_NAME, UNSANITIZED):
        show(f"<p>{payload}</p>")
        expect(page.locator("html[data-pwned]")).to_have_count(1)
        with pytest.raises(AssertionError):
            nothing_ran(page)

    show(f'<a href="javascript:{JS}">go</a>')
    with pytest.raises(AssertionError):
        nothing_ran(page)  # the link alone is refused, before anyone clicks it
    page.get_by_text("go").click()
    expect(page.locator("html[data-pwned]")).to_have_count(1)

    show('<iframe sandbox="allow-scripts" src="about:blank"></iframe>')
    nothing_ran(page)
    page.frames[1].set_content(f"<script>{JS}</script>")
    expect(page.frame_locator("iframe").locator("html[data-pwned]")).to_have_count(1)
    assert page.evaluate("() => window.__pwned === undefined")  # only the frame is marked
    with pytest.raises(AssertionError):
        nothing_ran(page)
