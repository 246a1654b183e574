"""Report forms: assignment, typed values, evidence checks, late/missing, review, Excel round trip."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests import factories
from tests import factories_kpi as fk
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.kpi import actions, exports, queries
from thudo.kpi.models import ReportSubmission, SubmissionStatus

pytestmark = pytest.mark.django_db

FIELDS = [
    {
        "key": "received",
        "label": "Số hồ sơ tiếp nhận",
        "type": "int",
        "unit": "hồ sơ",
        "required": True,
        "min": 0,
    },
    {"key": "share", "label": "Tỷ lệ trực tuyến", "type": "percent", "unit": "%", "required": True},
    {"key": "cost", "label": "Kinh phí", "type": "decimal", "unit": "triệu đồng", "required": False},
    {"key": "day", "label": "Ngày chốt số liệu", "type": "date", "required": False},
    {"key": "note", "label": "Ghi chú", "type": "text", "required": False},
]


@pytest.fixture
def setup(city_admin):
    a1, a2 = fk.department(name="Sở Một", abbreviation="S1"), fk.commune(name="UBND Phường Hai")
    form = actions.create_form(by=city_admin, code="BC-01", name="Báo cáo tháng", fields=FIELDS)
    # 2026-10-10 is a Saturday: the deadline moves to Monday 12 October (end of that day)
    assigned = actions.assign(
        form, by=city_admin, agencies=[a1, a2], period="2026-09", deadline=dt.date(2026, 10, 10)
    )
    reporter = factories.official(role="agency_admin", agency=a1)
    return form, assigned, reporter, a1, a2


def test_submit_validates_every_field_in_vietnamese(setup):
    _form, (a1_assign, _), reporter, *_ = setup
    with pytest.raises(InvalidInput) as exc:
        actions.submit(
            a1_assign, by=reporter, values={"received": "3.5", "share": "120", "day": "31/02/2026"}
        )
    assert set(exc.value.fields) == {"received", "share", "day"}
    assert "số nguyên" in exc.value.fields["received"]
    assert not ReportSubmission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()


def test_late_is_derived_from_the_deadline_on_the_agency_calendar(setup):
    _form, (a1_assign, a2_assign), reporter, _a1, a2 = setup
    sub = actions.submit(
        a1_assign, by=reporter, values={"received": 12, "share": "45.5"}, now=fk.at("2026-10-12", 16)
    )
    assert sub.status == "submitted" and sub.late is False and sub.values["received"] == 12
    other = factories.official(role="agency_admin", agency=a2)
    late = actions.submit(a2_assign, by=other, values={"received": 1, "share": 0}, now=fk.at("2026-10-13", 8))
    assert late.late is True


def test_other_agency_cannot_submit_and_review_needs_manage(setup, city_admin):
    _form, (a1_assign, a2_assign), reporter, *_ = setup
    with pytest.raises(NotAllowed):
        actions.submit(a2_assign, by=reporter, values={"received": 1, "share": 1})
    sub = actions.submit(a1_assign, by=reporter, values={"received": 1, "share": 1})
    with pytest.raises(NotAllowed):
        actions.accept(sub, by=reporter)
    with pytest.raises(Conflict):
        actions.submit(a1_assign, by=reporter, values={"received": 2, "share": 1})
    with pytest.raises(InvalidInput):
        actions.return_with_comment(sub, by=city_admin, comment=" ")
    returned = actions.return_with_comment(sub, by=city_admin, comment="Thiếu số liệu")
    assert returned.status == "returned"
    again = actions.submit(a1_assign, by=reporter, values={"received": 2, "share": 1})
    accepted = actions.accept(again, by=city_admin)
    assert accepted.status == "accepted"
    with pytest.raises(Conflict):
        actions.accept(accepted, by=city_admin)


def test_report_quality_counts_late_and_missing(setup, city_admin):
    _form, (a1_assign, _a2_assign), reporter, _a1, a2 = setup
    sub = actions.submit(a1_assign, by=reporter, values={"received": 1, "share": 1}, now=fk.at("2026-10-01"))
    actions.accept(sub, by=city_admin)
    q = queries.report_quality(None, "2026-09")
    assert (q["assigned"], q["on_time_accepted"], q["late"], q["missing"]) == (2, 1, 0, 1)
    assert q["ratio"] == 0.5
    assert queries.report_quality([a2.pk], "2026-08")["ratio"] is None  # nothing assigned: no data


def test_evidence_type_is_checked_by_content(setup):
    _form, (a1_assign, _), reporter, *_ = setup
    fake = SimpleUploadedFile("bao-cao.pdf", b"not really a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        actions.submit(a1_assign, by=reporter, values={"received": 1, "share": 1}, files=[fake])
    real = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    sub = actions.submit(a1_assign, by=reporter, values={"received": 1, "share": 1}, files=[real])
    assert sub.evidence.get().content_type == "application/pdf"


def _workbook(form, assigned, city_admin, period="2026-09"):
    rows = queries.assignments(city_admin, period=period, form=form)
    return load_workbook(io.BytesIO(exports.submissions_xlsx(form, period, rows)))


def test_excel_round_trip(setup, city_admin):
    form, assigned, _reporter, _a1, _a2 = setup
    wb = _workbook(form, assigned, city_admin)
    ws = wb.active
    assert "2026-09" in ws["A2"].value
    assert [c.value for c in ws[exports.HEADER_ROW]][:4] == [
        "Mã cơ quan",
        "Tên cơ quan",
        "Số hồ sơ tiếp nhận (hồ sơ)",
        "Tỷ lệ trực tuyến (%)",
    ]
    for r in (5, 6):
        ws.cell(row=r, column=3, value=40 + r)
        ws.cell(row=r, column=4, value=55.5)
        ws.cell(row=r, column=6, value="30/09/2026")
    out = io.BytesIO()
    wb.save(out)
    assert actions.import_submissions(form, by=city_admin, data=out.getvalue(), period="2026-09") == 2
    again = _workbook(form, assigned, city_admin).active
    assert [again.cell(row=r, column=3).value for r in (5, 6)] == [45, 46]
    assert again.cell(row=5, column=6).value == "2026-09-30"
    assert again.cell(row=5, column=8).value == "Đã nộp"


def test_excel_import_reports_every_bad_cell_and_saves_nothing(setup, city_admin):
    form, assigned, *_ = setup
    wb = _workbook(form, assigned, city_admin)
    ws = wb.active
    ws.cell(row=5, column=3, value="mười")
    ws.cell(row=5, column=4, value=55)
    ws.cell(row=6, column=3, value=7)
    ws.cell(row=6, column=4, value=150)
    ws.cell(row=7, column=1, value="000.99.99.H26")
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InvalidInput) as exc:
        actions.import_submissions(form, by=city_admin, data=out.getvalue(), period="2026-09")
    fields = exc.value.fields
    assert set(fields) == {"C5", "D6", "A7"}
    assert fields["C5"].startswith("Dòng 5, cột C (Số hồ sơ tiếp nhận): phải là số")
    assert "từ 0 đến 100" in fields["D6"]
    assert not ReportSubmission.objects.exists()
    with pytest.raises(InvalidInput):
        actions.import_submissions(form, by=city_admin, data=b"not a workbook", period="2026-09")
