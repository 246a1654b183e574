"""Issue 11, the small things a person notices, in a real browser on a 390 px phone: the menu
folds away behind a button, the home page searches procedures ("khaisinh" finds birth
registration), a note says how many characters are left, the bell is there, and the English
pages say that procedures stay in Vietnamese."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import context_as
from tests.e2e.journeys import BIRTH_NAME, make_world, submit_online

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_menu_folds_and_the_home_page_searches(browser, live_server):
    world = make_world()
    page = context_as(browser, live_server, world.citizen_user, viewport=PHONE).new_page()
    page.goto("/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Thủ tục hành chính")).to_be_visible()
    expect(page.locator("a.bell[aria-label='Thông báo']")).to_be_visible()  # the bell, none unread

    page.get_by_label("Tìm thủ tục hành chính").fill("khaisinh")
    page.get_by_role("button", name="Tìm thủ tục").click()
    page.wait_for_url("**/thu-tuc/?q=khaisinh")
    expect(page.locator("#procedure-rows").get_by_role("link", name=BIRTH_NAME)).to_be_visible()


def test_a_note_counts_its_characters(browser, live_server):
    world = make_world()
    d = submit_online(world)
    page = context_as(browser, live_server, world.reception, viewport=PHONE).new_page()
    page.goto(f"/can-bo/ho-so/{d.code}/")
    page.locator("summary", has_text="Tiếp nhận").first.click()
    note = page.locator("textarea[name='receive-note']")
    note.fill("Đủ giấy tờ")
    counter = page.locator("#" + note.get_attribute("aria-describedby").split()[-1])
    expect(counter).to_have_text(re.compile(r"^10/\d+ ký tự$"))


def test_english_pages_say_procedures_stay_vietnamese(browser, live_server):
    page = context_as(browser, live_server, None, viewport=PHONE).new_page()
    page.goto("/thu-tuc/")
    switch = page.get_by_role("button", name="English")
    assert "stay in Vietnamese" in switch.get_attribute("title")
    switch.click()
    page.wait_for_load_state()
    expect(page.get_by_role("note")).to_have_text(
        "Procedure names and content are published in Vietnamese only."
    )
