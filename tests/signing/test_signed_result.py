"""Papers that match the truth (issue 11, item 4): the signed result shows who signed it, when,
and what was registered; its QR code points at the address the platform is reached at; its file
name keeps its diacritics."""

import io
import subprocess
import sys
import unicodedata
from urllib.parse import quote

import pytest
from django.test import Client, override_settings
from pypdf import PdfReader

from tests.e2e.journeys import make_world, pdf_bytes, upload
from tests.factories_signing import leader_with_certificate, paper_context
from thudo.core.context import public_base_url
from thudo.core.management.commands.demo import Command as DemoCommand
from thudo.dossiers import actions
from thudo.signing import pki
from thudo.signing.actions import CORNER_MARGIN_MM, corner_place, sign_pdf, signature_place
from thudo.signing.papers import render_paper
from thudo.signing.verify import verify_pdf

pytestmark = pytest.mark.django_db

BIRTH = {
    "ho_ten_tre": "Trần Minh Khôi",
    "ngay_sinh": "2026-11-20",
    "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
    "ho_ten_me": "Nguyễn Thị Hoa",
}


def first_page_text(pdf: bytes) -> str:
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return unicodedata.normalize("NFC", " ".join(text.split()))


@pytest.fixture
def world(db):
    return make_world()


def signed_birth_registration(world, client) -> tuple:
    d = actions.submit_online(
        procedure=world.procedure,
        agency=world.agency,
        applicant=None,
        form_data=BIRTH,
        files=[(p, upload(f"{p.order}.pdf")) for p in world.procedure.papers.all()],
        by=world.citizen_user,
    )
    actions.receive(d, by=world.reception)
    actions.forward(d, by=world.reception)
    actions.forward(d, by=world.specialist)
    client.force_login(world.leader)
    response = client.post(f"/can-bo/ho-so/{d.code}/approve_and_sign/", {"approve_and_sign-confirm": "on"})
    assert response.status_code == 302
    d.refresh_from_db()
    result = d.results.get()
    assert result.signed
    return d, result, result.file.read()


@override_settings(THUDO={"PUBLIC_BASE_URL": ""})
def test_signed_birth_registration_shows_signer_time_and_registered_details(world, tmp_path):
    client = Client(HTTP_HOST="127.0.0.1:8123")
    d, result, pdf = signed_birth_registration(world, client)
    text = first_page_text(pdf)
    # the signature block: name, title, agency and signing time — not "(chờ ký)"
    assert "(chờ ký)" not in text
    assert "Đã ký số".upper() in text.upper() and "Ký bởi: Phạm Văn Lãnh Đạo" in text
    assert "Chức vụ: Chủ tịch" in text and "Thời gian ký:" in text
    # the registered birth, from the form
    for value in ("Trần Minh Khôi", "20/11/2026", "Bệnh viện Phụ sản Hà Nội", "Nguyễn Thị Hoa"):
        assert value in text
    # the QR code and link: the address the leader's request came to (port 8123), not 8000
    assert f"http://127.0.0.1:8123/tra-cuu/{d.code}/" in text.replace(" ", "")
    # the signature still validates, as issued, intact and trusted
    report = verify_pdf(pdf)
    assert report.intact and report.trusted and report.issued_here, report.problems
    assert report.signer_name == "Phạm Văn Lãnh Đạo"
    # ... and outside the platform, with pyHanko's command line
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(pdf)
    command = [sys.executable, "-m", "pyhanko", "sign", "validate", "--trust-replace"]
    command += ["--trust", str(pki.ca_pem_path()), str(path)]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    assert run.returncode == 0 and "INTACT:TRUSTED,UNTOUCHED" in run.stdout, run.stdout + run.stderr
    # the download keeps its Vietnamese name (RFC 5987)
    response = client.get(f"/ho-so/{d.code}/ket-qua/{result.pk}/")
    assert f"filename*=utf-8''{quote(f'Kết quả {d.code}.pdf')}" in response["Content-Disposition"]


def test_a_paper_keeps_an_empty_signature_box_that_the_first_signature_fills(db):
    user, _credential = leader_with_certificate(full_name="Lê Quang Huy", title="Chủ tịch")
    pdf = render_paper("result", paper_context("result", signer_name=""))
    page, (x1, y1, x2, y2) = signature_place(pdf)
    assert page == 0 and (round((x2 - x1) / 72 * 25.4), round((y2 - y1) / 72 * 25.4)) == (72, 27)  # mm
    assert "Ký bởi" not in first_page_text(pdf)
    once = sign_pdf(pdf, signer=user, reason="Phê duyệt")
    assert "Ký bởi: Lê Quang Huy" in first_page_text(once)
    twice = sign_pdf(once, signer=user, reason="Ký lần hai")  # a second signature is not drawn again
    assert first_page_text(twice).count("Ký bởi") == 1
    report = verify_pdf(twice)
    assert report.intact and report.trusted and len(report.signatures) == 2


def test_an_uploaded_pdf_gets_the_visible_signature_at_the_bottom_right_of_its_first_page(db):
    user, _credential = leader_with_certificate(full_name="Lê Quang Huy", title="Chủ tịch")
    uploaded = pdf_bytes("tải lên")  # an A4 page (595 × 842 pt) without a signature box
    assert signature_place(uploaded) is None
    page, (x1, y1, x2, y2) = corner_place(uploaded)
    margin = CORNER_MARGIN_MM * 72 / 25.4
    assert page == 0 and round(x2) == round(595 - margin) and round(y1) == round(margin)
    signed = sign_pdf(uploaded, signer=user, reason="Phê duyệt")
    text = first_page_text(signed)
    assert "Ký bởi: Lê Quang Huy" in text and "Chức vụ: Chủ tịch" in text and "Thời gian ký:" in text
    report = verify_pdf(signed)
    assert report.intact and report.trusted, report.problems
    # the widget of the signature field sits over the drawn block
    widget = PdfReader(io.BytesIO(signed)).pages[0]["/Annots"][0].get_object()
    assert [round(float(v)) for v in widget["/Rect"]] == [round(v) for v in (x1, y1, x2, y2)]


def test_a_turned_or_tiny_uploaded_page_is_signed_invisibly(db):
    from pypdf import PdfWriter

    user, _credential = leader_with_certificate()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=120)  # smaller than the block and its margins
    out = io.BytesIO()
    writer.write(out)
    assert corner_place(out.getvalue()) is None
    signed = sign_pdf(out.getvalue(), signer=user, reason="Phê duyệt")
    assert "Ký bởi" not in first_page_text(signed) and verify_pdf(signed).intact


def test_the_public_address_comes_from_the_setting_else_the_request(client, world):
    with override_settings(THUDO={"PUBLIC_BASE_URL": "https://dichvucong.hanoi.gov.vn/"}):
        assert public_base_url() == "https://dichvucong.hanoi.gov.vn"
    with override_settings(THUDO={"PUBLIC_BASE_URL": ""}):
        assert public_base_url() == "http://127.0.0.1:8000"  # no request: thudo serve's default


def test_demo_sets_the_public_address_from_its_own_port():
    assert DemoCommand.public_base_url("127.0.0.1", "8123") == "http://127.0.0.1:8123"
    assert DemoCommand.public_base_url("0.0.0.0", "9000") == "http://127.0.0.1:9000"  # noqa: S104
    assert DemoCommand.public_base_url("::1", "9000") == "http://[::1]:9000"
