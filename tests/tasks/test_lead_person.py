"""The lead person (người chủ trì): the lead unit's leader names the official who handles the
task; that person then acts on the lead side and receives the notices. Pages and the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories
from tests import factories_tasks as ft
from thudo.core import events
from thudo.core.errors import InvalidInput, NotAllowed, NotFound
from thudo.core.models import AuditRecord, Role
from thudo.tasks import actions
from thudo.tasks.events import TaskNotified
from thudo.tasks.models import State, TaskEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


@pytest.fixture
def vietnamese():
    with override_settings(LANGUAGE_CODE="vi"):
        yield


@pytest.fixture
def c():
    return ft.city()


@pytest.fixture
def clerk(c):
    """An official of the lead unit who may only read tasks until named the lead person."""
    user = factories.official(role=Role.CLERK, agency=c.department)
    user.full_name = "Trần Thị Văn Thư"
    user.save(update_fields=["full_name"])
    return user


def _task(c):
    return ft.task(c, deadline=timezone.localdate() + dt.timedelta(days=20), now=timezone.now())


def test_the_unit_leader_designates_and_the_person_is_told_and_may_report(c, clerk):
    t = _task(c)
    with pytest.raises(NotAllowed):  # before: the clerk only reads
        actions.report_progress(t, by=clerk, text="Đã làm", percent=10)
    with events.recorded(TaskNotified) as notices:
        actions.designate(t, by=c.director, person=clerk)
    t.refresh_from_db()
    assert t.lead_person == clerk and t.state == State.ASSIGNED
    event = t.events.get(verb="designate")
    assert event.note == "Trần Thị Văn Thư" and event.by == c.director
    assert [(n.verb, n.notice.user) for n in notices] == [("designate", clerk)]
    assert "chủ trì" in notices[0].notice.subject
    assert AuditRecord.objects.filter(verb="task.designate").exists()
    assert actions.lead_people(t) == [clerk]  # the reminders go to the lead person
    report = actions.report_progress(t, by=clerk, text="Đã khảo sát", percent=30)
    assert report.percent == 30


def test_designating_again_replaces_the_person(c, clerk):
    t = _task(c)
    actions.designate(t, by=c.director, person=clerk)
    actions.designate(t, by=c.director, person=c.specialist)
    t.refresh_from_db()
    assert t.lead_person == c.specialist
    assert t.events.filter(verb="designate").count() == 2


def test_only_the_lead_units_leader_designates(c, clerk):
    t = _task(c)
    with pytest.raises(NotAllowed):  # a specialist of the lead unit: sees, may not name
        actions.designate(t, by=c.specialist, person=clerk)
    with pytest.raises(NotFound):  # a commune does not even see the task
        actions.designate(t, by=c.commune_leaders[0], person=clerk)
    actions.designate(t, by=c.director, person=clerk)
    with pytest.raises(NotAllowed):  # the lead person does not name another in their place
        actions.designate(t, by=clerk, person=c.specialist)
    t.refresh_from_db()
    assert t.lead_person == clerk


def test_a_person_of_another_unit_is_refused_in_vietnamese_and_nothing_is_saved(c):
    t = _task(c)
    with pytest.raises(InvalidInput) as e:
        actions.designate(t, by=c.director, person=c.commune_leaders[0])
    assert e.value.fields["person"] == "Người chủ trì phải là cán bộ của đơn vị chủ trì."
    t.refresh_from_db()
    assert t.lead_person is None and not TaskEvent.objects.filter(verb="designate").exists()


def test_a_closed_task_gets_no_lead_person(c, clerk):
    t = _task(c)
    actions.report_done(t, by=c.director, text="Xong")
    with pytest.raises(Exception, match="trạng thái"):
        actions.designate(t, by=c.director, person=clerk)


# --- the task page -----------------------------------------------------------------------------------


def test_the_task_page_lists_the_units_people_and_designates(client, c, clerk):
    t = _task(c)
    client.force_login(c.director)
    page = client.get(f"/can-bo/nhiem-vu/{t.pk}/").text
    assert "Phân công người chủ trì" in page and "Trần Thị Văn Thư" in page
    assert c.commune_leaders[0].username not in page  # only the lead unit's people
    response = client.post(f"/can-bo/nhiem-vu/{t.pk}/nguoi-chu-tri/", {"person": clerk.pk})
    assert response.status_code == 302
    page = client.get(response.url).text
    assert "Đã phân công Trần Thị Văn Thư chủ trì nhiệm vụ" in page
    assert page.count("Phân công người chủ trì") >= 2  # the form and the history line
    t.refresh_from_db()
    assert t.lead_person == clerk


def test_the_page_refuses_a_person_outside_the_unit_and_the_form_is_hidden_from_others(client, c):
    t = _task(c)
    client.force_login(c.director)
    response = client.post(f"/can-bo/nhiem-vu/{t.pk}/nguoi-chu-tri/", {"person": c.commune_leaders[0].pk})
    assert response.status_code == 422 and "Lựa chọn không hợp lệ." in response.text
    t.refresh_from_db()
    assert t.lead_person is None
    client.force_login(c.specialist)
    assert "Phân công người chủ trì" not in client.get(f"/can-bo/nhiem-vu/{t.pk}/").text
    response = client.post(f"/can-bo/nhiem-vu/{t.pk}/nguoi-chu-tri/", {"person": c.specialist.pk})
    assert response.status_code == 404


# --- the API ---------------------------------------------------------------------------------------


def _act(client, t, body):
    return client.post(f"/api/v1/tasks/{t.pk}/act", json.dumps(body), content_type="application/json")


def test_the_api_designates_by_username_and_refuses_unknown_or_ineligible(client, c, clerk):
    t = _task(c)
    client.force_login(c.director)
    unknown = _act(client, t, {"verb": "designate", "person": "khong-co-ai"})
    assert unknown.status_code == 422 and "person" in unknown.json()["fields"]
    other = _act(client, t, {"verb": "designate", "person": c.commune_leaders[0].username})
    assert other.status_code == 422
    assert other.json()["fields"]["person"] == "Người chủ trì phải là cán bộ của đơn vị chủ trì."
    missing = _act(client, t, {"verb": "designate"})
    assert missing.status_code == 422 and "person" in missing.json()["fields"]
    t.refresh_from_db()
    assert t.lead_person is None
    done = _act(client, t, {"verb": "designate", "person": clerk.username})
    assert done.status_code == 200, done.content
    assert done.json()["lead_person"] == clerk.username
    assert done.json()["history"][-1]["verb"] == "designate"
    client.force_login(c.specialist)
    assert _act(client, t, {"verb": "designate", "person": c.specialist.username}).status_code == 403
