"""The task pages: what an official sees and does (Vietnamese messages, nothing saved on bad
input), the Excel follow-up register, and list query counts that do not grow with tasks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories_tasks as ft
from thudo.core import spreadsheets
from thudo.kpi import seed as kpi_seed
from thudo.tasks import actions
from thudo.tasks.models import State, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def c():
    return ft.city()


def _future(days: int = 20) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _task(c, **kw):
    return ft.task(c, deadline=kw.pop("deadline", _future()), now=timezone.now(), **kw)


def test_a_leader_assigns_one_directive_to_many_communes(client, c):
    client.force_login(c.chair)
    page = client.get("/can-bo/nhiem-vu/giao/")
    assert page.status_code == 200 and "Đơn vị chủ trì" in page.text
    response = client.post(
        "/can-bo/nhiem-vu/giao/",
        {
            "title": "Rà soát dữ liệu đất đai",
            "source_kind": "document",
            "source_label": "Văn bản 120/UBND-KT",
            "assigner_agency": c.city.pk,
            "lead_agencies": [a.pk for a in c.communes],
            "each": "on",
            "recurrence": "once",
            "deadline": _future().isoformat(),
            "priority": "normal",
        },
    )
    assert response.status_code == 302
    assert Task.objects.filter(title="Rà soát dữ liệu đất đai").count() == 3
    listing = client.get(response.url)
    assert "Rà soát dữ liệu đất đai" in listing.text


def test_two_leads_without_each_is_a_clear_error_and_saves_nothing(client, c):
    client.force_login(c.chair)
    response = client.post(
        "/can-bo/nhiem-vu/giao/",
        {
            "title": "Hai chủ trì",
            "source_kind": "ad_hoc",
            "assigner_agency": c.city.pk,
            "lead_agencies": [a.pk for a in c.communes[:2]],
            "recurrence": "once",
            "deadline": _future().isoformat(),
            "priority": "normal",
        },
    )
    assert response.status_code == 422
    assert "chỉ có một đơn vị chủ trì" in response.text
    assert not Task.objects.exists()


def test_a_deadline_in_the_past_is_shown_next_to_the_field(client, c):
    client.force_login(c.chair)
    response = client.post(
        "/can-bo/nhiem-vu/giao/",
        {
            "title": "Quá khứ",
            "source_kind": "ad_hoc",
            "assigner_agency": c.city.pk,
            "lead_agencies": [c.department.pk],
            "recurrence": "once",
            "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "priority": "normal",
        },
    )
    assert response.status_code == 422 and "không được ở trước ngày hôm nay" in response.text
    assert not Task.objects.exists()


def test_the_lead_unit_reports_done_and_the_assigner_closes(client, c):
    t = _task(c)
    client.force_login(c.director)
    page = client.get(f"/can-bo/nhiem-vu/{t.pk}/")
    assert "Báo cáo hoàn thành" in page.text and "Kết thúc nhiệm vụ" not in page.text
    bad = client.post(f"/can-bo/nhiem-vu/{t.pk}/bao-cao-hoan-thanh/", {"text": "", "result_document": ""})
    assert bad.status_code == 422 and "Nhập kết quả thực hiện" in bad.text
    done = client.post(
        f"/can-bo/nhiem-vu/{t.pk}/bao-cao-hoan-thanh/", {"text": "Đã xong", "result_document": "9/BC"}
    )
    assert done.status_code == 302
    t.refresh_from_db()
    assert t.state == State.REPORTED
    client.force_login(c.chair)
    page = client.get(f"/can-bo/nhiem-vu/{t.pk}/")
    assert "Hoàn thành đúng hạn" in page.text and "Kết thúc nhiệm vụ" in page.text
    client.post(f"/can-bo/nhiem-vu/{t.pk}/ket-thuc/", {"note": "Đạt"})
    t.refresh_from_db()
    assert t.state == State.CLOSED


def test_a_commune_does_not_see_another_units_task(client, c):
    t = _task(c)
    client.force_login(c.commune_leaders[0])
    assert client.get(f"/can-bo/nhiem-vu/{t.pk}/").status_code == 404
    assert client.post(f"/can-bo/nhiem-vu/{t.pk}/tiep-nhan/").status_code == 404


def test_unit_lists_scoreboard_and_the_follow_up_register(client, c):
    t = _task(c, deadline=_future(1))
    _task(c, title="Nhiệm vụ sau", deadline=_future(40))
    client.force_login(c.director)
    todo = client.get("/can-bo/nhiem-vu/")
    assert "Triển khai nền tảng số dùng chung" in todo.text and "Nhiệm vụ sau" in todo.text
    board = client.get("/can-bo/nhiem-vu/bang-theo-doi/")
    assert board.status_code == 200 and "Sở Thử Nghiệm Số" in board.text
    actions.report_done(t, by=c.director, text="=HYPERLINK(1)", result_document="12/BC-STN")
    xlsx = client.get("/can-bo/nhiem-vu/so-theo-doi.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    head = [ws.cell(row=spreadsheets.HEADER_ROW, column=i).value for i in range(1, 8)]
    assert head[3] == "Thời hạn giải quyết" and head[4] == "Tiến độ giải quyết"
    values = [[cell.value for cell in row] for row in ws.iter_rows(min_row=spreadsheets.HEADER_ROW + 1)]
    assert any(r[5] == "12/BC-STN" and "Hoàn thành đúng hạn" in r[4] for r in values)


def test_sub_task_page(client, c):
    t = _task(c)
    actions.accept(t, by=c.director)
    client.force_login(c.director)
    page = client.get(f"/can-bo/nhiem-vu/{t.pk}/giao-tiep/")
    assert page.status_code == 200
    response = client.post(
        f"/can-bo/nhiem-vu/{t.pk}/giao-tiep/",
        {"title": "Phần của phòng", "lead_agency": c.section.pk, "deadline": _future(5).isoformat()},
    )
    assert response.status_code == 302
    assert t.subtasks.get().lead_agency == c.section


@pytest.mark.parametrize(
    "path", ["/can-bo/nhiem-vu/", "/can-bo/nhiem-vu/da-giao/", "/can-bo/nhiem-vu/?tab=overdue"]
)
def test_list_query_counts_do_not_grow_with_tasks(client, c, path):
    def make(n):
        for i in range(n):
            _task(c, title=f"Nhiệm vụ {i}", deadline=_future(1 + i % 5), coordinators=[c.communes[0]])

    client.force_login(c.chair)
    make(3)
    client.get(path)  # warm caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    make(9)
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)


def test_the_plan_page_shows_milestones_and_units(client, c):
    from thudo.tasks.models import Milestone, Plan

    plan = Plan.objects.create(code="01/KH-TN", title="Kế hoạch thử", year=2026, agency=c.city)
    q1 = Milestone.objects.create(plan=plan, name="Quý I", due=dt.date(2026, 3, 31))
    _task(c, plan=plan, milestone=q1)
    client.force_login(c.chair)
    page = client.get(f"/can-bo/nhiem-vu/ke-hoach/{plan.pk}/")
    assert page.status_code == 200
    assert "Quý I" in page.text and "Sở Thử Nghiệm Số" in page.text


def test_a_coordinating_unit_reads_the_task_but_does_not_act(client, c):
    t = _task(c, coordinators=[c.communes[1]])
    client.force_login(c.commune_leaders[1])
    assert "Triển khai nền tảng số dùng chung" in client.get("/can-bo/nhiem-vu/?tab=coordinate").text
    page = client.get(f"/can-bo/nhiem-vu/{t.pk}/")
    assert page.status_code == 200 and "Bạn không có thao tác nào" in page.text
    client.post(f"/can-bo/nhiem-vu/{t.pk}/tiep-nhan/")
    t.refresh_from_db()
    assert t.state == State.ASSIGNED


def test_a_task_from_a_plan_target_links_to_that_target_on_the_board(client, c):
    kpi_seed.load()
    t = ft.task(
        c, source_kind="plan", source_ref="kpi.target:DG-01", source_label="Kế hoạch — chỉ tiêu DG-01"
    )
    client.force_login(c.director)
    page = client.get(f"/can-bo/nhiem-vu/{t.pk}/").content.decode()
    assert 'href="/kpi/muc-tieu/#muc-tieu-DG-01"' in page
    board = client.get("/kpi/muc-tieu/").content.decode()
    assert 'id="muc-tieu-DG-01"' in board
    gone = ft.task(c, source_kind="plan", source_ref="kpi.target:XX-99")
    assert "#muc-tieu-XX-99" not in client.get(f"/can-bo/nhiem-vu/{gone.pk}/").content.decode()
