"""Papers are Vietnamese whatever language the person uses; counts shown with a noun agree in
number in English."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from tests import factories
from tests import factories_dossiers as fd
from tests.factories_notifications import NotificationFactory
from thudo.dossiers import actions

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text of a PDF with line breaks folded into spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_receipt_downloaded_in_english_is_still_a_vietnamese_paper(client):
    w = fd.world()
    d = fd.submit(w)
    client.force_login(w.citizen)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Sign out" in client.get("/").content.decode()  # the portal itself is in English

    text = pdf_text(client.get(f"/ho-so/{d.code}/phieu/receipt/").content)
    assert "NGƯỜI TIẾP NHẬN" in text and "Bản điện tử" in text and "ngày làm việc" in text
    assert "RECEIVING OFFICER" not in text and "Electronic copy" not in text


def test_papers_issued_by_an_official_using_english_are_vietnamese():
    w = fd.world()
    with translation.override("en"):
        d = actions.withdraw(fd.submit(w), by=w.citizen)
        receipt = actions.build_receipt_context(d)
        result = actions.build_result_context(d)
    assert receipt["signer_title"] == "NGƯỜI TIẾP NHẬN"
    assert result["signer_title"] == "LÃNH ĐẠO" and result["signer_name"] == ""  # the signature names her
    assert result["paragraphs"][1].endswith("giải quyết yêu cầu Đăng ký khai sinh với nội dung sau:")
    notice = d.attachments.get(kind="notice", form="stop_notice")
    assert notice.original_name.startswith("Thông báo")
    assert "Theo đề nghị của người nộp hồ sơ." in pdf_text(notice.file.read())


@pytest.mark.parametrize(("count", "label"), [(1, "1 unread notification"), (2, "2 unread notifications")])
def test_unread_count_agrees_in_number_in_english(client, count, label):
    citizen = factories.UserFactory()
    NotificationFactory.create_batch(count, user=citizen)
    client.force_login(citizen)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert f'aria-label="{label}"' in client.get("/").content.decode()
