"""Issue 6 in a real browser: the city overview with its chart and table, a unit's page and the
dossiers behind a number, the Excel and PDF exports, publishing a month and the public ranking
with its open data."""

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.kpi.conftest import month  # noqa: F401 (fixture: October 2026 with known outcomes)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, user, next_url):
    page.goto(f"/login/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**{next_url}")


def download(page, link):
    with page.expect_download() as info:
        link.click()
    return info.value.path().read_bytes()


def test_dashboards_exports_and_the_published_ranking(page_for, month, city_admin):  # noqa: F811
    dept, _ward, early, late = month
    page = page_for()
    sign_in(page, city_admin, "/kpi/?period=2026-10")
    expect(page.get_by_role("heading", level=1)).to_contain_text("toàn thành phố")
    assert page.locator("svg").count() >= 1  # the chart, drawn from local assets
    expect(page.locator("table").first).to_be_visible()  # and its accessible data table
    page.get_by_role("link", name=dept.name).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(dept.name)
    workbook = openpyxl.load_workbook(io.BytesIO(download(page, page.get_by_role("link", name="Excel"))))
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value is not None]
    assert any(dept.name in c for c in cells) and any("2026" in c for c in cells)
    assert download(page, page.get_by_role("link", name="PDF"))[:5] == b"%PDF-"
    # every number links to the dossiers behind it: 2.1 on time = the early one only
    page.locator('a[href$="/2026-10/2.1/numerator/"]').click()
    expect(page.locator("main")).to_contain_text(early.code)
    expect(page.locator("main")).not_to_contain_text(late.code)

    page.goto("/kpi/?period=2026-10")
    page.get_by_role("button", name="Công bố kỳ 2026-10").click()
    public = page_for()  # anyone, not signed in
    public.goto("/xep-hang/")
    expect(public.locator("main")).to_contain_text(dept.name)
    json_link = public.get_by_role("link", name="JSON").get_attribute("href")
    data = public.request.get(json_link).json()  # served inline, for open-data clients
    assert data["version"] == 1 and data["departments"][0]["code"] == dept.code
    rows = list(
        csv.reader(io.StringIO(download(public, public.get_by_role("link", name="CSV")).decode("utf-8-sig")))
    )
    assert any(dept.code in row for row in rows)
