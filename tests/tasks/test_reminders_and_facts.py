"""Reminders on working days only, once each; the KPI facts per unit equal a count made by hand."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from tests import factories_tasks as ft
from thudo.core import events, indicators
from thudo.core.livedata import LIVE_DATASETS
from thudo.tasks import actions, facts, opentables, reminders
from thudo.tasks.events import TaskNotified
from thudo.tasks.models import ReminderKind, SentReminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def c():
    return ft.city()


def _run(day: str, hour: int = 7):
    with events.recorded(TaskNotified) as seen:
        sent = reminders.send(now=ft.at(day, hour))
    return sent, seen


def test_reminders_k_working_days_before_on_the_day_and_each_working_day_overdue(c, settings):
    settings.THUDO = {**settings.THUDO, "TASK_REMINDER_DAYS": 2}
    t = ft.task(c, deadline=dt.date(2026, 2, 24))  # Tuesday after Tết
    # 2 working days before 24/02 is Friday 13/02 (Tết and the weekend do not count).
    expected = {
        "2026-02-12": None,
        "2026-02-13": ReminderKind.BEFORE,
        "2026-02-14": None,  # Saturday
        "2026-02-17": None,  # Tết
        "2026-02-23": None,  # 1 working day before: no reminder kind
        "2026-02-24": ReminderKind.DUE,
        "2026-02-25": ReminderKind.OVERDUE,
        "2026-02-28": None,  # Saturday: overdue, but a day off
        "2026-03-02": ReminderKind.OVERDUE,
    }
    for day, kind in expected.items():
        sent, seen = _run(day)
        got = {n.verb for n in seen}
        if kind is None:
            assert not seen, day
        else:
            # the lead unit's leader and the assigner
            assert got == {f"reminder.{kind}"} and {n.notice.user for n in seen} == {c.director, c.chair}, day
            assert sent[kind] == 2
    assert SentReminder.objects.filter(task=t).count() == 8


def test_each_reminder_is_sent_exactly_once(c):
    ft.task(c, deadline=dt.date(2026, 2, 13))
    first, seen = _run("2026-02-13")
    again, seen_again = _run("2026-02-13", 13)
    assert first[ReminderKind.DUE] == 2 and len(seen) == 2
    assert again[ReminderKind.DUE] == 0 and not seen_again


def test_no_reminder_for_done_or_ongoing_tasks(c):
    t = ft.task(c, deadline=dt.date(2026, 2, 13))
    ft.task(c, deadline=None, recurrence="ongoing")
    actions.report_done(t, by=c.director, text="Xong", now=ft.at("2026-02-12"))
    _sent, seen = _run("2026-02-13")
    assert not seen


def test_kpi_counts_per_unit_equal_a_count_by_hand(c):
    a, b, x = c.communes
    jan = "2026-01-0"
    # Commune A: 3 tasks received in February: one done on time, one done late, one overdue at
    # month end; plus one received in January and done in February on time.
    early = ft.task(c, lead=a, deadline=dt.date(2026, 2, 6), now=ft.at(jan + "5"))
    t1 = ft.task(c, lead=a, deadline=dt.date(2026, 2, 13))
    t2 = ft.task(c, lead=a, deadline=dt.date(2026, 2, 13))
    ft.task(c, lead=a, deadline=dt.date(2026, 2, 25))
    actions.report_done(early, by=c.commune_leaders[0], text="Xong", now=ft.at("2026-02-05"))
    actions.report_done(t1, by=c.commune_leaders[0], text="Xong", now=ft.at("2026-02-13"))
    actions.report_done(t2, by=c.commune_leaders[0], text="Xong", now=ft.at("2026-02-23"))
    # Commune B: 3 received; one cancelled (not counted), one due Friday 27/02 still open
    # (overdue at the end of the month), one due 02/03 (not yet).
    cancelled = ft.task(c, lead=b, deadline=dt.date(2026, 2, 20))
    ft.task(c, lead=b, deadline=dt.date(2026, 2, 27))
    ft.task(c, lead=b, deadline=dt.date(2026, 3, 2))
    actions.cancel(cancelled, by=c.chair, reason="Trùng nhiệm vụ", now=ft.at("2026-02-04"))
    # Commune X: nothing.
    got = facts.count(dt.date(2026, 2, 1), None, ft.at("2026-03-10"))
    by_hand = {
        a.pk: {
            facts.RECEIVED: 3,
            facts.DONE_ON_TIME: 2,
            facts.DONE_LATE: 1,
            facts.DONE: 3,
            facts.OVERDUE_AT_MONTH_END: 1,
        },
        b.pk: {facts.RECEIVED: 2, facts.OVERDUE_AT_MONTH_END: 1},
    }
    assert got == by_hand
    assert x.pk not in got
    # Counted on 27/02 (the month still running) the task due that day is not overdue yet.
    assert facts.count(dt.date(2026, 2, 1), [b.pk], ft.at("2026-02-27"))[b.pk] == {facts.RECEIVED: 2}
    # January: A received one; nothing done.
    assert facts.count(dt.date(2026, 1, 1), [a.pk], ft.at("2026-03-10")) == {a.pk: {facts.RECEIVED: 1}}


def test_the_source_is_registered_for_the_monthly_index():
    assert facts.SOURCE in list(indicators.SOURCES)
    assert indicators.fact_labels()[facts.DONE_ON_TIME] == "Nhiệm vụ hoàn thành đúng hạn"


def test_the_command_and_the_schedule():
    from django.apps import apps
    from django.core.management import call_command

    out = io.StringIO()
    call_command("task_reminders", stdout=out)
    assert "overdue=" in out.getvalue()
    schedule = apps.get_app_config("tasks").schedule
    assert [s.task for s in schedule] == ["thudo.tasks.tasks.send_reminders"]


def test_task_statistics_are_published_as_open_data(c):
    a = c.communes[0]
    ft.task(c, lead=a, deadline=timezone.localdate() + dt.timedelta(days=60), now=timezone.now())
    table = opentables.statistics_table()
    rows = [dict(zip([col.name for col in table.columns], r, strict=True)) for r in table.rows]
    assert rows == [
        {
            "ky": f"{timezone.localdate():%Y-%m}",
            "ma_don_vi": a.code,
            "ten_don_vi": a.name,
            "nhiem_vu_duoc_giao": 1,
            "hoan_thanh_dung_han": 0,
            "hoan_thanh_tre_han": 0,
            "qua_han_cuoi_thang": 0,
        }
    ]
    assert opentables.STATISTICS in LIVE_DATASETS


def test_co_ordinating_units_count_the_tasks_they_were_given(c):
    a, b, x = c.communes
    ft.task(c, lead=a, coordinators=[b, x], deadline=dt.date(2026, 2, 27))
    ft.task(c, lead=x, coordinators=[b], deadline=dt.date(2026, 2, 27))
    dropped = ft.task(c, lead=a, coordinators=[b], deadline=dt.date(2026, 2, 27))
    actions.cancel(dropped, by=c.chair, reason="Trùng", now=ft.at("2026-02-03"))
    got = facts.count(dt.date(2026, 2, 1), None, ft.at("2026-02-10"))
    assert got[b.pk] == {facts.COORDINATED: 2}  # the cancelled one is not counted
    assert got[x.pk] == {facts.RECEIVED: 1, facts.COORDINATED: 1}
    assert got[a.pk] == {facts.RECEIVED: 1}
    # Refreshing one unit counts only that unit's co-ordination.
    assert facts.count(dt.date(2026, 2, 1), [b.pk], ft.at("2026-02-10")) == {b.pk: {facts.COORDINATED: 2}}


def test_assigning_refreshes_the_co_ordinating_units_months_too(c):
    a, b, _x = c.communes
    with events.recorded(indicators.AgencyFactsChanged) as seen:
        ft.task(c, lead=a, coordinators=[b], deadline=dt.date(2026, 2, 27))
    assert {e.agency_id for e in seen} == {a.pk, b.pk}


def test_an_extension_approved_after_the_month_ended_does_not_rewrite_its_overdue_count(c):
    a = c.communes[0]
    late_extension = ft.task(c, lead=a, deadline=dt.date(2026, 2, 27))
    in_time_extension = ft.task(c, lead=a, deadline=dt.date(2026, 2, 27))
    for t, asked, decided in (
        (late_extension, "2026-03-03", "2026-03-04"),
        (in_time_extension, "2026-02-20", "2026-02-24"),
    ):
        actions.request_extension(
            t, by=c.commune_leaders[0], proposed=dt.date(2026, 3, 20), reason="Chờ số liệu", now=ft.at(asked)
        )
        actions.decide_extension(t, by=c.chair, approve=True, now=ft.at(decided))
    # At the end of February the first was overdue (its extension came in March), the second not.
    feb = facts.count(dt.date(2026, 2, 1), [a.pk], ft.at("2026-03-10"))
    assert feb[a.pk][facts.OVERDUE_AT_MONTH_END] == 1
    # In March neither is overdue: both now run to 20/03.
    assert facts.count(dt.date(2026, 3, 1), [a.pk], ft.at("2026-03-10")) == {}


def test_the_scoreboard_shows_what_each_unit_leads_and_co_ordinates(client, c):
    a, b, _x = c.communes
    today = timezone.localdate()
    ft.task(c, lead=a, coordinators=[b], deadline=today + dt.timedelta(days=30), now=timezone.now())
    client.force_login(c.chair)
    page = client.get(f"/can-bo/nhiem-vu/bang-theo-doi/?thang={today:%Y-%m}")
    rows = {r.split("</td>")[0].split(">")[-1]: r for r in page.text.split('<td class="card-title">')[1:]}
    assert "Được giao phối hợp" in page.text
    assert '"Được giao chủ trì">1<' in rows[a.name] and '"Được giao phối hợp">0<' in rows[a.name]
    assert '"Được giao chủ trì">0<' in rows[b.name] and '"Được giao phối hợp">1<' in rows[b.name]
