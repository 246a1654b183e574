"""Form 07, the dossier tracking register (sổ theo dõi hồ sơ): page, XLSX and PDF per agency and
period, only for the agency's officials, audited, no formula from a citizen's text."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories_dossiers as fd
from thudo.core.models import AuditRecord
from thudo.dossiers import actions

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/can-bo/so-theo-doi/"
pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=HCM)


@pytest.fixture
def w(db):
    return fd.world()


@pytest.fixture
def month(w):
    """Three dossiers received in December 2026 (one finished and returned), one in November."""
    with actions.papers_rendered(False):
        old = actions.receive(fd.submit(w, at=at(2026, 11, 30, 9)), by=w.reception, now=at(2026, 11, 30, 9))
        ds = [
            actions.receive(fd.submit(w, at=at(2026, 12, d, 9)), by=w.reception, now=at(2026, 12, d, 10))
            for d in (1, 2, 3)
        ]
        done = actions.forward(ds[0], by=w.reception, now=at(2026, 12, 1, 11))
        done = actions.forward(done, by=w.specialist, now=at(2026, 12, 1, 14))
        done = actions.approve_and_sign(done, by=w.leader, now=at(2026, 12, 1, 16))
        actions.return_result(done, by=w.reception, now=at(2026, 12, 2, 9))
    return old, ds


def params(w, **extra):
    return {"agency": w.agency.code, "start": "2026-12-01", "end": "2026-12-31", **extra}


def test_page_lists_the_period_in_the_order_received(client, w, month):
    old, ds = month
    client.force_login(w.reception)
    html = client.get(URL, params(w)).content.decode()
    positions = [html.index(d.code) for d in ds]
    assert positions == sorted(positions)
    assert old.code not in html  # received in November
    assert "10:00 01/12/2026" in html  # received
    assert "09:00 02/12/2026" in html  # result handed to the applicant


def test_xlsx_has_the_form_columns_and_one_row_per_dossier(client, w, month):
    _old, ds = month
    client.force_login(w.reception)
    r = client.get(URL, params(w, format="xlsx"))
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert ws["A1"].value == "SỔ THEO DÕI HỒ SƠ"
    assert [c.value for c in ws[4]][:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    codes = [ws.cell(row=r, column=2).value for r in range(5, ws.max_row + 1)]
    assert codes == [d.code for d in ds]
    first = [c.value for c in ws[5]]
    assert first[9]  # handed over to the processing step
    assert first[10] and first[11]  # result back from processing, returned to the applicant


def test_pdf_is_form_07_on_a_landscape_page(client, w, month):
    client.force_login(w.reception)
    r = client.get(URL, params(w, format="pdf"))
    assert r.status_code == 200
    pdf = PdfReader(io.BytesIO(b"".join(r.streaming_content)))
    box = pdf.pages[0].mediabox
    assert box.width > box.height  # A4 landscape
    text = pdf.pages[0].extract_text()
    assert "SỔ THEO DÕI HỒ SƠ" in text.upper()
    assert month[1][0].code in text


def test_citizen_text_is_not_a_formula_in_the_workbook(client, w):
    with actions.papers_rendered(False):
        d = fd.submit(w, at=at(2026, 12, 1, 9))
        d.applicant_name = '=HYPERLINK("http://x","y")'
        d.save()
        actions.receive(d, by=w.reception, now=at(2026, 12, 1, 9))
    client.force_login(w.reception)
    r = client.get(URL, params(w, format="xlsx"))
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    cell = ws.cell(row=5, column=5)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_reading_the_register_is_audited(client, w, month):
    client.force_login(w.reception)
    client.get(URL, params(w, format="xlsx"))
    rec = AuditRecord.objects.filter(verb="dossier.register_read").latest("pk")
    assert rec.changes["format"] == "xlsx" and rec.changes["rows"] == 3


def test_other_agency_and_citizens_cannot_read_it(client, w, month):
    client.force_login(w.other_officer)
    assert client.get(URL, params(w)).status_code == 422  # the agency is not one of theirs
    assert client.get(URL, params(w, format="xlsx")).status_code == 422
    client.force_login(w.citizen)
    assert client.get(URL).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302  # to the sign-in page


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-12-31", "2026-12-01"), ("2025-01-01", "2026-12-31"), ("9999-12-31", "9999-12-31"), ("x", "y")],
)
def test_bad_periods_get_a_clear_error(client, w, start, end):
    client.force_login(w.reception)
    r = client.get(URL, {"agency": w.agency.code, "start": start, "end": end})
    assert r.status_code == 422
    assert "error-summary" in r.content.decode()


def test_register_page_query_count_does_not_grow_with_rows(client, w, month):
    client.force_login(w.reception)
    client.get(URL, params(w))
    with CaptureQueriesContext(connection) as few:
        client.get(URL, params(w))
    with actions.papers_rendered(False):
        for d in (4, 5, 6, 7):
            actions.receive(fd.submit(w, at=at(2026, 12, d, 9)), by=w.reception, now=at(2026, 12, 7, 10))
    with CaptureQueriesContext(connection) as more:
        client.get(URL, params(w))
    assert len(more) == len(few)
