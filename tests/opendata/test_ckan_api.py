"""The CKAN Action API through Django's test client: envelopes, errors, search, writes."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests import factories_opendata as fo
from thudo.core import actions as core_actions
from thudo.opendata.models import Dataset

pytestmark = pytest.mark.django_db


def call(client, action, token=None, method="get", **params):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    if method == "get":
        return client.get(f"/api/3/action/{action}", params, **headers)
    return client.post(
        f"/api/3/action/{action}", json.dumps(params), content_type="application/json", **headers
    )


@pytest.fixture
def scene(db):
    org = fo.organisation()
    editor = fo.editor(org)
    _t, token = core_actions.create_api_token(editor, name="ckan", by=None)
    public = fo.dataset(
        org, name="giao-thong-diem-do-xe", title="Điểm đỗ xe công cộng", tags=[{"name": "giao thông"}]
    )
    hidden = fo.dataset(org, name="du-lieu-noi-bo", title="Dữ liệu nội bộ giao thông", private=True)
    return {"org": org, "editor": editor, "token": token, "public": public, "hidden": hidden}


def test_status_and_envelope(client, scene):
    body = call(client, "status_show").json()
    assert body["success"] is True and body["help"].endswith("name=status_show")
    assert body["result"]["ckan_version"].startswith("2.")


def test_search_is_diacritic_insensitive_and_hides_private(client, scene):
    for q in ("giao-thong", "giao thông", "GIAO THONG", "đỗ xe"):
        result = call(client, "package_search", q=q).json()["result"]
        names = [d["name"] for d in result["results"]]
        assert "giao-thong-diem-do-xe" in names, q
        assert "du-lieu-noi-bo" not in names
        assert all(d["resources"] for d in result["results"])
    private = call(client, "package_search", scene["token"], q="giao", include_private="true").json()
    assert "du-lieu-noi-bo" in [d["name"] for d in private["result"]["results"]]


def test_fq_and_facets(client, scene):
    result = call(
        client,
        "package_search",
        fq=f'organization:{scene["org"].name} tags:"giao thông"',
        **{"facet.field": json.dumps(["organization", "tags", "res_format"])},
    ).json()["result"]
    assert result["count"] == 1
    assert result["facets"]["res_format"] == {"CSV": 1}
    assert result["search_facets"]["organization"]["items"][0]["count"] == 1


def test_errors_have_ckan_types_and_codes(client, scene):
    missing = call(client, "package_show", id="khong-co")
    assert missing.status_code == 404 and missing.json()["error"]["__type"] == "Not Found Error"
    hidden = call(client, "package_show", id="du-lieu-noi-bo")
    assert hidden.status_code == 404
    anonymous = call(client, "package_create", method="post", name="moi", owner_org=scene["org"].name)
    assert anonymous.status_code == 403 and anonymous.json()["error"]["__type"] == "Authorization Error"
    invalid = call(client, "package_create", scene["token"], method="post", owner_org=scene["org"].name)
    assert invalid.status_code == 409
    assert invalid.json()["error"]["__type"] == "Validation Error" and "name" in invalid.json()["error"]
    unknown = call(client, "khong_co_thao_tac")
    assert unknown.status_code == 400 and unknown.json()["success"] is False


def test_a_citizen_token_cannot_write(client, scene):
    citizen = factories.UserFactory()
    _t, token = core_actions.create_api_token(citizen, name="x", by=None)
    answer = call(client, "package_create", token, method="post", name="moi", owner_org=scene["org"].name)
    assert answer.status_code == 403


def test_refused_csv_upload_leaves_the_dataset_unchanged(client, scene):
    dataset = scene["public"]
    before = Dataset.objects.get(pk=dataset.pk).metadata_modified
    schema = json.dumps({"fields": [{"name": "ma", "type": "integer"}, {"name": "ten", "type": "string"}]})
    bad = SimpleUploadedFile("diem.csv", "ma,ten\n1,Hoàn Kiếm\nhai,Ba Đình\n".encode(), "text/csv")
    answer = client.post(
        "/api/3/action/resource_create",
        {"package_id": dataset.name, "name": "Điểm", "schema": schema, "upload": bad},
        HTTP_AUTHORIZATION=scene["token"],
    )
    assert answer.status_code == 409
    assert "Dòng 3" in answer.json()["error"]["upload"][0]
    assert dataset.resources.count() == 1
    assert Dataset.objects.get(pk=dataset.pk).metadata_modified == before
    good = SimpleUploadedFile("diem.csv", "ma,ten\n1,Hoàn Kiếm\n2,Ba Đình\n".encode(), "text/csv")
    answer = client.post(
        "/api/3/action/resource_create",
        {"package_id": dataset.name, "name": "Điểm", "schema": schema, "upload": good},
        HTTP_AUTHORIZATION=scene["token"],
    )
    assert answer.status_code == 200, answer.content
    resource = answer.json()["result"]
    assert resource["format"] == "CSV" and resource["size"] == len(
        "ma,ten\n1,Hoàn Kiếm\n2,Ba Đình\n".encode()
    )
    assert resource["hash"].startswith("sha256:")
    download = client.get(resource["url"].split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert download.status_code == 200


def test_update_and_patch(client, scene):
    token = scene["token"]
    patched = call(
        client, "package_patch", token, method="post", id="giao-thong-diem-do-xe", title="Mới"
    ).json()
    assert patched["result"]["title"] == "Mới" and patched["result"]["resources"]
    updated = call(
        client,
        "package_update",
        token,
        method="post",
        id="giao-thong-diem-do-xe",
        name="giao-thong-diem-do-xe",
    ).json()["result"]
    # Fields left out are cleared; resources left out are kept (as CKAN does since 2.3).
    assert updated["tags"] == [] and updated["notes"] == "" and len(updated["resources"]) == 1
    replaced = call(
        client, "package_update", token, method="post", id=updated["id"], name=updated["name"], resources=[]
    ).json()["result"]
    assert replaced["resources"] == []


def test_an_uploaded_html_file_is_only_ever_a_download(client, scene):
    page = SimpleUploadedFile("trang.html", b"<script>alert(1)</script>", "text/html")
    answer = client.post(
        "/api/3/action/resource_create",
        {"package_id": scene["public"].name, "upload": page},
        HTTP_AUTHORIZATION=scene["token"],
    )
    url = answer.json()["result"]["url"]
    download = client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
