"""/api/v1/tasks: list with filters, create (one or each of many), act, report; typed 4xx for the
issue's bad input, nothing saved."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories_dossiers as fd
from tests import factories_tasks as ft
from thudo.tasks.models import Report, Task, TaskFile

pytestmark = pytest.mark.django_db
API = "/api/v1/tasks"


@pytest.fixture
def c():
    return ft.city()


def _future(days: int = 20) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def _body(c, **kw):
    return {
        "title": "Cập nhật cơ sở dữ liệu hộ tịch",
        "assigner_agency": c.city.code,
        "lead_agencies": [c.department.code],
        "deadline": _future(),
        **kw,
    }


def test_create_act_report_and_read(client, c):
    client.force_login(c.chair)
    made = post(client, API, _body(c, coordinators=[c.communes[0].code]))
    assert made.status_code == 201, made.content
    task_id = made.json()[0]["id"]
    client.force_login(c.director)
    assert post(client, f"{API}/{task_id}/act", {"verb": "accept"}).json()["state"] == "accepted"
    r = post(client, f"{API}/{task_id}/reports", {"kind": "progress", "text": "Một nửa", "percent": 50})
    assert r.status_code == 201 and r.json()["percent"] == 50
    done = post(
        client, f"{API}/{task_id}/reports", {"kind": "done", "text": "Xong", "result_document": "3/BC"}
    )
    assert done.json()["on_time"] is True and done.json()["deadline_basis"] == "extended"
    client.force_login(c.chair)
    one = client.get(f"{API}/{task_id}").json()
    assert one["standing"] == "done_on_time" and "close" in one["verbs"]
    assert [x["code"] for x in one["coordinators"]] == [c.communes[0].code]
    closed = post(client, f"{API}/{task_id}/act", {"verb": "close"})
    assert closed.json()["state"] == "closed"
    assert [e["verb"] for e in closed.json()["history"]] == [
        "assign",
        "accept",
        "report_progress",
        "report_done",
        "close",
    ]


def test_bulk_and_filters(client, c):
    client.force_login(c.chair)
    made = post(client, API, _body(c, lead_agencies=[a.code for a in c.communes], each=True))
    assert made.status_code == 201 and len(made.json()) == 3
    listed = client.get(API, {"lead_agency": c.communes[1].code}).json()
    assert listed["count"] == 1 and listed["items"][0]["lead_agency"]["code"] == c.communes[1].code
    assert client.get(API, {"standing": "overdue"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"lead_agencies": []}, 422, "lead_agency"),
        ({"lead_agencies": "two"}, 422, "lead_agency"),
        ({"deadline": "2020-01-01"}, 422, "deadline"),
        ({"lead_agencies": ["no-such-code"]}, 422, "lead_agencies"),
    ],
)
def test_bad_input_is_a_typed_error_and_saves_nothing(client, c, change, status, field):
    client.force_login(c.chair)
    if change.get("lead_agencies") == "two":
        change = {"lead_agencies": [a.code for a in c.communes[:2]]}
    response = post(client, API, _body(c, **change))
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and field in body["fields"]
    assert not Task.objects.exists()


def test_report_on_a_closed_task_and_extension_without_date(client, c):
    t = ft.task(c, deadline=None, recurrence="ongoing", now=timezone.now())
    client.force_login(c.director)
    ext = post(
        client, f"{API}/{t.pk}/act", {"verb": "request_extension", "reason": "x", "proposed": _future(40)}
    )
    assert ext.status_code == 422 and ext.json()["code"] == "no_deadline"
    post(client, f"{API}/{t.pk}/reports", {"kind": "done", "text": "Xong"})
    client.force_login(c.chair)
    post(client, f"{API}/{t.pk}/act", {"verb": "close"})
    client.force_login(c.director)
    late = post(client, f"{API}/{t.pk}/reports", {"kind": "progress", "text": "Thêm", "percent": 10})
    assert late.status_code == 409 and late.json()["code"] == "invalid_transition"


def test_sub_task_outside_the_parent_unit_is_refused(client, c):
    t = ft.task(c, deadline=timezone.localdate() + dt.timedelta(days=30), now=timezone.now())
    client.force_login(c.director)
    post(client, f"{API}/{t.pk}/act", {"verb": "accept"})
    bad = post(client, API, _body(c, parent=t.pk, lead_agencies=[c.communes[0].code], deadline=_future(5)))
    assert bad.status_code == 422 and bad.json()["code"] == "outside_parent"
    ok = post(client, API, _body(c, parent=t.pk, lead_agencies=[c.section.code], deadline=_future(5)))
    assert ok.status_code == 201 and ok.json()[0]["parent"] == t.pk


def test_invisible_task_is_404_and_anonymous_401(client, c):
    t = ft.task(c, deadline=timezone.localdate() + dt.timedelta(days=30), now=timezone.now())
    assert client.get(f"{API}/{t.pk}").status_code == 401
    client.force_login(c.commune_leaders[0])
    assert client.get(f"{API}/{t.pk}").status_code == 404
    assert client.get(API).json()["count"] == 0


def test_api_list_query_count_does_not_grow(client, c):
    client.force_login(c.chair)

    def make(n):
        for _i in range(n):
            ft.task(c, deadline=timezone.localdate() + dt.timedelta(days=30), now=timezone.now())

    make(3)
    client.get(API)
    with CaptureQueriesContext(connection) as small:
        client.get(API)
    make(9)
    with CaptureQueriesContext(connection) as large:
        assert client.get(API).json()["count"] == 12
    assert len(large) == len(small)


# --- attachments: the multipart twins of create and report ---------------------------------------


def _form(c, **kw) -> dict:
    body = _body(c, **kw)
    return {k: v for k, v in body.items() if v is not None}


def test_create_with_two_files_gives_each_task_both_files(client, c):
    client.force_login(c.chair)
    files = [fd.pdf_file("chi-dao.pdf"), fd.png_file("so-do.png")]
    made = client.post(
        f"{API}/multipart", _form(c, lead_agencies=[a.code for a in c.communes[:2]], each="true", files=files)
    )
    assert made.status_code == 201, made.content
    assert [t["lead_agency"]["code"] for t in made.json()] == [a.code for a in c.communes[:2]]
    for t in Task.objects.all():
        assert sorted(t.files.values_list("original_name", flat=True)) == ["chi-dao.pdf", "so-do.png"]
        assert t.files.get(original_name="so-do.png").content_type == "image/png"
    # JSON clients without files keep the JSON endpoint
    assert post(client, API, _body(c)).status_code == 201


@pytest.mark.parametrize(
    "bad",
    [
        SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        SimpleUploadedFile("rong.pdf", b"", content_type="application/pdf"),
    ],
    ids=["wrong-type", "empty"],
)
def test_a_bad_file_is_a_typed_422_and_nothing_is_saved(client, c, bad):
    client.force_login(c.chair)
    response = client.post(f"{API}/multipart", _form(c, files=[fd.pdf_file("tot.pdf"), bad]))
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and "files" in body["fields"]
    assert body["code"] in ("invalid_file", "invalid_input")
    assert not Task.objects.exists() and not TaskFile.objects.exists()


def test_too_many_files_are_refused(client, c):
    client.force_login(c.chair)
    files = [fd.pdf_file(f"tep-{i}.pdf") for i in range(11)]
    response = client.post(f"{API}/multipart", _form(c, files=files))
    assert response.status_code == 422 and response.json()["code"] == "too_many_files"
    assert not Task.objects.exists()


def test_a_report_with_a_file_attaches_it_to_that_report(client, c):
    t = ft.task(c, deadline=timezone.localdate() + dt.timedelta(days=30), now=timezone.now())
    client.force_login(c.director)
    progress = client.post(
        f"{API}/{t.pk}/reports/multipart",
        {"kind": "progress", "text": "Một nửa", "percent": "50", "files": [fd.pdf_file("tien-do.pdf")]},
    )
    assert progress.status_code == 201, progress.content
    done = client.post(
        f"{API}/{t.pk}/reports/multipart",
        {"kind": "done", "text": "Xong", "result_document": "3/BC", "files": [fd.png_file("anh.png")]},
    )
    assert done.status_code == 201 and done.json()["kind"] == "done"
    reports = {r.kind: r for r in Report.objects.filter(task=t)}
    assert [f.original_name for f in reports["progress"].files.all()] == ["tien-do.pdf"]
    assert [f.original_name for f in reports["done"].files.all()] == ["anh.png"]
    assert not t.files.filter(report__isnull=True).exists()
    bad = client.post(
        f"{API}/{t.pk}/reports/multipart",
        {
            "kind": "progress",
            "text": "Thêm",
            "percent": "60",
            "files": [SimpleUploadedFile("x.exe", b"MZ\x90")],
        },
    )
    assert bad.status_code == 422 and "files" in bad.json()["fields"]
    assert Report.objects.filter(task=t).count() == 2


def test_multipart_reports_keep_the_permissions(client, c):
    t = ft.task(c, deadline=timezone.localdate() + dt.timedelta(days=30), now=timezone.now())
    client.force_login(c.commune_leaders[0])
    response = client.post(
        f"{API}/{t.pk}/reports/multipart", {"kind": "progress", "text": "x", "percent": "1"}
    )
    assert response.status_code == 404
    client.logout()
    assert client.post(f"{API}/multipart", _form(c)).status_code == 401


def test_the_task_lists_its_files_and_a_client_downloads_them(client, c):
    client.force_login(c.chair)
    made = client.post(f"{API}/multipart", _form(c, files=[fd.pdf_file("chi-dao.pdf")]))
    task_id = made.json()[0]["id"]
    client.force_login(c.director)
    client.post(
        f"{API}/{task_id}/reports/multipart",
        {"kind": "progress", "text": "Một nửa", "percent": "50", "files": [fd.png_file("anh.png")]},
    )
    body = client.get(f"{API}/{task_id}").json()
    (given,) = body["files"]
    assert given["name"] == "chi-dao.pdf" and given["content_type"] == "application/pdf"
    (report,) = body["reports"]
    assert [f["name"] for f in report["files"]] == ["anh.png"]
    download = client.get(given["url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "chi-dao.pdf" in download["Content-Disposition"]
    # Another task's file number under this task, and a unit that cannot see the task: not found.
    assert client.get(f"{API}/{task_id}/files/999999").status_code == 404
    client.force_login(c.commune_leaders[0])
    assert client.get(given["url"]).status_code == 404
