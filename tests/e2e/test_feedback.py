"""Citizen feedback in a real browser: a citizen reports from a 390 × 844 phone window (photo
attached, commune pre-filled from the address), a commune officer accepts and answers with an
after-photo, and the public page shows the answer without the reporter. Every page fits the
screen and passes the page audit. Screenshots: /tmp/e2e-shots/feedback-*.png."""

import pytest
from playwright.sync_api import expect

from tests import factories_feedback as ff
from tests.e2e.test_journeys import sign_in
from thudo.feedback.models import Report, Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_citizen_reports_from_a_phone_and_the_commune_officer_answers(page_for, shot, tmp_path):
    p = ff.place("Phường Hàng Bông Thử")
    ff.route(p, "giao-thong")
    citizen = ff.citizen("Ngô Thị Điện Thoại", "0933444555")
    photo = tmp_path / "o-ga.jpg"
    photo.write_bytes(ff.jpeg())
    after = tmp_path / "da-va.jpg"
    after.write_bytes(ff.jpeg(gps=False))

    page = page_for(viewport=PHONE)
    sign_in(page, citizen, "/phan-anh/")
    shot(page, "feedback-public-empty-phone")
    page.get_by_role("link", name="Gửi phản ánh").first.click()
    page.get_by_label("Lĩnh vực").select_option("giao-thong")
    page.get_by_label("Nội dung phản ánh").fill("Ổ gà lớn giữa đường, xe máy đi qua rất dễ ngã.")
    page.locator("#id_photos").set_input_files(str(photo))
    shot(page, "feedback-step1-phone")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.get_by_label("Địa chỉ nơi xảy ra sự việc").fill("Số 5 phố Hàng Bông Thử")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # no commune chosen yet: the page says so and offers the one the address names
    expect(page.locator(".error-summary")).to_be_visible()
    page.goto(page.url)
    expect(page.locator("#id_commune")).to_have_value(str(p.commune.pk))
    shot(page, "feedback-step2-phone")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_text("o-ga.jpg")).to_be_visible()
    shot(page, "feedback-review-phone")
    page.get_by_role("button", name="Gửi phản ánh").click()
    expect(page.get_by_text("Chờ tiếp nhận").first).to_be_visible()
    shot(page, "feedback-mine-phone")
    report = Report.objects.get()
    assert report.photos.count() == 1

    officer = page_for(viewport={"width": 1366, "height": 900})
    sign_in(officer, p.leader, "/can-bo/phan-anh/tiep-nhan/")
    expect(officer.get_by_text(report.code)).to_be_visible()
    officer.get_by_role("link", name=report.title[:40]).first.click()
    officer.locator("summary", has_text="Tiếp nhận").first.click()
    officer.get_by_role("button", name="Tiếp nhận").click()
    expect(officer.get_by_text("Đã chuyển đơn vị xử lý").first).to_be_visible()
    officer.locator("summary", has_text="Trả lời kết quả xử lý").click()
    officer.get_by_label("Nội dung trả lời").fill("Đã vá ổ gà trong buổi chiều, mặt đường đã an toàn.")
    officer.locator("input[name=photos]").set_input_files(str(after))
    officer.get_by_role("button", name="Trả lời kết quả xử lý").click()
    officer.locator("summary", has_text="Công khai trả lời").click()
    officer.get_by_role("button", name="Công khai trả lời").click()
    expect(officer.get_by_text("Đã công khai trả lời").first).to_be_visible()
    shot(officer, "feedback-officer-desktop")
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED

    visitor = page_for(viewport=PHONE)  # anyone, not signed in
    visitor.goto(f"/phan-anh/{report.code}/")
    expect(visitor.get_by_text("Đã vá ổ gà")).to_be_visible()
    assert "Ngô Thị Điện Thoại" not in visitor.content() and "0933444555" not in visitor.content()
    shot(visitor, "feedback-public-answer-phone")
