"""Plans (kế hoạch) and their milestones: a task assigned under a milestone (the guided form's
step 2, the API) shows on the plan's page; plans are created with their milestones."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories_tasks as ft
from thudo.tasks.models import Milestone, Plan, Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]
ASSIGN = "/can-bo/nhiem-vu/giao/"


@pytest.fixture
def vietnamese():
    with override_settings(LANGUAGE_CODE="vi"):
        yield


@pytest.fixture
def c():
    return ft.city()


def _year() -> int:
    return timezone.localdate().year


@pytest.fixture
def plan(c):
    p = Plan.objects.create(code="57/KH-UBND", title="Kế hoạch chuyển đổi số", year=_year(), agency=c.city)
    Milestone.objects.create(plan=p, name="Quý I", due=dt.date(_year(), 3, 31))
    Milestone.objects.create(plan=p, name="Cả năm", due=dt.date(_year(), 12, 31))
    return p


def _future(days: int = 20) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _to_step_two(client) -> str:
    url = client.get(ASSIGN).url
    what = {"title": "Số hóa hồ sơ hộ tịch", "source_kind": "plan", "priority": "normal"}
    response = client.post(url, what)
    assert response.status_code == 302
    return response.url


def _who(c, **extra) -> dict:
    return {
        "assigner_agency": c.city.pk,
        "lead_agencies": [c.department.pk],
        "recurrence": "once",
        "deadline": _future().isoformat(),
    } | extra


# --- the guided assign form ------------------------------------------------------------------------


def test_a_task_assigned_under_a_milestone_shows_on_the_plans_page(client, c, plan):
    whole_year = plan.milestones.get(name="Cả năm")
    client.force_login(c.chair)
    step_two = _to_step_two(client)
    page = client.get(step_two).text
    assert "Thuộc kế hoạch (mốc)" in page
    assert f"57/KH-UBND — Cả năm (hạn 31/12/{_year()})" in page
    response = client.post(step_two, _who(c, milestone=whole_year.pk))
    assert response.status_code == 302
    review = client.get(response.url).text
    assert "Kế hoạch chuyển đổi số" in review and "Cả năm" in review
    response = client.post(response.url, {"go": "next"})
    assert response.status_code == 302, response.content.decode()[:2000]
    t = Task.objects.get()
    assert t.plan == plan and t.milestone == whole_year
    plan_page = client.get(f"/can-bo/nhiem-vu/ke-hoach/{plan.pk}/").text
    assert "Cả năm" in plan_page and "Số hóa hồ sơ hộ tịch" in plan_page


def test_a_milestone_that_does_not_exist_is_a_clear_error_on_step_two(client, c, plan):
    client.force_login(c.chair)
    step_two = _to_step_two(client)
    response = client.post(step_two, _who(c, milestone=999999))
    assert response.status_code == 422
    assert "Lựa chọn không hợp lệ." in response.text and "Thuộc kế hoạch (mốc)" in response.text
    assert not Task.objects.exists()


# --- the API ---------------------------------------------------------------------------------------


def _create(client, c, **extra):
    body = {
        "title": "Số hóa hồ sơ hộ tịch",
        "assigner_agency": c.city.code,
        "lead_agencies": [c.department.code],
        "deadline": _future().isoformat(),
        **extra,
    }
    return client.post("/api/v1/tasks", json.dumps(body), content_type="application/json")


def test_the_api_assigns_under_a_milestone_and_refuses_an_unknown_one(client, c, plan):
    q1 = plan.milestones.get(name="Quý I")
    client.force_login(c.chair)
    missing = _create(client, c, milestone=999999)
    assert missing.status_code == 422
    assert missing.json()["fields"]["milestone"] == "Không tìm thấy mốc kế hoạch."
    assert not Task.objects.exists()
    made = _create(client, c, milestone=q1.pk)
    assert made.status_code == 201, made.content
    t = Task.objects.get()
    assert t.plan == plan and t.milestone == q1


def test_the_multipart_create_takes_the_milestone_too(client, c, plan):
    q1 = plan.milestones.get(name="Quý I")
    client.force_login(c.chair)
    made = client.post(
        "/api/v1/tasks/multipart",
        {
            "title": "Có tệp",
            "assigner_agency": c.city.code,
            "lead_agencies": [c.department.code],
            "deadline": _future().isoformat(),
            "milestone": str(q1.pk),
        },
    )
    assert made.status_code == 201, made.content
    assert Task.objects.get().milestone == q1
