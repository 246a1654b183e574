"""Agencies: Hanoi's People's Committee, its departments and one committee per commune."""

import re

import pytest

from thudo.core import actions
from thudo.core.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H26$")


def test_city_departments_and_communes_are_loaded(hanoi):
    city = Agency.objects.get(kind=AgencyKind.CITY_COMMITTEE)
    assert city.code == "000.00.00.H26"
    assert city.name == "Ủy ban nhân dân thành phố Hà Nội"
    departments = Agency.objects.filter(kind=AgencyKind.DEPARTMENT)
    assert {"Sở Tư pháp", "Sở Xây dựng", "Sở Y tế", "Sở Tài chính"} <= set(
        departments.values_list("short_name", flat=True)
    )
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE)
    assert communes.count() == 126
    assert all(a.unit and a.unit.scheme == "2025" for a in communes)
    assert Agency.objects.get(unit__name="Phường Hoàn Kiếm").name == "Ủy ban nhân dân Phường Hoàn Kiếm"


def test_every_agency_has_a_distinct_electronic_identifier(hanoi):
    codes = list(Agency.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(CODE.match(c) for c in codes), [c for c in codes if not CODE.match(c)]
    # departments at level 2 (000.00.NN), communes one level deeper (000.ZZ.5Y)
    for a in Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE):
        assert a.code.split(".")[2] in {"50", "51"}


def test_reloading_keeps_codes_and_creates_no_duplicates(hanoi):
    before = dict(Agency.objects.values_list("unit_id", "code").filter(kind=AgencyKind.COMMUNE_COMMITTEE))
    total = Agency.objects.count()
    result = actions.load_agencies()
    assert result["created"] == 0
    assert Agency.objects.count() == total
    assert (
        dict(Agency.objects.values_list("unit_id", "code").filter(kind=AgencyKind.COMMUNE_COMMITTEE))
        == before
    )


def test_agency_api(hanoi, client):
    body = client.get("/api/v1/agencies", {"q": "tu phap"}).json()
    assert [a["short_name"] for a in body["items"]] == ["Sở Tư pháp"]
    one = client.get("/api/v1/agencies/000.00.00.H26").json()
    assert one["kind"] == "city_committee"
    assert client.get("/api/v1/agencies/nope").status_code == 404
    communes = client.get("/api/v1/agencies", {"kind": "commune_committee", "limit": 200}).json()
    assert communes["count"] == 126
