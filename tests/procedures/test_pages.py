"""Public pages of the catalogue, in Vietnamese."""

import re
from datetime import date, time

import pytest

from tests import factories_procedures as fp

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth():
    return fp.published(
        code="1.001193",
        name="Đăng ký khai sinh",
        duration_value=4,
        duration_unit="working_hours",
        online_level="full",
        cutoff_time=time(15, 0),
        legal_bases=["Luật Hộ tịch 2014 (60/2014/QH13)"],
        papers=[("Tờ khai đăng ký khai sinh", "Mẫu TT 04/2020/TT-BTP")],
        fees=[("counter", 8000, date(2025, 7, 1), None), ("online", 0, date(2025, 7, 1), None)],
        steps=[("Tiếp nhận", "reception", 1), ("Ký", "leader", 1)],
    )


def test_catalogue_lists_and_searches(client, birth):
    fp.published(code="1.000656", name="Đăng ký khai tử")
    r = client.get("/thu-tuc/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Thủ tục hành chính" in html
    assert "Đăng ký khai sinh" in html and "Đăng ký khai tử" in html
    html = client.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in html and "Đăng ký khai tử" not in html
    assert "Toàn trình" in html


def test_live_search_returns_only_the_rows(client, birth):
    r = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "Đăng ký khai sinh" in html
    assert "<html" not in html


def test_catalogue_says_when_nothing_matches(client, birth):
    html = client.get("/thu-tuc/", {"q": "xyz không có"}).content.decode()
    assert "Không có thủ tục nào khớp với tìm kiếm." in html


def test_detail_page(client, birth):
    r = client.get("/thu-tuc/1.001193/")
    html = r.content.decode()
    assert r.status_code == 200
    for text in (
        "Đăng ký khai sinh",
        "Thành phần hồ sơ",
        "Tờ khai đăng ký khai sinh",
        "Mẫu TT 04/2020/TT-BTP",
        "Phí, lệ phí",
        "8.000",
        "miễn phí (0 đồng)",
        "4 giờ làm việc",
        "15:00",
        "Toàn trình",
        "Luật Hộ tịch 2014 (60/2014/QH13)",
        "Nộp hồ sơ trực tuyến",
        'href="/ho-so/nop/1.001193/"',
    ):
        assert text in html, text


def test_unknown_procedure_page_is_404(client):
    assert client.get("/thu-tuc/khong-co/").status_code == 404


def test_catalogue_is_in_the_portal_navigation(client, birth):
    html = client.get("/").content.decode()
    assert 'href="/thu-tuc/"' in html


def test_back_button_history_restore_gets_the_whole_page(client, birth):
    r = client.get(
        "/thu-tuc/", {"q": "khai sinh"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in r.content.decode()


def test_blank_form_is_linked_for_download(client, settings, tmp_path):
    from django.core.files.base import ContentFile

    from thudo.procedures import actions

    settings.MEDIA_ROOT = tmp_path
    p = fp.draft(code="1.000894", name="Đăng ký kết hôn")
    actions.set_papers(
        p,
        by=None,
        papers=[
            {
                "name": "Tờ khai đăng ký kết hôn",
                "form_name": "Mẫu tờ khai",
                "blank_form": ContentFile(b"%PDF-1.4 mau", name="to-khai-ket-hon.pdf"),
            }
        ],
    )
    actions.publish(p, by=None)
    html = client.get("/thu-tuc/1.000894/").content.decode()
    link = re.search(r'<a href="([^"]*to-khai-ket-hon[^"]*\.pdf)" download>Mẫu tờ khai</a>', html)
    assert link, html
