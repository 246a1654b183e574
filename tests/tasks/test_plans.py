"""Plans (kế hoạch) and their milestones: a task assigned under a milestone (the guided form's
step 2, the API) shows on the plan's page; plans are created with their milestones."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from tests import factories
from tests import factories_tasks as ft
from thudo.core.errors import InvalidInput
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
    assert made.json()[0]["milestone"] == q1.pk
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


# --- creating plans ------------------------------------------------------------------------------

PLANS = "/can-bo/nhiem-vu/ke-hoach/"
CREATE = "/can-bo/nhiem-vu/ke-hoach/tao/"


def _plan_form(c, **extra) -> dict:
    year = _year()
    return {
        "code": "12/KH-UBND",
        "title": "Kế hoạch cải cách hành chính",
        "year": str(year),
        "agency": c.city.code,
        "basis": "Nghị quyết số 05",
        "m0_name": "Quý I",
        "m0_due": f"{year}-03-31",
        "m1_name": "6 tháng",
        "m1_due": f"{year}-06-30",
        "m2_name": "",
        "m2_due": "",
        "m3_name": "Cả năm",
        "m3_due": f"31/12/{year}",
    } | extra


def test_a_leader_creates_a_plan_with_its_milestones_and_finds_it_in_the_list(client, c):
    client.force_login(c.chair)
    form = client.get(CREATE).text
    assert "Quý III" in form and f"{_year()}-09-30" in form  # the usual milestones, prefilled
    response = client.post(CREATE, _plan_form(c))
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert response.url == f"{PLANS}{plan.pk}/"
    assert plan.agency == c.city and plan.year == _year() and plan.basis == "Nghị quyết số 05"
    assert [m.name for m in plan.milestones.all()] == ["Quý I", "6 tháng", "Cả năm"]
    page = client.get(response.url).text
    assert "Đã tạo kế hoạch 12/KH-UBND." in page and "6 tháng" in page  # every milestone has its row
    listing = client.get(PLANS).text
    assert "12/KH-UBND" in listing and f'href="{PLANS}{plan.pk}/"' in listing
    assert f'href="{PLANS}"' in client.get("/can-bo/nhiem-vu/").text  # linked from the task lists


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"code": ""}, "Vui lòng nhập thông tin này."),
        ({"year": "hai nghìn"}, "Nhập năm, ví dụ 2026."),
        ({"m1_due": f"{_year() + 1}-06-30"}, "phải trong năm"),
        ({"m1_due": ""}, "Nhập hạn của mốc “6 tháng”."),
        ({"m1_name": "Quý I"}, "Kế hoạch đã có mốc “Quý I”."),
        ({"m1_name": "", "m1_due": f"{_year()}-06-30"}, "Nhập tên mốc."),
        ({"agency": "khong-co"}, "Lựa chọn không hợp lệ."),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(client, c, change, field_message):
    client.force_login(c.chair)
    response = client.post(CREATE, _plan_form(c, **change))
    assert response.status_code == 422
    assert field_message in response.text
    assert not Plan.objects.exists() and not Milestone.objects.exists()


def test_a_duplicate_plan_number_is_refused(client, c, plan):
    client.force_login(c.chair)
    response = client.post(CREATE, _plan_form(c, code="57/kh-ubnd"))
    assert response.status_code == 422 and "Đã có kế hoạch số “57/kh-ubnd”." in response.text
    assert Plan.objects.count() == 1


def test_only_who_may_assign_for_the_agency_creates_a_plan(client, c):
    client.force_login(c.specialist)  # a specialist sees tasks, assigns none
    assert client.get(PLANS).status_code == 200
    assert client.get(CREATE).status_code == 404
    assert client.post(CREATE, _plan_form(c, agency=c.department.code)).status_code == 404
    client.force_login(c.commune_leaders[0])  # a commune's leader: not on behalf of the city
    response = client.post(CREATE, _plan_form(c))
    assert response.status_code == 422 and "Lựa chọn không hợp lệ." in response.text
    assert not Plan.objects.exists()


def test_the_actions_check_the_agency_and_add_a_milestone(c, plan):
    from thudo.core.errors import InvalidInput, NotAllowed
    from thudo.tasks import actions

    with pytest.raises(NotAllowed):
        actions.create_plan(
            by=c.commune_leaders[0], code="1/KH", title="X", year=_year(), agency=c.city, milestones=()
        )
    with pytest.raises(NotAllowed):
        actions.add_milestone(plan, by=c.specialist, name="Quý II", due=dt.date(_year(), 6, 30))
    with pytest.raises(InvalidInput) as e:
        actions.add_milestone(plan, by=c.chair, name="Quý II", due=dt.date(_year() + 1, 6, 30))
    assert "milestone.due" in e.value.fields
    m = actions.add_milestone(plan, by=c.chair, name="Quý II", due=dt.date(_year(), 6, 30))
    assert m.plan == plan and plan.milestones.count() == 3


def test_the_plans_list_has_a_bounded_query_count(client, c):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(c.chair)
    Plan.objects.create(code="1/KH", title="Một", year=_year(), agency=c.city)
    client.get(PLANS)
    with CaptureQueriesContext(connection) as few:
        client.get(PLANS)
    for n in range(2, 7):
        p = Plan.objects.create(code=f"{n}/KH", title="Thêm", year=_year(), agency=c.department)
        Milestone.objects.create(plan=p, name="Cả năm", due=dt.date(_year(), 12, 31))
        ft.task(c, plan=p, deadline=_future(), now=timezone.now())
    with CaptureQueriesContext(connection) as many:
        assert "6/KH" in client.get(PLANS).text
    assert len(many) == len(few)


def test_the_database_keeps_one_plan_number_in_any_case():
    agency = factories.AgencyFactory()
    Plan.objects.create(code="57/KH-UBND", title="Kế hoạch", year=2026, agency=agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(code="57/kh-ubnd", title="Trùng", year=2026, agency=agency)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (two connections at once)")
def test_two_people_saving_the_same_number_at_once_get_a_clear_error_not_a_crash():
    from thudo.tasks import actions

    c = ft.city()

    def save(i):
        try:
            actions.create_plan(by=c.chair, code="99/KH-UBND", title=f"Lần {i}", year=2026, agency=c.city)
            return "saved"
        except InvalidInput as exc:
            return exc.fields["code"]

    results, errors = factories.in_threads(2, save)
    assert not errors
    assert sorted(results) == ["saved", "Đã có kế hoạch số “99/KH-UBND”."]
    assert Plan.objects.filter(code="99/KH-UBND").count() == 1
