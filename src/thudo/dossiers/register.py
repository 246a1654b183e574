"""The dossier tracking register (sổ theo dõi hồ sơ, form 07 of Circular 03/2025/TT-VPCP): one
row per dossier a one-stop desk received in a period, shown on a page and exported as a workbook
(XLSX) and a PDF (A4 landscape). The rows come from :func:`thudo.dossiers.queries.tracking_register`
(permission-filtered); this module only lays them out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from thudo.core.spreadsheets import xlsx_bytes
from thudo.dossiers import deadlines
from thudo.dossiers.models import Dossier, Status
from thudo.dossiers.transitions import status_label
from thudo.signing.papers import render_paper

# Column headings of form 07 (the exported paper prints them in Vietnamese: see :func:`xlsx`).
COLUMNS = (
    _("STT"),
    _("Mã hồ sơ"),
    _("Tên thủ tục hành chính"),
    _("Số lượng hồ sơ (bộ)"),
    _("Tên cá nhân, tổ chức"),
    _("Địa chỉ, số điện thoại"),
    _("Cơ quan chủ trì giải quyết"),
    _("Ngày, giờ nhận hồ sơ"),
    _("Hẹn trả kết quả"),
    _("Chuyển hồ sơ đến cơ quan giải quyết"),
    _("Nhận kết quả từ cơ quan giải quyết"),
    _("Trả kết quả cho cá nhân, tổ chức"),
    _("Ghi chú"),
)
RELATED = ("procedure", "processing_agency", "apology")


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def period_text(start: date, end: date) -> str:
    return gettext("Từ ngày %(start)s đến ngày %(end)s") % {
        "start": f"{start:%d/%m/%Y}",
        "end": f"{end:%d/%m/%Y}",
    }


def _note(d: Dossier, now: datetime) -> str:
    if d.status in (Status.REJECTED, Status.WITHDRAWN):
        return status_label(d)
    late = deadlines.classify(d, now) == deadlines.LATE
    return gettext("Quá hạn") if late else ""


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
    (written through the one export helper: no citizen's text runs as a formula). The paper is a
    legal form: printed in Vietnamese whatever the reader's language."""
    with translation.override("vi"):
        heading = f"{agency_name} — {period_text(start, end)}"
        return xlsx_bytes(gettext("SỔ THEO DÕI HỒ SƠ"), heading, [str(c) for c in COLUMNS], table)


def pdf(agency, start: date, end: date, table: list[list]) -> bytes:
    """Form 07 as a PDF paper of the agency (A4 landscape), in Vietnamese."""
    with translation.override("vi"):
        period = period_text(start, end)
    return render_paper(
        "register",
        {
            "agency_name": agency.name,
            "parent_agency_name": agency.parent.name if agency.parent_id else "",
            "period_text": period,
            "rows": table,
            "date": timezone.localdate(),
        },
    )


def filename(agency_code: str, start: date, end: date, ext: str) -> str:
    with translation.override("vi"):
        name = gettext("Sổ theo dõi hồ sơ")
    return f"{name} {agency_code} {start:%Y%m%d}-{end:%Y%m%d}.{ext}"
