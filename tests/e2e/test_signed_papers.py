"""The signed result looks as signed as it is (issue 11, item 4 and its "Done when"), on a 1366 px
desktop and a 390 × 844 phone: the leader previews the draft and signs it in the browser, the
citizen downloads the result from her dossier page, and the first page of that PDF shows the
signature block — "Ký bởi" the leader, her title and the signing time — for a result the
platform rendered from the procedure's template and for a PDF the specialist uploaded.

The first page is read twice: its text (pypdf) and its picture (PDFium, saved beside the
screenshots as ``signed-*-first-page-*.png`` to look at)."""

import io
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pypdfium2 as pdfium
import pytest
from django.db import connection
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import SHOTS
from tests.e2e.journeys import make_world, submit_online
from tests.e2e.test_journeys import sign_in
from thudo.dossiers import actions
from thudo.dossiers.models import Status
from thudo.signing.verify import verify_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def first_page_text(pdf: bytes) -> str:
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return unicodedata.normalize("NFC", " ".join(text.split()))


def first_page_picture(pdf: bytes, name: str) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1.5).to_pil()
    finally:
        document.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / f"{name}.png")


def uploaded_decision(tmp_path):
    """A result the specialist drafted elsewhere: a one-page decision with text down to the foot."""
    from weasyprint import HTML

    body = "".join(f"<p>Điều {i}. Nội dung quyết định do cơ quan soạn thảo.</p>" for i in range(1, 40))
    path = tmp_path / "quyet-dinh.pdf"
    path.write_bytes(HTML(string=f"<h1>QUYẾT ĐỊNH</h1>{body}").write_pdf())
    return path


def validated(pdf: bytes):
    """``verify_pdf`` in a thread of its own: pyHanko's validation runs an asyncio loop, which
    cannot run in the thread where Playwright's loop runs."""

    def run():
        try:
            return verify_pdf(pdf)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _confirm(page, summary: str, button: str):
    page.locator("summary", has_text=summary).first.click()
    page.get_by_role("button", name=button).click()


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("made", ["rendered", "uploaded"])
def test_the_signed_result_first_page_shows_the_signer(page_for, shot, tmp_path, screen, made):
    world = make_world()
    d = submit_online(world)
    actions.receive(d, by=world.reception)
    actions.forward(d, by=world.reception)  # now at the specialist's step
    viewport = SCREENS[screen]

    if made == "uploaded":
        specialist = page_for(viewport=viewport)
        sign_in(specialist, world.specialist, f"/can-bo/ho-so/{d.code}/")
        specialist.locator("summary", has_text="Đính kèm dự thảo kết quả").first.click()
        specialist.get_by_label(re.compile("^Tệp kết quả")).set_input_files(uploaded_decision(tmp_path))
        specialist.get_by_role("button", name="Xác nhận: Đính kèm dự thảo kết quả").click()
        expect(specialist.locator(".messages")).to_contain_text("đã thực hiện")
        fits(specialist)
        _confirm(specialist, "Chuyển bước tiếp theo", "Xác nhận: Chuyển bước tiếp theo")
        expect(specialist.locator(".messages")).to_contain_text("đã thực hiện")
    else:
        actions.forward(d, by=world.specialist)

    leader = page_for(viewport=viewport)
    sign_in(leader, world.leader, "/can-bo/ky-so/")
    leader.get_by_role("link", name="Xem dự thảo và ký số").first.click()
    # the preview is page 1 of the draft, rendered on demand: slow on a loaded machine
    expect(leader.locator("figure.sign-preview img")).to_be_visible(timeout=60_000)
    fits(leader)
    shot(leader, f"signed-{made}-1-preview-{screen}")
    leader.get_by_label("Tôi đã xem dự thảo kết quả và đồng ý phê duyệt, ký số.").check()
    leader.get_by_role("button", name="Xác nhận: Phê duyệt và ký số").click()
    expect(leader.locator(".messages")).to_contain_text("đã thực hiện")
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY

    citizen = page_for(viewport=viewport)
    sign_in(citizen, world.citizen_user, f"/ho-so/{d.code}/")
    expect(citizen.locator("main")).to_contain_text("Có kết quả, chờ trả")
    fits(citizen)
    shot(citizen, f"signed-{made}-2-citizen-{screen}")
    with citizen.expect_download() as download:
        citizen.get_by_role("link", name="Tải kết quả (PDF đã ký số)").click()
    pdf = download.value.path().read_bytes()

    text = first_page_text(pdf)
    assert "(chờ ký)" not in text
    assert "ĐÃ KÝ SỐ" in text.upper() and "Ký bởi: Phạm Văn Lãnh Đạo" in text, text
    assert "Chức vụ: Chủ tịch" in text and "Thời gian ký:" in text
    if made == "uploaded":
        assert "QUYẾT ĐỊNH" in text  # the specialist's own paper, signed as it was
    first_page_picture(pdf, f"signed-{made}-first-page-{screen}")
    report = validated(pdf)
    assert report.intact and report.trusted and report.signer_name == "Phạm Văn Lãnh Đạo", report.problems
