"""The papers an agency produces, rendered to PDF from HTML templates (WeasyPrint).

Forms of Circular 03/2025/TT-VPCP (one-stop mechanism, Decree 118/2025/NĐ-CP), laid out as
administrative documents under Decree 30/2020/NĐ-CP (Appendix I): the issuing agency top left
(superior agency above it), the national motto top right ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM /
Độc lập - Tự do - Hạnh phúc"), the place-and-date line ("Hà Nội, ngày 05 tháng 02 năm 2026":
days below 10 and months below 3 take a leading zero), the title, the body and the signature
block. A4 portrait, margins 20 mm top/bottom, 30 mm left, 15 mm right; a serif font with
Vietnamese glyphs (Times New Roman when installed, else Liberation Serif, which has the same
metrics, else DejaVu Serif). Each paper may carry a QR code to the dossier's public page.

Rendering never touches the network: the URL fetcher only accepts ``data:`` URIs.

``render_paper(kind, context) -> bytes`` (PDF). Values are plain ``str``, ``int``,
``datetime.date``/``datetime.datetime`` (aware datetimes are shown in Asia/Ho_Chi_Minh) and
lists; missing optional keys are left blank or omitted.

Keys every kind accepts
    ``agency_name`` (required) issuing agency, e.g. "Ủy ban nhân dân Phường Hoàn Kiếm";
    ``parent_agency_name`` superior agency (line above the agency name), optional;
    ``document_number`` e.g. "15/PTN-UBND" (printed as "Số: ..."), optional;
    ``place`` (default "Hà Nội"); ``date`` (default today);
    ``qr_url`` URL of the dossier's (or document's) public page: printed as a QR code with the URL;
    ``dossier_code`` the dossier code; ``applicant_name``; ``applicant_address``;
    ``applicant_phone``; ``applicant_email``; ``procedure_name`` (the request: "Nội dung yêu cầu");
    ``signer_title`` (e.g. "NGƯỜI TIẾP NHẬN", "CHỦ TỊCH"), ``signer_name``; ``signer_on_behalf``
    (e.g. "KT. CHỦ TỊCH", line above the title), optional; ``recipients`` list of str ("Nơi nhận").

``receipt`` — form 01, giấy tiếp nhận hồ sơ và hẹn trả kết quả
    ``papers``: list of dicts ``{"name", "form" ("Bản chính"/"Bản sao"...), "copies" (int)}``;
    ``sets`` number of sets (default 1); ``legal_duration`` text, e.g. "05 ngày làm việc";
    ``received_at`` datetime; ``appointment_at`` datetime (hẹn trả); ``return_place`` text;
    ``lookup_secret`` the secret printed for the public lookup, optional;
    ``receiver_name`` the officer who received the dossier (signs on the right).
``supplement_request`` — form 02, phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    ``items``: list of dicts ``{"what", "why"}`` (what to add or correct, and why);
    ``received_at`` datetime, optional; ``contact`` whom to ask (name, phone), optional.
``refusal`` — form 03, phiếu từ chối tiếp nhận, giải quyết hồ sơ
    ``reasons``: list of str; ``received_at`` datetime, optional.
``apology`` — form 04, văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết
    ``reason`` why it is late; ``received_at`` datetime, optional; ``old_due`` datetime;
    ``new_due`` datetime.
``stop_notice`` — form 05, thông báo dừng giải quyết hồ sơ
    ``reason``; ``requested_at`` datetime when the applicant asked, optional;
    ``received_at`` datetime, optional.
``control_sheet`` — form 06, phiếu kiểm soát quá trình giải quyết hồ sơ
    ``processing_agency`` name; ``coordinating_agencies`` str, optional;
    ``receipt_reference`` e.g. the receipt's number, optional;
    ``handovers``: list of dicts ``{"step", "from", "to", "due" (datetime), "actual" (datetime or
    None), "status" ("early"|"on_time"|"late", optional: when missing, decided from due and
    actual by ``thudo.core.workcalendar.timeliness``), "note"}``.
``register`` — form 07, sổ theo dõi hồ sơ (A4 landscape)
    ``period_text`` e.g. "Từ ngày 01/12/2026 đến ngày 31/12/2026"; ``rows``: list of lists of
    13 already formatted cells (STT, code, procedure, sets, applicant, address and phone,
    processing agency, received, appointment, handed over, result received, returned, note).
``result`` — a result document
    ``title``; ``subtitle`` (the "V/v" line), optional; ``paragraphs``: list of str;
    ``facts``: list of ``(label, value)`` pairs printed as a table (the registered content, e.g.
    a birth's details), optional; ``signer_title`` required; ``signer_name`` optional (a draft
    is signed by whichever leader approves it: the name is printed by the signature block).

The signature block of every paper holds an empty box (the named destination
:data:`SIGNATURE_ANCHOR`, :data:`STAMP_MM` wide and high): :func:`thudo.signing.actions.sign_pdf`
draws the visible signature there (:func:`render_signature_stamp`: signer, title, agency,
signing time).
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import unicodedata
from collections.abc import Mapping
from typing import Any

import pypdfium2 as pdfium
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from thudo.core.errors import InvalidInput
from thudo.core.workcalendar import timeliness
from thudo.signing.qr import qr_svg

KINDS = {
    "receipt": "01",
    "supplement_request": "02",
    "refusal": "03",
    "apology": "04",
    "stop_notice": "05",
    "control_sheet": "06",
    "register": "07",
    "result": "",
}
REQUIRED = {
    "receipt": ("dossier_code", "applicant_name", "procedure_name", "received_at", "appointment_at"),
    "supplement_request": ("dossier_code", "applicant_name", "items"),
    "refusal": ("dossier_code", "applicant_name", "reasons"),
    "apology": ("dossier_code", "applicant_name", "reason", "old_due", "new_due"),
    "stop_notice": ("dossier_code", "applicant_name", "reason"),
    "control_sheet": ("dossier_code", "handovers"),
    "register": ("period_text",),
    "result": ("title", "paragraphs", "signer_title"),
}
#: The named destination (an HTML ``id``) that marks where the visible signature goes.
SIGNATURE_ANCHOR = "thudo-signature"
#: Width and height of the visible signature, in millimetres.
STAMP_MM = (72, 27)
STATUS_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


class OfflineFetcher(URLFetcher):
    """Only ``data:`` URIs; anything else (http, https, file, ftp) is refused."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def date_line(place: str, day: dt.date) -> str:
    """The place-and-date line, e.g. "Hà Nội, ngày 05 tháng 02 năm 2026".

    Decree 30/2020/NĐ-CP, Appendix I: a zero before days below 10 and months below 3.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def when(value) -> str:
    """ "14 giờ 30 phút, ngày 21/11/2026" for datetimes, "21/11/2026" for dates."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if isinstance(value, dt.datetime):
        return f"{value.hour:02d} giờ {value.minute:02d} phút, ngày {value:%d/%m/%Y}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def when_short(value) -> str:
    """ "13:05 21/11/2026" (for tables)."""
    value = _local(value)
    if isinstance(value, dt.datetime):
        return f"{value:%H:%M %d/%m/%Y}"
    return when(value)


def handover_status(row: Mapping[str, Any]) -> str:
    """Trước hạn / Đúng hạn / Quá hạn: ``status`` when given, else decided from ``due`` and
    ``actual`` by :func:`thudo.core.workcalendar.timeliness` (moments compared: a hand-over after
    the due moment is late even on the due day)."""
    if row.get("status"):
        return STATUS_LABELS.get(row["status"], str(row["status"]))
    due, actual = row.get("due"), row.get("actual")
    if not isinstance(due, dt.datetime) or not isinstance(actual, dt.datetime):
        return ""
    return STATUS_LABELS[timeliness(actual, due)]


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {k: _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value


def build_context(kind: str, context: Mapping[str, Any]) -> dict:
    if kind not in KINDS:
        raise InvalidInput(_("Loại giấy tờ không hợp lệ: %(kind)s.") % {"kind": kind}, fields={"kind": kind})
    missing = [k for k in ("agency_name", *REQUIRED[kind]) if context.get(k) in (None, "", [])]
    if missing:
        raise InvalidInput(
            _("Thiếu thông tin để lập giấy tờ: %(keys)s.") % {"keys": ", ".join(missing)},
            fields={k: _("Bắt buộc.") for k in missing},
        )
    ctx = _nfc(dict(context))
    day = ctx.get("date") or timezone.localdate()
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    ctx["date_line"] = date_line(ctx.get("place") or "Hà Nội", day)
    ctx["form_number"] = KINDS[kind]
    ctx["signature_anchor"] = SIGNATURE_ANCHOR
    ctx["stamp_width_mm"], ctx["stamp_height_mm"] = STAMP_MM
    ctx["qr"] = qr_svg(ctx["qr_url"], scale=3) if ctx.get("qr_url") else ""
    for key in ("received_at", "appointment_at", "old_due", "new_due", "requested_at"):
        ctx[f"{key}_text"] = when(ctx.get(key))
    if kind == "control_sheet":
        ctx["handovers"] = [
            {
                **row,
                "due_text": when_short(row.get("due")),
                "actual_text": when_short(row.get("actual")),
                "status_text": handover_status(row),
            }
            for row in ctx["handovers"]
        ]
    return ctx


def render_html(kind: str, context: Mapping[str, Any]) -> str:
    """Administrative papers are Vietnamese whatever language the person who caused them uses
    (Decree 30/2020/NĐ-CP): text, dates and numbers are rendered under the ``vi`` locale."""
    with translation.override("vi"):
        return render_to_string(f"signing/papers/{kind}.html", build_context(kind, context))


_fonts = threading.local()


def font_config() -> FontConfiguration:
    """One WeasyPrint font configuration per thread, kept between renders. A new one per PDF
    (WeasyPrint's default) re-loads the fonts every time: ~20 % more CPU per paper, and a
    worker's memory kept growing with the papers it rendered (bench/README.md, RSS)."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def _pdf(html: str) -> bytes:
    return HTML(string=html, base_url=None, url_fetcher=OfflineFetcher()).write_pdf(font_config=font_config())


def render_paper(kind: str, context: Mapping[str, Any]) -> bytes:
    """The paper as PDF bytes (see the module docstring for the keys of ``context``)."""
    return _pdf(render_html(kind, context))


def first_page_png(pdf: bytes, *, width_px: int = 620) -> bytes:
    """Page 1 of ``pdf`` as a PNG ``width_px`` wide (the leader's preview of what she signs);
    rasterised by PDFium (pypdfium2), in process, nothing fetched."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=width_px / page.get_width()).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_signature_stamp(*, signer_name: str, signer_title: str, agency_name: str, signed_at) -> bytes:
    """The visible signature (one page of :data:`STAMP_MM`): "Đã ký số — Ký bởi ..., title,
    agency, Thời gian ký: 14 giờ 30 phút, ngày 21/11/2026" (Asia/Ho_Chi_Minh)."""
    context = _nfc(
        {
            "signer_name": signer_name,
            "signer_title": signer_title,
            "agency_name": agency_name,
            "signed_at_text": when(signed_at),
            "width_mm": STAMP_MM[0],
            "height_mm": STAMP_MM[1],
        }
    )
    with translation.override("vi"):
        return _pdf(render_to_string("signing/papers/signature_stamp.html", context))
