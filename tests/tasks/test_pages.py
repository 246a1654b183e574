"""The task pages: what an official sees and does (Vietnamese messages, nothing saved on bad
input), the Excel follow-up register, and list query counts that do not grow with tasks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories_dossiers as fd
from tests import factories_tasks as ft
from thudo.core import spreadsheets
from thudo.core.models import Draft, DraftUpload
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


ASSIGN = "/can-bo/nhiem-vu/giao/"


def _start(client) -> str:
    """Open (or resume) the assign draft: the address of its current step."""
    response = client.get(ASSIGN)
    assert response.status_code == 302
    return response.url


def _step(url: str, slug: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[0] + f"/{slug}/"


def _what(**extra) -> dict:
    return {"title": "Rà soát dữ liệu đất đai", "source_kind": "document", "priority": "normal"} | extra


def _who(c, leads, **extra) -> dict:
    return {
        "assigner_agency": c.city.pk,
        "lead_agencies": [a.pk for a in leads],
        "recurrence": "once",
        "deadline": _future().isoformat(),
    } | extra


def test_a_leader_assigns_one_directive_to_many_communes_with_its_files(client, c):
    client.force_login(c.chair)
    url = _start(client)
    page = client.get(url)
    assert page.status_code == 200 and "Trích yếu nhiệm vụ" in page.text and "Bước 1/3" in page.text
    files = [fd.pdf_file("chi-dao.pdf"), fd.png_file("so-do.png")]
    response = client.post(url, _what(source_label="Văn bản 120/UBND-KT", files=files))
    assert response.status_code == 302 and response.url == _step(url, "don-vi")
    assert "Đơn vị chủ trì" in client.get(response.url).text
    response = client.post(response.url, _who(c, c.communes, each="on"))
    assert response.status_code == 302 and response.url == _step(url, "xem-lai")
    review = client.get(response.url).text
    assert "Văn bản 120/UBND-KT" in review and "chi-dao.pdf" in review and "so-do.png" in review
    assert all(a.name in review for a in c.communes)
    assert not Task.objects.exists()
    done = client.post(response.url, {"go": "next"})
    assert done.status_code == 302
    tasks = Task.objects.filter(title="Rà soát dữ liệu đất đai")
    assert tasks.count() == 3
    for t in tasks:
        assert sorted(t.files.values_list("original_name", flat=True)) == ["chi-dao.pdf", "so-do.png"]
    assert not Draft.objects.exists()  # the draft and its files are gone once the tasks exist
    listing = client.get(done.url)
    assert "Rà soát dữ liệu đất đai" in listing.text


def test_a_file_survives_a_past_deadline_on_step_two_and_reaches_the_task(client, c):
    client.force_login(c.chair)
    url = _start(client)
    client.post(url, _what(files=[fd.pdf_file("ke-hoach.pdf")]))
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    bad = client.post(_step(url, "don-vi"), _who(c, [c.department], deadline=past))
    assert bad.status_code == 422
    assert "không được ở trước ngày hôm nay" in bad.text and "ke-hoach.pdf" in bad.text
    assert 'class="error-summary" role="alert" tabindex="-1" autofocus' in bad.text
    assert not Task.objects.exists()
    # what was chosen is kept
    assert f'<option value="{c.department.pk}" selected>' in client.get(_step(url, "don-vi")).text
    assert client.post(_step(url, "don-vi"), _who(c, [c.department])).status_code == 302
    done = client.post(_step(url, "xem-lai"), {"go": "next"})
    t = Task.objects.get()
    assert done.url == f"/can-bo/nhiem-vu/{t.pk}/"
    assert list(t.files.values_list("original_name", flat=True)) == ["ke-hoach.pdf"]
    assert "ke-hoach.pdf" in client.get(done.url).text


def test_an_error_the_action_raises_at_the_end_shows_on_its_step_with_the_files(client, c):
    """Between step 2 and the submit the deadline passed (the draft was left for days)."""
    client.force_login(c.chair)
    url = _start(client)
    client.post(url, _what(files=[fd.pdf_file("ke-hoach.pdf")]))
    client.post(_step(url, "don-vi"), _who(c, [c.department], deadline=_future(1)))
    draft = Draft.objects.get()
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    draft.data = {**draft.data, "deadline": past}
    draft.save()
    refused = client.post(_step(url, "xem-lai"), {"go": "next"})
    assert refused.status_code == 422
    assert "không được ở trước ngày hôm nay" in refused.text
    assert f'action="{_step(url, "don-vi")}"' in refused.text  # step 2's form, posting to step 2
    assert "ke-hoach.pdf" in refused.text
    assert not Task.objects.exists() and DraftUpload.objects.count() == 1


def test_two_leads_or_a_lead_that_also_coordinates_is_a_clear_error_on_step_two(client, c):
    client.force_login(c.chair)
    url = _start(client)
    client.post(url, _what(title="Hai chủ trì"))
    response = client.post(_step(url, "don-vi"), _who(c, c.communes[:2]))
    assert response.status_code == 422
    assert "chỉ có một đơn vị chủ trì" in response.text
    both = client.post(_step(url, "don-vi"), _who(c, [c.department], coordinators=[c.department.pk]))
    assert both.status_code == 422 and "vừa chủ trì vừa phối hợp" in both.text
    assert not Task.objects.exists()


def test_a_bad_file_is_refused_on_arrival_in_vietnamese(client, c):
    client.force_login(c.chair)
    url = _start(client)
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, _what(files=[fd.pdf_file("tot.pdf"), fake]))
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF, JPG, PNG, DOC, DOCX hoặc XLSX." in response.text
    assert "tot.pdf" in response.text  # the good one is attached
    assert list(DraftUpload.objects.values_list("original_name", flat=True)) == ["tot.pdf"]


def test_the_draft_is_resumed_and_only_its_owner_opens_it(client, c):
    client.force_login(c.chair)
    url = _start(client)
    client.post(url, _what(title="Việc còn dở", files=[fd.pdf_file("tep.pdf")]))
    assert _start(client) == _step(url, "don-vi")  # back where the leader stopped, same draft
    first = client.get(_step(url, "noi-dung")).text
    assert "Việc còn dở" in first and "tep.pdf" in first
    other = Client()
    other.force_login(c.director)  # may assign for the department, but it is not his draft
    assert other.get(_step(url, "noi-dung")).status_code == 404
    assert other.post(_step(url, "xem-lai"), {"go": "next"}).status_code == 404
    assert not Task.objects.exists()


def test_discarding_the_draft_deletes_it(client, c):
    client.force_login(c.chair)
    url = _start(client)
    client.post(url, _what(files=[fd.pdf_file("tep.pdf")]))
    response = client.post(_step(url, "noi-dung"), {"go": "discard"})
    assert response.status_code == 302 and not Draft.objects.exists()


@pytest.mark.parametrize("slug", ["noi-dung", "don-vi", "xem-lai"])
def test_each_step_page_has_a_bounded_query_count(client, c, slug):
    client.force_login(c.chair)
    url = _start(client)
    client.post(url, _what(files=[fd.pdf_file("a.pdf")]))
    client.post(_step(url, "don-vi"), _who(c, c.communes[:1], coordinators=[c.department.pk]))
    client.get(_step(url, slug))  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(_step(url, slug)).status_code == 200
    more = [ft.agency(f"UBND Xã Thêm {i}", parent=c.city) for i in range(5)]
    client.post(_step(url, "noi-dung"), _what(files=[fd.pdf_file("b.pdf"), fd.pdf_file("c.pdf")]))
    client.post(_step(url, "don-vi"), _who(c, c.communes + more, each="on", coordinators=[c.department.pk]))
    with CaptureQueriesContext(connection) as many:
        assert client.get(_step(url, slug)).status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


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
