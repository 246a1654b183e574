"""Every paper of Circular 03/2025 renders as an A4 PDF with the Decree 30/2020 layout in Vietnamese."""

import datetime as dt
import io
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.factories_signing import paper_context
from thudo.core.errors import InvalidInput
from thudo.signing import papers
from thudo.signing.papers import KINDS, render_paper


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


TITLES = {
    "receipt": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "supplement_request": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "refusal": "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
    "apology": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT HỒ SƠ",
    "stop_notice": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "control_sheet": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "register": "SỔ THEO DÕI HỒ SƠ",
    "result": "QUYẾT ĐỊNH CẤP GIẤY PHÉP",
}
PER_KIND = {
    "receipt": [
        "Căn cước công dân",
        "Bản sao",
        "02 ngày làm việc",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Nguyễn Thị Lan",
    ],
    "supplement_request": ["Bản sao giấy khai sinh", "quan hệ nhân thân"],
    "refusal": ["không thuộc thẩm quyền giải quyết của phường"],
    "apology": ["xin lỗi", "xác minh thông tin với cơ quan đăng ký cư trú"],
    "stop_notice": ["Người nộp hồ sơ đề nghị rút hồ sơ"],
    "control_sheet": ["Thẩm định", "Trần Văn Minh", "Đúng hạn", "Quá hạn"],
    "register": ["Từ ngày 01/12/2026 đến ngày 31/12/2026", "Đăng ký khai sinh", "Nhận và trả kết quả"],
    "result": ["Cấp giấy phép cho bà Nguyễn Thị Hường.", "CHỦ TỊCH", "Lê Quang Huy"],
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_paper_renders_with_the_administrative_layout_in_vietnamese(kind):
    pdf = render_paper(kind, paper_context(kind))
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    size = (round(width / 72 * 25.4), round(height / 72 * 25.4))
    assert size == ((297, 210) if kind == "register" else (210, 297))  # A4; the register landscape

    text = text_of(pdf)

    assert nfc("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") in text
    assert nfc("Độc lập - Tự do - Hạnh phúc") in text
    assert nfc("ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM") in text
    assert nfc("Hà Nội, ngày ") in text
    assert nfc(TITLES[kind]) in text
    for expected in PER_KIND[kind]:
        assert nfc(expected) in text, expected
    if kind != "result":
        assert "000.00.12.H26-261121-0007" in text
    if kind not in ("result", "control_sheet"):
        assert nfc("Nguyễn Thị Hường") in text


def test_decomposed_input_is_printed_composed():
    name = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    text = text_of(render_paper("refusal", paper_context("refusal", applicant_name=name)))
    assert nfc("Nguyễn Thị Hường") in text


def test_receipt_shows_times_in_hanoi_time():
    received = dt.datetime(2026, 2, 3, 2, 30, tzinfo=dt.UTC)  # 09:30 in Hà Nội
    pdf = render_paper(
        "receipt",
        paper_context(
            "receipt",
            received_at=received,
            appointment_at=received + dt.timedelta(days=2),
            date=dt.date(2026, 2, 3),
        ),
    )
    text = text_of(pdf)
    assert nfc("09 giờ 30 phút, ngày 03/02/2026") in text
    assert nfc("09 giờ 30 phút, ngày 05/02/2026") in text
    assert nfc("Hà Nội, ngày 03 tháng 02 năm 2026") in text


def test_date_line_follows_decree_30():
    assert papers.date_line("Hà Nội", dt.date(2026, 2, 5)) == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert papers.date_line("Hà Nội", dt.date(2026, 11, 21)) == "Hà Nội, ngày 21 tháng 11 năm 2026"
    assert papers.date_line("Hà Nội", dt.date(2026, 3, 9)) == "Hà Nội, ngày 09 tháng 3 năm 2026"


def test_handover_status_by_calendar_day_in_hanoi():
    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    due = dt.datetime(2026, 11, 20, 17, 0, tzinfo=hanoi)
    assert papers.handover_status({"due": due, "actual": due - dt.timedelta(days=1)}) == "Trước hạn"
    assert papers.handover_status({"due": due, "actual": due - dt.timedelta(hours=5)}) == "Đúng hạn"
    assert papers.handover_status({"due": due, "actual": due + dt.timedelta(days=1)}) == "Quá hạn"
    assert papers.handover_status({"due": due, "actual": None}) == ""
    assert papers.handover_status({"due": due, "actual": due, "status": "late"}) == "Quá hạn"


def test_paper_carries_a_qr_code_to_the_public_page():
    pdf = render_paper("receipt", paper_context("receipt"))
    assert "http://127.0.0.1:8000/ho-so/tra-cuu/000.00.12.H26-261121-0007/" in text_of(pdf).replace(" ", "")
    # the QR code is drawn as vector paths inside the page (SVG), not fetched from anywhere
    html = papers.render_html("receipt", paper_context("receipt"))
    assert "<svg" in html


def test_missing_keys_are_named():
    with pytest.raises(InvalidInput) as info:
        render_paper("apology", {"agency_name": "UBND", "dossier_code": "X"})
    assert set(info.value.fields) == {"applicant_name", "reason", "old_due", "new_due"}


def test_unknown_kind_is_refused():
    with pytest.raises(InvalidInput):
        render_paper("bogus", {"agency_name": "UBND"})


def test_rendering_never_fetches_from_the_network(monkeypatch):
    import urllib.request

    def boom(*args, **kwargs):  # pragma: no cover - only called on a regression
        raise AssertionError("network access while rendering")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", boom)
    ctx = paper_context("result", paragraphs=['<img src="http://example.invalid/x.png">'])
    # the paragraph is escaped text; and a remote stylesheet would be refused by the fetcher
    assert render_paper("result", ctx).startswith(b"%PDF-")
    fetcher = papers.OfflineFetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("https://example.invalid/style.css")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("file:///etc/passwd")
