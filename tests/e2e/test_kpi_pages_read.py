"""KPI pages say what they show (issue 11, item 7), in a browser at 1280 px: a ward leader's
overview is about her ward; the city's charts are not clipped (no sideways scroll)."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_kpi import sign_in
from tests.kpi.conftest import month  # noqa: F401 (fixture: October 2026 with known outcomes)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_kpi_overviews_for_the_city_and_for_a_ward_leader(page_for, month, city_admin, shot):  # noqa: F811
    _dept, ward, *_ = month
    page = page_for(viewport={"width": 1280, "height": 900})
    sign_in(page, city_admin, "/kpi/?period=2026-10")
    expect(page.get_by_role("heading", level=1)).to_contain_text("toàn thành phố")
    expect(page.locator("main")).to_contain_text("Độ phủ số liệu")
    shot(page, "kpi-overview-city")
    wide = page.evaluate(  # what sticks out, for the failure message
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth)"
        ".slice(0, 5).map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wide
    leader = page_for(viewport={"width": 1280, "height": 900})
    sign_in(leader, factories.official(role="leader", agency=ward), "/kpi/?period=2026-10")
    expect(leader.get_by_role("heading", level=1)).to_contain_text(ward.name)
    expect(leader.locator("main")).not_to_contain_text("toàn thành phố")
    shot(leader, "kpi-overview-ward-leader")
