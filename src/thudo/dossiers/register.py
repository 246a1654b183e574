"""The dossier tracking register (sổ theo dõi hồ sơ, form 07 of Circular 03/2025/TT-VPCP): one
row per dossier a one-stop desk received in a period, shown on a page and exported as a workbook
(XLSX) and a PDF (A4 landscape). The rows come from :func:`thudo.dossiers.queries.tracking_register`
(permission-filtered); this module only lays them out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone, translation

from thudo.core.spreadsheets import xlsx_bytes
from thudo.dossiers import deadlines
from thudo.dossiers.models import Dossier, Status
from thudo.dossiers.transitions import status_label
from thudo.signing.papers import render_paper

# Column headings of form 07 (Vietnamese, as the form prints them).
COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho cá nhân, tổ chức",
    "Ghi chú",
)
RELATED = ("procedure", "processing_agency", "apology")


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def period_text(start: date, end: date) -> str:
    return f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def _note(d: Dossier, now: datetime) -> str:
    if d.status in (Status.REJECTED, Status.WITHDRAWN):
        return status_label(d)
    late = deadlines.classify(d, now) == deadlines.LATE
    return "Quá hạn" if late else ""


def rows(dossiers: Iterable[Dossier], *, now: datetime | None = None) -> list[list[str | int]]:
    """The register's rows, each cell formatted as the paper prints it (Vietnamese)."""
    now = now or timezone.now()
    out: list[list[str | int]] = []
    with translation.override("vi"):
        for i, d in enumerate(dossiers, 1):
            result_back = d.finished_at if d.status in (Status.RESULT_READY, Status.RETURNED) else None
            contact = ", ".join(x for x in (d.applicant_address, d.applicant_phone) if x)
            out.append(
                [
                    i,
                    d.code,
                    d.procedure.name,
                    1,
                    d.applicant_name,
                    contact,
                    d.processing_agency.name,
                    _when(d.received_at),
                    _when(d.due_at),
                    _when(getattr(d, "handed_over_at", None)),
                    _when(result_back),
                    _when(d.returned_at),
                    _note(d, now),
                ]
            )
    return out


def xlsx(agency_name: str, start: date, end: date, table: list[list]) -> bytes:
    """Form 07 as a workbook: title, agency and period, the column headings, one row per dossier
    (written through the one export helper: no citizen's text runs as a formula)."""
    return xlsx_bytes("SỔ THEO DÕI HỒ SƠ", f"{agency_name} — {period_text(start, end)}", COLUMNS, table)


def pdf(agency, start: date, end: date, table: list[list]) -> bytes:
    """Form 07 as a PDF paper of the agency (A4 landscape)."""
    return render_paper(
        "register",
        {
            "agency_name": agency.name,
            "parent_agency_name": agency.parent.name if agency.parent_id else "",
            "period_text": period_text(start, end),
            "rows": table,
            "date": timezone.localdate(),
        },
    )


def filename(agency_code: str, start: date, end: date, ext: str) -> str:
    return f"Sổ theo dõi hồ sơ {agency_code} {start:%Y%m%d}-{end:%Y%m%d}.{ext}"
