"""Browser tests: the system Chromium driven by Playwright's sync API against pytest-django's
``live_server``. Never downloads a browser; without /usr/bin/chromium the tests are skipped."""

import os
from pathlib import Path

import pytest

from tests.e2e.audit import problems, watch_console

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("THUDO_E2E_SHOTS", "/tmp/e2e-shots"))  # noqa: S108 - the brief asks for it
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="system Chromium (/usr/bin/chromium) is not installed")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page_for(browser, live_server):
    """``page_for()`` → a fresh page (own cookies) in Vietnamese, base URL the live server."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(
            base_url=live_server.url, locale="vi-VN", accept_downloads=True, **kwargs
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        CONSOLE[page] = watch_console(page)
        return page

    yield make
    for c in contexts:
        for page in c.pages:
            CONSOLE.pop(page, None)
        c.close()


CONSOLE: dict = {}  # page -> its console errors (pages made by page_for)


@pytest.fixture
def shot():
    """``shot(page, name)``: a full-page screenshot of a moment of a journey, and the moment must
    pass the page audit (no sideways scroll, no CSP error, axe clean: ``tests/e2e/audit.py``)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        found = problems(page, CONSOLE.get(page))
        assert not found, f"{name} ({page.url}):\n" + "\n".join(found)
        return path

    return take
