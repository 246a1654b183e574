"""Administrative units: real Hanoi data in both schemes, the old-to-new mapping, search."""

import unicodedata

import pytest
from django.core.management import call_command

from thudo.core import actions
from thudo.core.models import AdministrativeUnit, Scheme, UnitLevel, UnitSuccession

pytestmark = pytest.mark.django_db


def count(scheme, level):
    return AdministrativeUnit.objects.filter(scheme=scheme, province_code="01", level=level).count()


def test_hanoi_has_the_2025_and_legacy_structures(hanoi):
    assert count(Scheme.Y2025, UnitLevel.PROVINCE) == 1
    assert count(Scheme.Y2025, UnitLevel.COMMUNE) == 126
    communes = AdministrativeUnit.objects.filter(scheme=Scheme.Y2025, level=UnitLevel.COMMUNE)
    assert communes.filter(division_type="phường").count() == 51
    assert communes.filter(division_type="xã").count() == 75
    assert count(Scheme.LEGACY, UnitLevel.DISTRICT) == 30
    assert count(Scheme.LEGACY, UnitLevel.COMMUNE) == 526


def test_codes_are_strings_with_their_scheme(hanoi):
    # "00004" is Phường Trúc Bạch before the reform and Phường Ba Đình after it.
    old = AdministrativeUnit.objects.get(scheme=Scheme.LEGACY, code="00004")
    new = AdministrativeUnit.objects.get(scheme=Scheme.Y2025, code="00004")
    assert old.name == "Phường Trúc Bạch"
    assert new.name == "Phường Ba Đình"
    assert old.parent.name == "Quận Ba Đình"
    assert new.parent.code == "01"


def test_units_split_across_several_new_ones_are_mapped_partially(hanoi):
    split = (
        UnitSuccession.objects.filter(predecessor__province_code="01", predecessor__level=UnitLevel.COMMUNE)
        .values("predecessor")
        .distinct()
    )
    assert split.count() == 526
    multi = [
        u
        for u in AdministrativeUnit.objects.filter(
            scheme=Scheme.LEGACY, level=UnitLevel.COMMUNE, province_code="01"
        )
        if u.successions.count() > 1
    ]
    assert len(multi) >= 190  # the domain notes 199 old Hanoi units split across several new ones
    assert all(s.partial for u in multi for s in u.successions.all())


def test_loading_twice_creates_no_duplicates(hanoi):
    before = (AdministrativeUnit.objects.count(), UnitSuccession.objects.count())
    call_command("load_units", "--province", "01", verbosity=0)
    assert (AdministrativeUnit.objects.count(), UnitSuccession.objects.count()) == before


def test_load_units_rejects_an_unknown_province(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Mã tỉnh không tồn tại"):
        call_command("load_units", "--province", "99")


def test_all_provinces_load(db):
    counts = actions.load_units(provinces=["01", "79", "48"])
    assert counts["units"] > 0
    # Ho Chi Minh City (79) absorbed Binh Duong (74) and Ba Ria - Vung Tau (77) in 2025.
    hcm = AdministrativeUnit.objects.get(scheme=Scheme.Y2025, code="79")
    assert "Hồ Chí Minh" in hcm.name


@pytest.mark.parametrize(
    "query",
    ["hoan kiem", "Hoàn Kiếm", "HOÀN KIẾM", unicodedata.normalize("NFD", "Hoàn Kiếm"), "  hoàn   kiếm "],
)
def test_search_ignores_diacritics_case_and_unicode_form(hanoi, client, query):
    body = client.get("/api/v1/units", {"province": "01", "scheme": "2025", "q": query}).json()
    assert [u["name"] for u in body["items"]] == ["Phường Hoàn Kiếm"]


def test_api_filters_by_level_and_parent(hanoi, client):
    body = client.get("/api/v1/units", {"scheme": "legacy", "parent": "001", "limit": 100}).json()
    assert body["count"] == 13  # Quận Ba Đình: 13 wards after the 1 January 2025 merger
    assert {u["parent"]["name"] for u in body["items"]} == {"Quận Ba Đình"}
    districts = client.get(
        "/api/v1/units", {"scheme": "legacy", "province": "01", "level": "district"}
    ).json()
    assert districts["count"] == 30


def test_api_unit_detail_shows_neighbours_in_time(hanoi, client):
    old = client.get("/api/v1/units/legacy/00004").json()
    assert old["parent"]["name"] == "Quận Ba Đình"
    assert any(s["unit"]["name"] == "Phường Ba Đình" for s in old["successors"])
    new = client.get("/api/v1/units/2025/00004").json()
    assert any(p["unit"]["name"] == "Phường Trúc Bạch" for p in new["predecessors"])
    city = client.get("/api/v1/units/2025/01").json()
    assert len(city["children"]) == 126


def test_api_unknown_unit_is_a_typed_404(hanoi, client):
    response = client.get("/api/v1/units/2025/99999")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy.", "fields": {}}
    assert client.get("/api/v1/units/1999/00004").status_code == 404


def test_units_page_lists_and_searches(hanoi, client):
    page = client.get("/units/", {"q": "hoan kiem"}).content.decode()
    assert "Phường Hoàn Kiếm" in page
    assert "Phường Ba Đình" not in page
    partial = client.get("/units/", {"q": "ba dinh"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Phường Ba Đình" in partial
    detail = client.get("/units/legacy/00004/").content.decode()
    assert "Phường Trúc Bạch" in detail and "Phường Ba Đình" in detail


def test_unit_search_finds_2025_and_legacy_names_together(hanoi, client):
    html = client.get("/units/", {"q": "hoan kiem"}).content.decode()
    assert "Phường Hoàn Kiếm" in html and "Quận Hoàn Kiếm" in html
    assert html.index("Phường Hoàn Kiếm") < html.index("Quận Hoàn Kiếm")  # today's unit first
    assert "trước 1/7/2025" in html  # the legacy one says so
    only_new = client.get("/units/", {"q": "hoan kiem", "scheme": "2025"}).content.decode()
    assert "Quận Hoàn Kiếm" not in only_new
