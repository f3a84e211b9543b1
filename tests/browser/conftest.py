"""End-to-end tests in Debian's Chromium, driven by Playwright for Python, against a live server.

Skipped when /usr/bin/chromium is missing (`apt-get install -y chromium`; .ci/run installs it). Playwright's
own browser download is never used: the tests launch the system Chromium.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("BROWSER_TESTS") == "required":
        raise pytest.UsageError("BROWSER_TESTS=required but Chromium is not installed (apt-get install -y chromium)")
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server and the tests' own
    # database calls are ordinary synchronous Django, so allow them while the browser is open.
    # (Browser tests are transactional, so pytest-django runs them last.)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(params=["desktop", "phone"])
def viewport(request):
    return request.param


# For a check made once, at desktop size: the test runs in that viewport only, instead of also opening a
# phone page (a live database, a browser context) only to skip.
DESKTOP_ONLY = pytest.mark.parametrize("viewport", ["desktop"])


@pytest.fixture
def page(browser, live_server, viewport, seeded_transactional_db):
    context = browser.new_context(
        viewport=DESKTOP if viewport == "desktop" else PHONE,
        base_url=live_server.url,
        accept_downloads=True,
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.viewport_name = viewport
    yield page
    context.close()


def shoot(page, name: str, full_page: bool = True):
    """Save a screenshot under test-artifacts/screenshots (the best are copied to docs/screenshots)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{page.viewport_name}.png"), full_page=full_page)


def log_in(page, username: str, password: str):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(username)  # the login form asks for the email; a username works too
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite():
    """On SQLite the live server's request threads share the test database's one in-memory connection
    (Django's LiveServerThread overrides it for every thread). Two requests on it at once — a page and the
    actor chooser's search, say — can block each other for good inside SQLite. PostgreSQL gives each
    thread its own connection; on SQLite the live server answers one request at a time (each connection
    still gets its own thread, so a browser's idle keep-alive connection never blocks another)."""
    import threading

    from django.conf import settings
    from django.core.servers.basehttp import ThreadedWSGIServer

    if "sqlite" not in settings.DATABASES["default"]["ENGINE"]:
        yield
        return
    original, lock = ThreadedWSGIServer.get_app, threading.Lock()

    def get_app(server):
        app = original(server)

        def one_at_a_time(environ, start_response):
            with lock:
                response = app(environ, start_response)
                try:
                    return list(response)  # the whole body (streamed ones too) while holding the database
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return one_at_a_time

    ThreadedWSGIServer.get_app = get_app
    try:
        yield
    finally:
        ThreadedWSGIServer.get_app = original
