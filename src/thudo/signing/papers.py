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
    None), "status" ("early"|"on_time"|"late", optional: computed from due and actual by calendar
    day when missing), "note"}``.
``register`` — form 07, sổ theo dõi hồ sơ (A4 landscape)
    ``period_text`` e.g. "Từ ngày 01/12/2026 đến ngày 31/12/2026"; ``rows``: list of lists of
    13 already formatted cells (STT, code, procedure, sets, applicant, address and phone,
    processing agency, received, appointment, handed over, result received, returned, note).
``result`` — a generic result document
    ``title``; ``subtitle`` (the "V/v" line), optional; ``paragraphs``: list of str;
    ``signer_title``, ``signer_name`` required.
"""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from thudo.core.errors import InvalidInput
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
    "result": ("title", "paragraphs", "signer_title", "signer_name"),
}
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
    """Trước hạn / Đúng hạn / Quá hạn, compared by calendar day in Asia/Ho_Chi_Minh."""
    if row.get("status"):
        return STATUS_LABELS.get(row["status"], str(row["status"]))
    due, actual = _local(row.get("due")), _local(row.get("actual"))
    if not due or not actual:
        return ""
    due_day = due.date() if isinstance(due, dt.datetime) else due
    actual_day = actual.date() if isinstance(actual, dt.datetime) else actual
    if actual_day < due_day:
        return STATUS_LABELS["early"]
    if actual_day == due_day:
        return STATUS_LABELS["on_time"]
    return STATUS_LABELS["late"]


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


def render_paper(kind: str, context: Mapping[str, Any]) -> bytes:
    """The paper as PDF bytes (see the module docstring for the keys of ``context``)."""
    html = render_html(kind, context)
    return HTML(string=html, base_url=None, url_fetcher=OfflineFetcher()).write_pdf(font_config=font_config())
