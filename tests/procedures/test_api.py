"""The public catalogue API, as an integrator sees it."""

import unicodedata
from datetime import date

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
        legal_bases=["Luật Hộ tịch 2014"],
        papers=[("Tờ khai đăng ký khai sinh", "Mẫu TT 04/2020/TT-BTP"), ("Giấy chứng sinh", "")],
        fees=[("counter", 5000, date(2025, 7, 1), None), ("online", 0, date(2025, 7, 1), None)],
        steps=[("Tiếp nhận", "reception", 1), ("Thẩm định", "specialist", 2), ("Ký", "leader", 1)],
    )


def test_list_is_paginated_and_searchable_without_diacritics(client, birth):
    fp.published(code="1.000656", name="Đăng ký khai tử")
    body = client.get("/api/v1/procedures", {"q": "dang ky khai sinh"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["code"] == "1.001193"
    assert item["name"] == "Đăng ký khai sinh"
    assert item["field"] == {"code": "HT", "name": "Hộ tịch"}
    assert item["agency"] is None
    assert item["online_level"] == "full"
    nfd = unicodedata.normalize("NFD", "khai sinh")
    assert client.get("/api/v1/procedures", {"q": nfd}).json()["count"] == 1
    page = client.get("/api/v1/procedures", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1


def test_list_filters(client, birth):
    dept = fp.department()
    fp.published(code="2.1", name="Cấp phép", level="department", agency=dept, field=fp.field("YT", "Y tế"))
    assert client.get("/api/v1/procedures", {"field": "YT"}).json()["count"] == 1
    assert client.get("/api/v1/procedures", {"level": "commune"}).json()["items"][0]["code"] == "1.001193"
    items = client.get("/api/v1/procedures", {"agency": dept.code}).json()["items"]
    assert [i["code"] for i in items] == ["2.1"]
    assert items[0]["agency"]["code"] == dept.code


def test_detail_has_papers_fees_and_default_process(client, birth):
    r = client.get("/api/v1/procedures/1.001193")
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 1
    assert body["legal_duration_hours"] == "4" or float(body["legal_duration_hours"]) == 4
    assert [p["name"] for p in body["papers"]] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert body["papers"][0]["form_name"] == "Mẫu TT 04/2020/TT-BTP"
    assert body["papers"][0]["blank_form_url"] is None
    assert {(f["channel"], f["amount"]) for f in body["fees"]} == {("counter", 5000), ("online", 0)}
    assert body["fees_today"] == {"counter": 5000, "online": 0}
    assert [(s["name"], s["role"]) for s in body["process"]["steps"]] == [
        ("Tiếp nhận", "reception"),
        ("Thẩm định", "specialist"),
        ("Ký", "leader"),
    ]
    assert body["legal_bases"] == ["Luật Hộ tịch 2014"]


def test_unknown_or_draft_procedure_is_404_with_the_error_shape(client):
    fp.draft(code="9.1")
    for code in ("khong-co", "9.1"):
        r = client.get(f"/api/v1/procedures/{code}")
        assert r.status_code == 404
        body = r.json()
        assert set(body) == {"code", "message", "fields"}
        assert body["code"] == "not_found"


def test_fields(client, birth):
    fp.field("CTH", "Chứng thực")
    assert client.get("/api/v1/procedures/fields").json() == [
        {"code": "CTH", "name": "Chứng thực"},
        {"code": "HT", "name": "Hộ tịch"},
    ]


@pytest.mark.parametrize("q", ["khaisinh", "khai sinh cho con"])
def test_the_api_search_forgives_and_ranks_like_the_pages(client, birth, q):
    fp.published(code="1.000656", name="Đăng ký khai tử")
    body = client.get("/api/v1/procedures", {"q": q}).json()
    assert [item["code"] for item in body["items"]] == ["1.001193"]
