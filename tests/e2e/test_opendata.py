"""Issue 14 in a real browser: a department editor publishes a CSV that fails validation, reads
the report, fixes the file and publishes it; a citizen on a phone (390 px) finds the dataset by
a search without diacritics and previews the first rows."""

import json

import pytest
from playwright.sync_api import expect

from tests import factories
from tests import factories_opendata as fo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCHEMA = {
    "fields": [
        {"name": "ma", "type": "integer"},
        {"name": "ten", "type": "string"},
        {"name": "so_cho", "type": "integer"},
    ]
}
BAD = "ma,ten,so_cho\n1,Bãi đỗ xe Trần Nhật Duật,220\n2,Bãi đỗ xe Long Biên,một trăm\n"
GOOD = "ma,ten,so_cho\n1,Bãi đỗ xe Trần Nhật Duật,220\n2,Bãi đỗ xe Long Biên,150\n"


def sign_in(page, user, next_url):
    page.goto(f"/login/?next={next_url}", timeout=60_000)  # the server's first answer warms it up
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**{next_url}")


def attach(page, content: str):
    page.set_input_files(
        "#upload", files=[{"name": "bai-do-xe.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_an_editor_fixes_a_refused_csv_and_a_citizen_finds_it(page_for, shot, width, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = fo.organisation(fo.department("Sở Xây dựng", code="000.00.07.H26"))
    editor = fo.editor(org, username="bientap")
    page = page_for(viewport={"width": width, "height": 900})
    sign_in(page, editor, "/du-lieu-mo/quan-ly/")
    page.get_by_role("link", name="Tạo bộ dữ liệu").click()
    page.get_by_label("Tên bộ dữ liệu").fill("Điểm trông giữ xe công cộng")
    page.get_by_label("Tên định danh (trong đường dẫn)").fill("diem-trong-giu-xe")
    page.get_by_label("Từ khóa (cách nhau bằng dấu phẩy)").fill("giao thông, bãi đỗ xe")
    page.get_by_role("button", name="Tạo bộ dữ liệu").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thêm tài nguyên")
    page.get_by_label("Tên tài nguyên").fill("Danh sách bãi đỗ xe")
    page.get_by_label("Lược đồ bảng Frictionless (JSON, không bắt buộc)").fill(json.dumps(SCHEMA))
    attach(page, BAD)
    page.get_by_role("button", name="Kiểm tra và công bố").click()
    report = page.locator("#bao-cao-kiem-tra")
    expect(report).to_contain_text("Dòng 3, cột “so_cho”: giá trị “một trăm” không phải số nguyên.")
    shot(page, f"opendata-refused-{width}")
    assert org.datasets.get().resources.count() == 0  # refused: the dataset is unchanged

    attach(page, GOOD)  # the schema and the name were kept in the form
    page.get_by_role("button", name="Kiểm tra và công bố").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điểm trông giữ xe công cộng")
    expect(page.locator("table")).to_contain_text("Bãi đỗ xe Long Biên")

    citizen = page_for(viewport={"width": width, "height": 900})
    citizen.goto("/du-lieu-mo/")
    citizen.get_by_label("Tìm bộ dữ liệu").fill("trong giu xe")
    citizen.get_by_role("button", name="Tìm", exact=True).click()
    citizen.get_by_role("link", name="Điểm trông giữ xe công cộng").click()
    expect(citizen.locator("table")).to_contain_text("Bãi đỗ xe Trần Nhật Duật")
    expect(citizen.locator("main")).to_contain_text("/api/3/action/package_show?id=diem-trong-giu-xe")
    shot(citizen, f"opendata-dataset-{width}")
