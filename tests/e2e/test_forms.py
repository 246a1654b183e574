"""The guided submission in a real browser (issue 11, items 1 and 2), on a 1366 px desktop and a
390 × 844 phone: a submission that hits an error keeps its files and resumes from the draft list;
a verified citizen registers a birth with the e-form and no identity paper. Every page of the
journey fits the screen (no sideways scroll). Screenshots: /tmp/e2e-shots/forms-*.png."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import make_world, pdf_bytes
from tests.e2e.test_journeys import sign_in
from thudo.dossiers.models import Dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def pdf(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(pdf_bytes(name))
    return path


def next_step(page):
    page.get_by_role("button", name="Lưu và tiếp tục").click()


@pytest.mark.parametrize("screen", SCREENS)
def test_an_error_keeps_the_files_and_the_draft_resumes(page_for, shot, tmp_path, screen):
    world = make_world()
    page = page_for(viewport=SCREENS[screen])
    sign_in(page, world.citizen_user, f"/thu-tuc/{world.procedure.code}/")
    page.goto(f"/ho-so/nop/{world.procedure.code}/")
    # the commune is preselected from the address (Phường Hoàn Kiếm)
    expect(page.get_by_label(re.compile("^Cơ quan tiếp nhận"))).to_have_value(str(world.agency.pk))
    fits(page)
    shot(page, f"forms-1-agency-{screen}")
    next_step(page)
    fits(page)
    shot(page, f"forms-2-applicant-{screen}")
    next_step(page)

    # Only the first paper: the page answers with an error next to the missing paper, the focus
    # on the summary, and the file that was sent is kept.
    page.get_by_label(re.compile("^Tờ khai đăng ký khai sinh")).set_input_files(pdf(tmp_path, "tờ-khai.pdf"))
    next_step(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    expect(page.locator("main")).to_contain_text("Đã đính kèm tờ-khai.pdf")
    expect(page.locator(".slot.has-error")).to_contain_text("Giấy chứng sinh")
    fits(page)
    shot(page, f"forms-3-papers-error-{screen}")

    # The citizen leaves and comes back through "Hồ sơ đang soạn".
    page.goto("/ho-so/cua-toi/")
    page.get_by_role("link", name=re.compile("Hồ sơ đang soạn")).click()
    fits(page)
    shot(page, f"forms-4-drafts-{screen}")
    page.get_by_role("link", name="Tiếp tục").click()
    expect(page.locator("main")).to_contain_text("Đã đính kèm tờ-khai.pdf")
    page.get_by_label(re.compile("^Giấy chứng sinh")).set_input_files(pdf(tmp_path, "giay-chung-sinh.pdf"))
    next_step(page)
    expect(page.locator("main")).to_contain_text("giay-chung-sinh.pdf")
    fits(page)
    shot(page, f"forms-5-review-{screen}")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Đã nộp hồ sơ thành công")).to_be_visible()
    d = Dossier.objects.get()
    assert sorted(d.attachments.values_list("original_name", flat=True)) == [
        "giay-chung-sinh.pdf",
        "tờ-khai.pdf",
    ]


@pytest.mark.parametrize("screen", SCREENS)
def test_a_verified_citizen_registers_a_birth_with_the_e_form_and_no_identity_paper(
    page_for, shot, tmp_path, screen
):
    world = make_world(civil=True)
    page = page_for(viewport=SCREENS[screen])
    sign_in(page, world.citizen_user, f"/thu-tuc/{world.procedure.code}/")
    page.goto(f"/ho-so/nop/{world.procedure.code}/")
    next_step(page)
    next_step(page)
    main = page.locator("main")
    expect(main).to_contain_text("Cơ sở dữ liệu quốc gia về dân cư")
    expect(page.get_by_label(re.compile("^Giấy tờ tùy thân"))).to_have_count(0)
    expect(page.get_by_label(re.compile("^Tờ khai đăng ký khai sinh"))).to_have_count(0)
    page.get_by_label(re.compile("^Họ, chữ đệm, tên của trẻ")).fill("Nguyễn Minh An")
    page.get_by_label(re.compile("^Ngày sinh của trẻ")).fill("2026-11-20")
    page.get_by_label(re.compile("^Giới tính")).select_option("Nam")
    page.get_by_label(re.compile("^Họ, chữ đệm, tên của mẹ")).fill("Nguyễn Thị Hoa")
    page.get_by_label(re.compile("^Giấy chứng sinh")).set_input_files(pdf(tmp_path, "giay-chung-sinh.pdf"))
    fits(page)
    shot(page, f"forms-6-eform-{screen}")
    next_step(page)
    expect(main).to_contain_text("Nguyễn Minh An")
    expect(main).to_contain_text("khai thác từ CSDL quốc gia về dân cư")
    fits(page)
    shot(page, f"forms-7-eform-review-{screen}")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Đã nộp hồ sơ thành công")).to_be_visible()
    d = Dossier.objects.get()
    assert d.form_data["eform"]["child_name"] == "Nguyễn Minh An"
    assert [a.paper.kind for a in d.attachments.select_related("paper")] == ["birth"]


@pytest.mark.parametrize("screen", SCREENS)
def test_counter_reception_is_stepped_and_keeps_scanned_papers_after_an_error(
    page_for, shot, tmp_path, screen
):
    world = make_world()
    page = page_for(viewport=SCREENS[screen])
    sign_in(page, world.reception, "/can-bo/tiep-nhan/")
    page.goto(f"/can-bo/tiep-nhan/tai-quay/?thu_tuc={world.procedure.code}")
    expect(page.locator(".wizard-steps")).to_contain_text("Bước 1/3")
    page.get_by_label(re.compile("^Họ và tên")).fill("Trần Văn Quầy")
    page.get_by_label(re.compile("^Số định danh")).fill("123")
    next_step(page)
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    expect(page.get_by_label(re.compile("^Họ và tên"))).to_have_value("Trần Văn Quầy")
    fits(page)
    shot(page, f"forms-8-counter-applicant-error-{screen}")
    page.get_by_label(re.compile("^Số định danh")).fill("001090012345")
    next_step(page)

    # Step 2: only one paper scanned — the error is next to the other, the scan is kept.
    expect(page.locator(".wizard-steps")).to_contain_text("Bước 2/3")
    page.get_by_label(re.compile("^Tờ khai đăng ký khai sinh")).set_input_files(
        pdf(tmp_path, "quet-to-khai.pdf")
    )
    next_step(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Đã đính kèm quet-to-khai.pdf")
    expect(page.locator(".slot.has-error")).to_contain_text("Giấy chứng sinh")
    fits(page)
    shot(page, f"forms-8-counter-papers-error-{screen}")
    page.get_by_label(re.compile("^Giấy chứng sinh")).set_input_files(pdf(tmp_path, "quet-chung-sinh.pdf"))
    next_step(page)

    # Step 3: review, then receive.
    main = page.locator("main")
    expect(main).to_contain_text("Trần Văn Quầy")
    expect(main).to_contain_text("quet-to-khai.pdf")
    expect(main).to_contain_text("quet-chung-sinh.pdf")
    fits(page)
    shot(page, f"forms-8-counter-review-{screen}")
    page.get_by_role("button", name="Xác nhận tiếp nhận").click()
    expect(page.locator(".messages")).to_contain_text("Đã tiếp nhận hồ sơ")
    assert Dossier.objects.get().attachments.filter(kind="paper").count() == 2


@pytest.mark.parametrize("screen", SCREENS)
def test_the_supplement_form_shows_the_reasons_with_one_upload_each(page_for, shot, tmp_path, screen):
    from tests.e2e.journeys import submit_online
    from thudo.dossiers import actions

    world = make_world()
    d = submit_online(world)
    actions.request_supplement(
        d, by=world.reception, reasons=["Giấy chứng sinh bị mờ", "Thiếu chữ ký trên tờ khai"]
    )
    page = page_for(viewport=SCREENS[screen])
    sign_in(page, world.citizen_user, f"/ho-so/{d.code}/")
    page.get_by_label("Giấy chứng sinh bị mờ").set_input_files(pdf(tmp_path, "chung-sinh-ro.pdf"))
    fits(page)
    shot(page, f"forms-9-supplement-{screen}")
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.locator("main")).to_contain_text("Đã gửi giấy tờ bổ sung")


def test_the_reuse_choice_never_widens_the_phone_page(page_for, shot, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from thudo.dossiers import actions

    world = make_world()
    long_name = "giay-chung-sinh-ban-quet-mau-rat-dai-" + "x" * 120 + ".pdf"
    actions.submit_online(
        procedure=world.procedure,
        agency=world.agency,
        applicant=None,
        form_data={},
        files=[
            (p, SimpleUploadedFile(long_name, pdf_bytes(), content_type="application/pdf"))
            for p in world.procedure.papers.all()
        ],
        by=world.citizen_user,
    )
    page = page_for(viewport=SCREENS["phone"])
    sign_in(page, world.citizen_user, f"/thu-tuc/{world.procedure.code}/")
    page.goto(f"/ho-so/nop/{world.procedure.code}/")
    next_step(page)
    next_step(page)
    expect(page.get_by_label("Hoặc dùng lại giấy tờ đã nộp").first).to_be_visible()
    fits(page)
    shot(page, "forms-10-reuse-phone")
