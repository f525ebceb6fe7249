"""Browser-test fixtures: the real ASGI application served by uvicorn in a thread, and
Debian's Chromium driven by Playwright's sync API (API described in tests/e2e/README.md).

Playwright's sync API keeps its own asyncio loop "running" in the test thread for as long as
Playwright is started. Two consequences, both confined to this package:
- Django refuses ORM calls from a thread with a running loop, so `DJANGO_ALLOW_ASYNC_UNSAFE`
  is set while the browser is up (and removed again when the browser tests are done);
- `async_to_sync` refuses to run in that thread. Realtime events of actions are handed to
  the served app's loop (`sellerdesk.lib.events`, bound in the ASGI lifespan), so actions may
  be called from the test; code that calls `async_to_sync` itself goes through `in_worker`.
The browser lives for the browser tests only (package scope), not for the whole session: the
rest of the suite must not run with Playwright's loop in its thread.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.test import Client

from tests.services import REPO, free_port, missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
# Long enough for a loaded two-core CI machine (a live update waits on a server thread, a
# websocket and a page refresh), short enough that a missing element fails within a test.
DEFAULT_TIMEOUT_MS = 15_000
SERVER_START_SECONDS = 15

T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test under tests/e2e is a browser test, so `-m "not e2e"` leaves them all out;
    # and each uses the transactional database from its first fixture on, so data made in a
    # fixture before `app_server` is committed and the server's threads see it.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Kept on the test so that `sign_in` can photograph its pages when the test failed.
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> None:
    # Raw mail and attachments that a browser test stores go to a directory of its own (the
    # server thread reads the same settings), never to a developer's ./var.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@dataclass(frozen=True)
class AppServer:
    url: str


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """A headless Chromium (Debian's, never one Playwright downloads), for all browser tests."""
    if not os.access(CHROMIUM, os.X_OK):
        missing("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        missing("Playwright", f"the playwright package is not installed ({error})")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            from playwright.sync_api import expect

            # `expect(...)` assertions keep their own timeout; give them the same patience.
            expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                # Containers often give /dev/shm only 64 MB, too little for Chromium's renderers.
                args=["--disable-dev-shm-usage"],
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def app_server(transactional_db: None) -> Iterator[AppServer]:
    """sellerdesk's ASGI application (pages, static files through WhiteNoise, websockets),
    served as `sellerdesk web` serves it (`make_server`, no task consumer: the tests run
    tasks inline), on a free loopback port."""
    from sellerdesk.runtime.server import make_server

    # PostgreSQL connections are kept for 60 s by default; threads of the server would then
    # hold them past the test and block the flush and the final DROP DATABASE. Each request
    # closes its connection instead while the server runs.
    kept = {alias: connections.settings[alias].get("CONN_MAX_AGE", 0) for alias in connections}
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    # On SQLite the test database is in memory with a shared cache, where a reader and a
    # writer on two threads collide at once ("database table is locked") instead of waiting
    # as they do on a real WAL file. The server's threads read without table locks instead.
    connection_created.connect(_read_uncommitted)
    port = free_port()
    server = make_server(host="127.0.0.1", port=port, run_consumer=False)
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            server.run()
        except BaseException as error:  # reported to the test thread below
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=serve, name=f"e2e-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the test server did not start on port {port}: {failure}")
        time.sleep(0.02)
    try:
        yield AppServer(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_START_SECONDS)
        connection_created.disconnect(_read_uncommitted)
        for alias, age in kept.items():
            connections.settings[alias]["CONN_MAX_AGE"] = age


def _read_uncommitted(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


@pytest.fixture
def sign_in(
    browser: Browser, app_server: AppServer, request: pytest.FixtureRequest
) -> Iterator[Callable[[User], Page]]:
    """`sign_in(user)`: a page in a new browser context (its own cookies, like a second
    window of another person) signed in as `user` through a server-side session."""
    contexts: list[Any] = []

    def open_as(user: User) -> Page:
        client = Client()
        client.force_login(user)
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context = browser.new_context(base_url=app_server.url)
        contexts.append(context)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "url": app_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        return context.new_page()

    yield open_as
    if request.node.stash.get(_FAILED, False):
        # What each window showed when the test failed, beside the other screenshots.
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for n, context in enumerate(contexts, 1):
            for m, page in enumerate(context.pages, 1):
                # Best effort: a crashed page must not add an error to the failure itself.
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(SCREENSHOTS / f"failed-{name}-{n}-{m}.png"))
    # Closed before the server stops (this fixture depends on it), so no socket is left open.
    for context in contexts:
        context.close()


@pytest.fixture
def save_screenshot() -> Callable[[Page, str], Path]:
    """`save_screenshot(page, name)`: the whole page as test-artifacts/screenshots/<name>.png."""

    def save(page: Page, name: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or name.startswith("."):
            raise ValueError(f"screenshot name must be a plain file name, got {name!r}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def in_worker(transactional_db: None) -> Callable[..., Any]:
    """`in_worker(fn, *args, **kwargs)`: run server-side code (an action, a sweep, a mail
    ingest) in a fresh thread, as a worker would, and return its result. Needed for code that
    calls `async_to_sync` itself, which cannot run in the test thread while Playwright's loop
    is running there."""

    def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def call() -> T:
            try:
                return fn(*args, **kwargs)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="e2e-worker") as pool:
            return pool.submit(call).result(timeout=30)

    return run
