"""KPI pages say what they show (issue 11, item 7): a ward leader's overview is about her ward;
scores show their coverage; the ranking explains its groups and lists units without data;
numbers are Vietnamese in charts too; axis steps are even and labels are not cut."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests import factories
from tests import factories_kpi as fk
from thudo.kpi import charts

pytestmark = pytest.mark.django_db


def test_a_ward_leaders_overview_is_about_the_ward(month, client):
    _dept, ward, *_ = month
    client.force_login(factories.official(role="leader", agency=ward))
    page = client.get("/kpi/?period=2026-10").content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert ward.name in h1 and "toàn thành phố" not in page.lower()
    assert "Đơn vị dẫn đầu" not in page and "Đơn vị điểm thấp nhất" not in page  # one unit: no podium
    assert f"Điểm quy đổi của {ward.name}" in page  # its own trend
    assert re.search(r"Độ phủ số liệu: [\d,]+ / 100 điểm có dữ liệu", page)


def test_the_city_overview_shows_coverage_and_explains_groups_and_units_without_data(
    month, client, city_admin
):
    fk.commune(name="UBND Phường Chưa Có Hồ Sơ")
    client.force_login(city_admin)
    page = client.get("/kpi/?period=2026-10").content.decode()
    assert "Chỉ số chất lượng phục vụ — toàn thành phố" in page
    assert re.search(r"Độ phủ số liệu: [\d,]+ / 100 điểm có dữ liệu", page)
    assert "Cách đọc bảng điểm" in page and "Điểm quy đổi = điểm đạt ÷ điểm tối đa có dữ liệu × 100" in page
    row = re.search(r'<tr class="no-data">.*?</tr>', page, re.S).group(0)
    assert "Phường Chưa Có Hồ Sơ" in row and "Không có dữ liệu trong kỳ" in row


def test_charts_write_numbers_the_vietnamese_way_with_even_steps_and_whole_labels():
    svg = str(
        charts.bars([("A. Công khai, minh bạch thông tin thủ tục hành chính", 12.26, "good")], max_value=22)
    )
    assert ">12,26<" in svg and "12.26" not in svg
    assert "Công khai, minh bạch thông tin" in svg and "thủ tục hành chính" in svg and "…" not in svg
    line = str(charts.line([("09/2026", 81.5), ("10/2026", None)]))
    ticks = [int(t) for t in re.findall(r'text-anchor="end">(\d+)</text>', line)]
    assert ticks == [0, 20, 40, 60, 80, 100]


def test_pdf_tables_write_numbers_the_vietnamese_way(month, client, city_admin):
    dept, *_ = month
    client.force_login(city_admin)
    pdf = client.get(f"/kpi/don-vi/{dept.code}/2026-10.pdf").content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert re.search(r"Điểm quy đổi: \d+,\d+", text)  # 54,36 — not 54.36
    assert re.findall(r"\b\d+\.\d{2,}\b", text) == []  # indicator codes (2.1) aside, no decimal points
