"""The browser-test fixtures themselves: the served app sees the test's data, serves its static
files and websockets, and `sign_in` gives independent signed-in windows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from sellerdesk.team.models import Role
from tests.e2e.conftest import AppServer
from tests.factories import make_account, make_member

pytestmark = pytest.mark.e2e


def test_the_server_sees_data_the_test_created_and_signs_in_by_session(
    sign_in: Callable[..., Page],
) -> None:
    # Made in the test thread; read by the server's threads (on SQLite, the in-memory test
    # database is shared between connections), which find the session and its user.
    account = make_account("Acme Outdoor")
    alice = make_member("alice", Role.AGENT, [account])

    page = sign_in(alice)
    page.goto("/")

    expect(page.locator("header .who")).to_contain_text("alice")
    expect(page.get_by_role("link", name="Tickets")).to_be_visible()


def test_two_sign_ins_are_two_separate_people(sign_in: Callable[..., Page]) -> None:
    account = make_account("Acme Outdoor")
    alice = make_member("alice", Role.AGENT, [account])
    bob = make_member("bob", Role.ADMIN)

    alice_page, bob_page = sign_in(alice), sign_in(bob)
    alice_page.goto("/")
    bob_page.goto("/")

    expect(alice_page.locator("header .who")).to_have_text("alice · Agent")
    expect(bob_page.locator("header .who")).to_have_text("bob · Admin")


def test_static_files_are_served_and_run_under_the_page_policy(
    sign_in: Callable[..., Page],
) -> None:
    alice = make_member("alice", Role.AGENT, [make_account("Acme Outdoor")])
    page = sign_in(alice)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/tickets/")

    # htmx (from django_htmx's static files) loaded and ran.
    page.wait_for_function("() => typeof window.htmx === 'object'")
    assert errors == []


def test_a_signed_out_browser_is_sent_to_the_sign_in_page(
    browser: Browser, app_server: AppServer
) -> None:
    context = browser.new_context(base_url=app_server.url)
    try:
        page = context.new_page()
        page.goto("/tickets/")
        expect(page).to_have_url(f"{app_server.url}/auth/login/?next=/tickets/")
    finally:
        context.close()
