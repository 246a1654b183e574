"""Public verification over HTTP: the upload page, the QR page and the API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories_signing import leader_with_certificate, paper_context
from thudo.signing import actions
from thudo.signing.papers import render_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(db):
    user, credential = leader_with_certificate()
    out = actions.sign_pdf(render_paper("result", paper_context("result")), signer=user, reason="Phê duyệt")
    doc = actions.register_issued(
        out, document_code="15/QĐ-UBND", kind="result", agency=credential.agency, signer=user
    )
    return out, doc


def upload(data: bytes, name="ket-qua.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_verification_page_shows_the_form(client):
    page = client.get("/xac-thuc/")
    assert page.status_code == 200
    assert "Xác thực văn bản điện tử" in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_uploading_an_issued_file_tells_who_signed_and_that_it_is_intact(client, issued):
    out, doc = issued
    page = client.post("/xac-thuc/", {"file": upload(out)})
    assert page.status_code == 200
    assert "Văn bản hợp lệ" in page.text
    assert "Lê Quang Huy" in page.text
    assert "Còn nguyên vẹn" in page.text
    assert "Ủy ban nhân dân Phường Hoàn Kiếm ban hành, mã 15/QĐ-UBND" in page.text
    assert doc.sha256 in page.text


def test_uploading_a_modified_file_says_it_was_modified(client, issued):
    out, _doc = issued
    at = out.index(b"WeasyPrint")
    page = client.post("/xac-thuc/", {"file": upload(out[:at] + b"Z" + out[at + 1 :])})
    assert page.status_code == 200
    assert "Không xác thực được văn bản" in page.text
    assert "Đã bị sửa đổi sau khi ký" in page.text
    assert "Không tìm thấy tệp này trong danh sách" in page.text


def test_uploading_something_that_is_not_a_pdf_explains_it(client):
    page = client.post("/xac-thuc/", {"file": upload(b"MZ\x90\x00 not a pdf", name="virus.exe")})
    assert page.status_code == 200
    assert "Tệp không phải là tệp PDF." in page.text


def test_posting_without_a_file_shows_an_error(client):
    page = client.post("/xac-thuc/", {})
    assert page.status_code == 422
    assert "error-summary" in page.text


def test_files_over_20_mb_are_refused(client):
    big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024)
    page = client.post("/xac-thuc/", {"file": upload(big)})
    assert page.status_code == 422
    assert "20 MB" in page.text
    answer = client.post("/api/v1/signing/verify", {"file": upload(big)})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"


def test_qr_page_shows_the_issued_file_facts(client, issued):
    _out, doc = issued
    page = client.get(f"/xac-thuc/{doc.sha256}/")
    assert page.status_code == 200
    assert "15/QĐ-UBND" in page.text
    assert "Ủy ban nhân dân Phường Hoàn Kiếm" in page.text
    assert "Lê Quang Huy" in page.text


def test_qr_page_for_an_unknown_hash_is_not_found(client):
    assert client.get("/xac-thuc/" + "0" * 64 + "/").status_code == 404
    assert client.get("/xac-thuc/not-a-hash/").status_code == 404


def test_api_verify_returns_the_report(client, issued):
    out, doc = issued
    answer = client.post("/api/v1/signing/verify", {"file": upload(out)})
    assert answer.status_code == 200
    body = answer.json()
    assert body["signed"] and body["intact"] and body["trusted"] and body["issued_here"] and body["valid"]
    assert body["signer_name"] == "Lê Quang Huy"
    assert body["document_code"] == "15/QĐ-UBND"
    assert body["sha256"] == doc.sha256
    assert body["problems"] == []
    assert body["signatures"][0]["reason"] == "Phê duyệt"


def test_api_verify_with_garbage_answers_with_problems_not_an_error(client):
    answer = client.post("/api/v1/signing/verify", {"file": upload(io.BytesIO(b"\x00" * 50).read())})
    assert answer.status_code == 200
    body = answer.json()
    assert body["signed"] is False
    assert body["problems"]


def test_api_verify_without_file_is_a_validation_error(client):
    answer = client.post("/api/v1/signing/verify", {})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"


def test_api_issued_by_hash(client, issued):
    _out, doc = issued
    answer = client.get(f"/api/v1/signing/issued/{doc.sha256}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["document_code"] == "15/QĐ-UBND"
    assert body["agency_name"] == "Ủy ban nhân dân Phường Hoàn Kiếm"
    assert body["signer_name"] == "Lê Quang Huy"
    assert body["page_url"].endswith(f"/xac-thuc/{doc.sha256}/")
    missing = client.get("/api/v1/signing/issued/" + "a" * 64)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
