"""Browser test of the foundation pages on the system Chromium (no downloaded browsers)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not shutil.which(CHROMIUM), reason="system Chromium not installed (apt-get install chromium)"
    ),
]
SHOTS = Path(os.environ.get("THUDO_E2E_SHOTS", Path(tempfile.gettempdir()) / "e2e-shots"))


@pytest.fixture
def page(page_for):
    """A desktop page from the session's one browser (a second Playwright instance in the same
    thread would clash with the first one's event loop)."""
    return page_for(viewport={"width": 1280, "height": 900})


def test_unit_search_as_you_type_and_detail(page, live_server, hanoi):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/units/")
    assert page.locator("h1").inner_text() == "Đơn vị hành chính thành phố Hà Nội"
    page.fill("#q", "hoan kiem")
    rows = page.locator("#unit-rows tbody tr")
    # htmx replaced the table as the person typed: today's ward first, then the legacy district.
    expect(rows).to_have_count(2)
    row = rows.first
    expect(row).to_contain_text("Phường Hoàn Kiếm")
    expect(rows.nth(1)).to_contain_text("Quận Hoàn Kiếm")
    page.screenshot(path=str(SHOTS / "units-search.png"), full_page=True)
    row.locator("a").click()
    page.wait_for_url("**/units/2025/**")
    assert "Hình thành từ" in page.content()
    page.screenshot(path=str(SHOTS / "unit-detail.png"), full_page=True)


def test_deadline_calculator_and_language_switch(page, live_server):
    page.goto(f"{live_server.url}/calendar/due/?start=2026-02-13T16:00&days=1")
    text = page.locator("main").inner_text()
    assert "23/02/2026" in text and "Tết Nguyên Đán" in text
    page.screenshot(path=str(SHOTS / "due.png"), full_page=True)
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
