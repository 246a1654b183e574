"""The journeys that must feel excellent (product.md, journeys 1–3), in a real browser.

J1: a citizen finds "Đăng ký khai sinh" in the catalogue (with or without diacritics), submits
online with two PDFs and gets a code, the secret, the appointment and a QR receipt.
J2: the one-stop officer receives it, the specialist forwards it, the leader signs; the citizen
downloads the signed result and the verification page says it is valid.
J3: a dossier past its due moment shows as overdue in the work queue.

Screenshots go to /tmp/e2e-shots/ (look at them: they are the evidence the pages read well).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.journeys import BIRTH_NAME, PASSWORD, make_world, pdf_bytes, submit_online
from thudo.dossiers import actions
from thudo.dossiers.models import Dossier, Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, user, next_url="/"):
    page.goto(f"/login/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**{next_url}")


def two_pdfs(tmp_path):
    out = []
    for name in ("to-khai-khai-sinh.pdf", "giay-chung-sinh.pdf"):
        path = tmp_path / name
        path.write_bytes(pdf_bytes(name))
        out.append(path)
    return out


def test_j1_citizen_finds_the_procedure_and_submits_online(page_for, shot, tmp_path):
    world = make_world()
    page = page_for()
    sign_in(page, world.citizen_user, "/thu-tuc/")

    # The catalogue searches as you type, with or without diacritics.
    for query in ("khai sinh", "dang ky khai sinh", "Đăng Ký Khai Sinh"):
        page.get_by_label(re.compile("Tìm theo tên")).fill(query)
        expect(page.locator("#procedure-rows")).to_contain_text(BIRTH_NAME)
    shot(page, "j1-1-catalogue")
    page.locator("#procedure-rows").get_by_role("link", name=BIRTH_NAME).click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_role("heading", name="Nộp hồ sơ trực tuyến")).to_be_visible()

    # A guided form: the commune comes from the address, the applicant from the verified identity.
    page.get_by_label(re.compile("^Cơ quan tiếp nhận")).select_option(label=world.agency.name)
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_label(re.compile("^Họ và tên"))).to_have_value("Nguyễn Thị Hoa")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    first, second = two_pdfs(tmp_path)
    page.get_by_label(re.compile("^Tờ khai đăng ký khai sinh")).set_input_files(first)
    page.get_by_label(re.compile("^Giấy chứng sinh")).set_input_files(second)
    shot(page, "j1-2-submit-form")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.get_by_role("button", name="Nộp hồ sơ").click()

    expect(page.get_by_role("heading", name="Đã nộp hồ sơ thành công")).to_be_visible()
    d = Dossier.objects.get()
    assert d.attachments.count() == 2 and d.status == Status.SUBMITTED
    expect(page.locator("#dossier-code")).to_have_text(d.code)
    expect(page.locator("#dossier-secret")).to_have_text(d.secret)
    # The appointment counts from the start of the next working period (working calendar).
    from thudo.core.calendars import calendar_for

    start = calendar_for(d.processing_agency).start_moment(d.submitted_at, cutoff=world.procedure.cutoff_time)
    assert d.clock_started_at == start
    due_text = timezone.localtime(d.due_at).strftime("%H:%M")
    expect(page.locator("#due-at")).to_contain_text(due_text)
    expect(page.locator("#due-at")).to_contain_text(timezone.localtime(d.due_at).strftime("%d/%m/%Y"))
    qr = page.get_by_role("img", name=re.compile("Mã QR"))
    expect(qr).to_be_visible()
    shot(page, "j1-3-receipt")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải giấy tiếp nhận (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")

    # The QR code leads to the public page, which needs no login.
    anonymous = page_for()
    anonymous.goto(f"/tra-cuu/{d.code}/?s={d.secret}")
    expect(anonymous.get_by_role("heading", name=re.compile(re.escape(d.code)))).to_be_visible()
    expect(anonymous.locator("main")).to_contain_text("Mới nộp, chờ tiếp nhận")
    shot(anonymous, "j1-4-public-lookup")


def _confirm(page, summary: str, button: str):
    """Open the <details> confirmation step and confirm."""
    page.locator("summary", has_text=summary).first.click()
    page.get_by_role("button", name=button).click()


def test_j2_officers_process_and_the_citizen_verifies_the_signed_result(page_for, shot, tmp_path):
    world = make_world()
    d = submit_online(world)

    officer = page_for()
    sign_in(officer, world.reception, "/can-bo/tiep-nhan/")
    expect(officer.locator("main")).to_contain_text(d.code)
    shot(officer, "j2-1-reception-queue")
    officer.get_by_role("link", name=d.code).click()
    _confirm(officer, "Tiếp nhận", "Xác nhận: Tiếp nhận")
    expect(officer.locator(".messages")).to_contain_text("đã thực hiện")
    expect(officer.locator("main")).to_contain_text("Đang giải quyết")
    # The reception step is the one-stop officer's: they hand it on to the specialist.
    _confirm(officer, "Chuyển bước tiếp theo", "Xác nhận: Chuyển bước tiếp theo")
    expect(officer.locator(".messages")).to_contain_text("đã thực hiện")

    specialist = page_for()
    sign_in(specialist, world.specialist, "/can-bo/ho-so/")
    specialist.get_by_role("link", name="Của cơ quan").click()
    specialist.get_by_role("link", name=d.code).click()
    _confirm(specialist, "Chuyển bước tiếp theo", "Xác nhận: Chuyển bước tiếp theo")
    expect(specialist.locator(".messages")).to_contain_text("đã thực hiện")
    shot(specialist, "j2-2-specialist-dossier")

    leader = page_for()
    sign_in(leader, world.leader, "/can-bo/ky-so/")
    expect(leader.locator("main")).to_contain_text(d.code)
    shot(leader, "j2-3-signing-queue")
    leader.get_by_role("link", name="Xem dự thảo và ký số").first.click()
    expect(leader.locator("figure.sign-preview img")).to_be_visible(timeout=60_000)  # rendered on demand
    leader.get_by_label("Tôi đã xem dự thảo kết quả và đồng ý phê duyệt, ký số.").check()
    leader.get_by_role("button", name="Xác nhận: Phê duyệt và ký số").click()
    expect(leader.locator(".messages")).to_contain_text("đã thực hiện")
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY

    citizen = page_for()
    sign_in(citizen, world.citizen_user, f"/ho-so/{d.code}/")
    expect(citizen.locator("main")).to_contain_text("Có kết quả, chờ trả")
    shot(citizen, "j2-4-citizen-dossier")
    with citizen.expect_download() as download:
        citizen.get_by_role("link", name="Tải kết quả (PDF đã ký số)").click()
    result = tmp_path / "ket-qua.pdf"
    download.value.save_as(result)
    assert result.read_bytes().startswith(b"%PDF")

    citizen.get_by_role("link", name="Kiểm tra chữ ký số").click()
    citizen.locator("input[type=file]").set_input_files(result)
    citizen.get_by_role("button", name="Kiểm tra").click()
    expect(citizen.locator("#ket-qua")).to_contain_text("Văn bản hợp lệ")
    expect(citizen.locator("#ket-qua")).to_contain_text("Phạm Văn Lãnh Đạo")
    shot(citizen, "j2-5-verified")


def test_j3_an_overdue_dossier_is_marked_in_the_queue(page_for, shot):
    world = make_world()
    month_ago = timezone.now() - timedelta(days=30)
    late = submit_online(world, now=month_ago)
    actions.receive(late, by=world.reception, now=month_ago)
    fresh = submit_online(world)
    actions.receive(fresh, by=world.reception)

    page = page_for()
    sign_in(page, world.specialist, "/can-bo/ho-so/")
    page.get_by_role("link", name="Của cơ quan").click()
    late_row = page.locator("tr", has_text=late.code)
    expect(late_row).to_contain_text("Quá hạn")  # in words, not colour alone
    expect(page.locator("tr", has_text=fresh.code)).not_to_contain_text("Quá hạn")
    shot(page, "j3-1-agency-queue")
    page.get_by_role("link", name="Quá hạn", exact=True).click()
    expect(page.locator("#queue-rows")).to_contain_text(late.code)
    expect(page.locator("#queue-rows")).not_to_contain_text(fresh.code)
    shot(page, "j3-2-overdue-tab")
    page.get_by_role("link", name=late.code).click()
    expect(page.locator("main")).to_contain_text("Hồ sơ đã quá hạn")
    shot(page, "j3-3-overdue-dossier")
