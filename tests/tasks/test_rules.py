"""The rules of tasks: one lead (database and action), the Tết status cases, extensions keep the
original date, and the issue's "bad input" list — each refused with a clear message, nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from tests import factories_tasks as ft
from thudo.core import calendars, events
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.core.models import CalendarOverride, OverrideKind
from thudo.tasks import actions, queries, status
from thudo.tasks.events import TaskFactsChanged, TaskNotified
from thudo.tasks.models import ReportKind, State, Task, TaskUnit, UnitRole
from thudo.tasks.status import Standing

pytestmark = pytest.mark.django_db
FRI_BEFORE_TET = dt.date(2026, 2, 13)


@pytest.fixture
def c():
    return ft.city()


# --- one task, one lead ----------------------------------------------------------------------------


def test_the_database_refuses_a_task_without_a_lead_unit(c):
    t = ft.task(c)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=t.pk).update(lead_agency=None)


def test_the_database_refuses_a_second_lead_unit(c):
    t = ft.task(c)
    assert t.units.get(role=UnitRole.LEAD).agency == c.department
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskUnit.objects.create(task=t, agency=c.communes[0], role=UnitRole.LEAD)


def test_the_database_refuses_a_lead_that_also_coordinates(c):
    t = ft.task(c, coordinators=[c.communes[0], c.communes[1]])  # co-ordinators may be many
    assert t.units.filter(role=UnitRole.COORDINATE).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskUnit.objects.create(task=t, agency=c.department, role=UnitRole.COORDINATE)


def test_assigning_with_no_lead_or_two_leads_is_refused_and_saves_nothing(c):
    with pytest.raises(InvalidInput) as no_lead:
        actions.assign(
            by=c.chair,
            assigner_agency=c.city,
            lead_agencies=[],
            title="X",
            deadline=FRI_BEFORE_TET,
            now=ft.at("2026-02-02"),
        )
    assert "đúng một đơn vị chủ trì" in no_lead.value.message
    with pytest.raises(InvalidInput) as two:
        actions.assign(
            by=c.chair,
            assigner_agency=c.city,
            lead_agencies=c.communes[:2],
            title="X",
            deadline=FRI_BEFORE_TET,
            now=ft.at("2026-02-02"),
        )
    assert two.value.code == "two_leads"
    with pytest.raises(InvalidInput, match="vừa chủ trì vừa phối hợp"):
        ft.task(c, coordinators=[c.department])
    assert not Task.objects.exists()


def test_bulk_assignment_gives_each_unit_its_own_task_as_lead(c):
    made = actions.assign(
        by=c.chair,
        assigner_agency=c.city,
        lead_agencies=c.communes,
        each=True,
        title="Rà soát dữ liệu dân cư",
        deadline=FRI_BEFORE_TET,
        now=ft.at("2026-02-02"),
    )
    assert [t.lead_agency for t in made] == c.communes
    assert len({t.batch for t in made}) == 1 and made[0].batch
    assert all(t.units.get().role == UnitRole.LEAD for t in made)


# --- the status, on the shared calendar --------------------------------------------------------------


def test_due_the_friday_before_tet_and_done_the_monday_after_is_late(c):
    t = ft.task(c, deadline=FRI_BEFORE_TET)
    report = actions.report_done(t, by=c.specialist, text="Đã triển khai", now=ft.at("2026-02-23", 10))
    t.refresh_from_db()
    assert status.standing(t) == Standing.DONE_LATE
    assert Standing(status.standing(t)).label == "Hoàn thành quá hạn"
    assert report.on_time is False and report.deadline_counted == FRI_BEFORE_TET


def test_due_the_friday_before_tet_and_done_that_friday_is_on_time(c):
    t = ft.task(c, deadline=FRI_BEFORE_TET)
    actions.report_done(t, by=c.specialist, text="Đã triển khai", now=ft.at("2026-02-13", 16))
    t.refresh_from_db()
    assert status.standing(t) == Standing.DONE_ON_TIME


def test_a_deadline_inside_tet_is_due_on_the_first_working_day_after(c):
    t = ft.task(c, deadline=dt.date(2026, 2, 17))
    assert status.due_day(t.deadline, t.lead_agency_id) == dt.date(2026, 2, 23)
    assert status.standing(t, dt.date(2026, 2, 23)) == Standing.ON_TRACK
    assert status.standing(t, dt.date(2026, 2, 24)) == Standing.OVERDUE
    actions.report_done(t, by=c.specialist, text="Xong", now=ft.at("2026-02-23"))
    t.refresh_from_db()
    assert status.standing(t) == Standing.DONE_ON_TIME


def test_in_progress_within_time_overdue_and_ongoing(c):
    t = ft.task(c, deadline=FRI_BEFORE_TET)
    assert status.standing(t, dt.date(2026, 2, 13)) == Standing.ON_TRACK
    # Over Tết nobody works, but the Friday has passed: overdue.
    assert status.standing(t, dt.date(2026, 2, 16)) == Standing.OVERDUE
    ongoing = ft.task(c, deadline=None, recurrence="ongoing")
    assert status.standing(ongoing, dt.date(2026, 12, 31)) == Standing.ONGOING


# --- extensions --------------------------------------------------------------------------------------


def test_an_approved_extension_moves_the_deadline_and_keeps_the_original(c):
    t = ft.task(c, deadline=FRI_BEFORE_TET)
    actions.request_extension(
        t, by=c.director, proposed=dt.date(2026, 2, 27), reason="Chờ dữ liệu", now=ft.at("2026-02-10")
    )
    actions.decide_extension(t, by=c.chair, approve=True, now=ft.at("2026-02-11"))
    t.refresh_from_db()
    assert (t.original_deadline, t.deadline) == (FRI_BEFORE_TET, dt.date(2026, 2, 27))
    assert list(t.events.values_list("verb", flat=True)) == [
        "assign",
        "request_extension",
        "approve_extension",
    ]
    report = actions.report_done(t, by=c.specialist, text="Xong", now=ft.at("2026-02-25"))
    # Default basis: the extended deadline; the report states it.
    assert (report.deadline_basis, report.deadline_counted, report.on_time) == (
        "extended",
        dt.date(2026, 2, 27),
        True,
    )
    t.refresh_from_db()
    assert status.standing(t) == Standing.DONE_ON_TIME


def test_the_setting_can_count_reports_against_the_original_deadline(c, settings):
    settings.THUDO = {**settings.THUDO, "TASK_DEADLINE_BASIS": "original"}
    t = ft.task(c, deadline=FRI_BEFORE_TET)
    actions.request_extension(
        t, by=c.director, proposed=dt.date(2026, 2, 27), reason="Chờ dữ liệu", now=ft.at("2026-02-10")
    )
    actions.decide_extension(t, by=c.chair, approve=True, now=ft.at("2026-02-11"))
    report = actions.report_done(t, by=c.specialist, text="Xong", now=ft.at("2026-02-25"))
    assert (report.deadline_basis, report.deadline_counted, report.on_time) == (
        "original",
        FRI_BEFORE_TET,
        False,
    )
    t.refresh_from_db()
    assert status.standing(t) == Standing.DONE_LATE


def test_a_refused_extension_changes_nothing(c):
    t = ft.task(c, deadline=FRI_BEFORE_TET)
    actions.request_extension(
        t, by=c.director, proposed=dt.date(2026, 2, 27), reason="Chờ", now=ft.at("2026-02-10")
    )
    actions.decide_extension(t, by=c.chair, approve=False, note="Không đủ lý do", now=ft.at("2026-02-11"))
    t.refresh_from_db()
    assert t.deadline == t.original_deadline == FRI_BEFORE_TET


# --- the life of a task --------------------------------------------------------------------------------


def test_accept_report_close_with_notices_and_facts(c):
    with events.recorded(TaskNotified) as notices, events.recorded(TaskFactsChanged) as facts:
        t = ft.task(c)
        actions.accept(t, by=c.specialist, now=ft.at("2026-02-03"))
        actions.report_progress(t, by=c.specialist, text="Đã khảo sát", percent=40, now=ft.at("2026-02-05"))
        actions.report_done(
            t, by=c.director, text="Đã triển khai", result_document="15/BC-STN", now=ft.at("2026-02-12")
        )
        actions.close(t, by=c.chair, now=ft.at("2026-02-12", 15))
    t.refresh_from_db()
    assert t.state == State.CLOSED and t.progress == 100 and t.result_document == "15/BC-STN"
    assert [n.verb for n in notices] == ["assign", "report_done", "close"]
    assert notices[0].notice.user == c.director  # the lead unit's leader
    assert notices[1].notice.user == c.chair  # the assigner
    assert {f.agency_id for f in facts} == {c.department.pk}
    assert list(t.reports.values_list("kind", flat=True)) == [ReportKind.PROGRESS, ReportKind.DONE]


def test_return_reopens_and_the_status_no_longer_counts_the_report(c):
    t = ft.task(c)
    actions.report_done(t, by=c.director, text="Xong", now=ft.at("2026-02-12"))
    actions.return_task(t, by=c.chair, reason="Thiếu số liệu", now=ft.at("2026-02-12", 15))
    t.refresh_from_db()
    assert t.state == State.IN_PROGRESS and t.done_on is None
    assert status.standing(t, dt.date(2026, 2, 13)) == Standing.ON_TRACK


def test_bad_input_deadline_in_the_past(c):
    with pytest.raises(InvalidInput) as e:
        ft.task(c, deadline=dt.date(2026, 2, 1), now=ft.at("2026-02-02"))
    assert "deadline" in e.value.fields
    assert not Task.objects.exists()


def test_bad_input_report_on_a_closed_task(c):
    t = ft.task(c)
    actions.report_done(t, by=c.director, text="Xong", now=ft.at("2026-02-12"))
    actions.close(t, by=c.chair, now=ft.at("2026-02-12", 15))
    with pytest.raises(Conflict):
        actions.report_progress(t, by=c.director, text="Thêm", percent=100, now=ft.at("2026-02-13"))
    assert t.reports.count() == 1


def test_bad_input_extension_on_a_task_without_a_date(c):
    t = ft.task(c, deadline=None, recurrence="ongoing")
    with pytest.raises(InvalidInput, match="không có thời hạn"):
        actions.request_extension(
            t, by=c.director, proposed=dt.date(2026, 3, 2), reason="Chờ", now=ft.at("2026-02-10")
        )
    assert not t.extensions.exists()


def test_sub_tasks_stay_inside_the_parent_lead_unit(c):
    t = ft.task(c)
    actions.accept(t, by=c.director, now=ft.at("2026-02-03"))
    sub = actions.assign_one(
        by=c.director,
        parent=t,
        lead_agency=c.section,
        title="Phần của phòng",
        deadline=dt.date(2026, 2, 11),
        now=ft.at("2026-02-03"),
    )
    assert sub.assigner_agency == c.department and sub.parent == t
    with pytest.raises(InvalidInput) as e:
        actions.assign_one(
            by=c.director,
            parent=t,
            lead_agency=c.communes[0],
            title="Ngoài đơn vị",
            deadline=dt.date(2026, 2, 11),
            now=ft.at("2026-02-03"),
        )
    assert e.value.code == "outside_parent"
    assert t.subtasks.count() == 1


def test_only_the_right_side_acts(c):
    t = ft.task(c)
    actions.report_done(t, by=c.director, text="Xong", now=ft.at("2026-02-12"))
    with pytest.raises(NotAllowed):  # the lead unit cannot close its own task
        actions.close(t, by=c.director, now=ft.at("2026-02-12"))
    with pytest.raises(NotFound):  # a commune does not even see it
        actions.accept(t, by=c.commune_leaders[0], now=ft.at("2026-02-03"))


@override_settings(LANGUAGE_CODE="vi")
def test_unknown_verb_is_invalid_input(c):
    t = ft.task(c)
    with pytest.raises(InvalidInput):
        actions.act(t, "explode", by=c.chair)


def test_closing_a_monthly_report_assigns_the_next_month_to_the_same_units():
    c = ft.city()
    first = ft.task(
        c,
        lead=c.communes[0],
        deadline=dt.date(2026, 1, 31),
        recurrence="monthly",
        coordinators=[c.department],
        now=ft.at("2026-01-05"),
    )
    actions.report_done(first, by=c.commune_leaders[0], text="Báo cáo tháng 1", now=ft.at("2026-01-30"))
    actions.close(first, by=c.chair, now=ft.at("2026-02-02"))
    nxt = Task.objects.exclude(pk=first.pk).get()
    assert (nxt.lead_agency, nxt.recurrence, nxt.state) == (c.communes[0], "monthly", "assigned")
    assert nxt.original_deadline == dt.date(2026, 2, 28)  # the month's last day, as January's was
    assert list(nxt.units.filter(role="coordinate").values_list("agency", flat=True)) == [c.department.pk]
    assert first.events.filter(verb="next_period", data__next=nxt.pk).exists()


def test_the_next_period_is_never_in_the_past_and_a_one_off_task_has_none():
    assert actions.next_deadline(dt.date(2026, 3, 31), 3, dt.date(2026, 4, 10)) == dt.date(2026, 6, 30)
    assert actions.next_deadline(dt.date(2026, 1, 15), 1, dt.date(2026, 4, 10)) == dt.date(2026, 4, 15)
    assert actions.next_deadline(dt.date(2026, 1, 30), 1, dt.date(2026, 2, 1)) == dt.date(2026, 2, 28)
    c = ft.city()
    once = ft.task(c, lead=c.communes[0], deadline=dt.date(2026, 1, 30), now=ft.at("2026-01-05"))
    actions.report_done(once, by=c.commune_leaders[0], text="Xong", now=ft.at("2026-01-29"))
    actions.close(once, by=c.chair, now=ft.at("2026-01-30"))
    assert Task.objects.count() == 1


def test_the_overdue_and_due_soon_lists_use_the_lead_units_calendar_as_the_row_status_does(c, settings):
    settings.THUDO = {**settings.THUDO, "TASK_REMINDER_DAYS": 1}
    a, b, _x = c.communes
    # Monday 09/03/2026 is a day off for commune A only (its own decision).
    CalendarOverride.objects.create(
        date=dt.date(2026, 3, 9), kind=OverrideKind.DAY_OFF, decision="01/QĐ-UBND", agency=a
    )
    calendars.forget()
    mine = ft.task(c, lead=a, deadline=dt.date(2026, 3, 9))
    theirs = ft.task(c, lead=b, deadline=dt.date(2026, 3, 9))
    tuesday = dt.date(2026, 3, 10)
    # A's task is due on Tuesday (its next working day); B's was due on Monday.
    assert status.standing(mine, tuesday) == Standing.ON_TRACK
    assert status.standing(theirs, tuesday) == Standing.OVERDUE
    overdue = set(Task.objects.filter(queries.overdue_q(tuesday)).values_list("pk", flat=True))
    due_soon = set(Task.objects.filter(queries.due_soon_q(tuesday)).values_list("pk", flat=True))
    assert overdue == {theirs.pk}
    assert due_soon == {mine.pk}
