"""Clocks in working hours on the one calendar service (Decision 1207/QĐ-UBND; domain-round2 F1, F2)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories_feedback as ff
from thudo.feedback import actions, clocks
from thudo.feedback.models import LevelTerm

pytestmark = pytest.mark.django_db


def test_urgent_report_accepted_friday_before_tet_is_due_monday_after_tet():
    """F1: 1 working hour on Friday 13/02/2026 + 3 on Monday 23/02/2026 (Tết days off between)."""
    p = ff.place()
    r = ff.report(p, level="urgent", now=ff.at("2026-02-13", 9))
    r = actions.accept(r, by=p.triage, now=ff.at("2026-02-13", 16))
    assert r.handle_due == ff.at("2026-02-23", 11)


def test_urgent_accepted_on_an_ordinary_friday_is_due_monday_11():
    p = ff.place()
    r = ff.report(p, level="urgent", now=ff.at("2026-03-06", 9))
    r = actions.accept(r, by=p.triage, now=ff.at("2026-03-06", 16))
    assert r.handle_due == ff.at("2026-03-09", 11)


def test_acceptance_is_due_eight_working_hours_after_submission():
    p = ff.place()
    r = ff.report(p, now=ff.at("2026-03-02", 9))  # Monday
    assert r.accept_due == ff.at("2026-03-03", 9)  # Tuesday 09:00 (lunch hour not counted)


def test_not_accepted_by_tuesday_nine_is_overdue_for_acceptance():
    """F2: submitted Monday 09:00, still waiting on Tuesday 09:00 (8 working hours) → overdue."""
    p = ff.place()
    r = ff.report(p, now=ff.at("2026-03-02", 9))
    assert clocks.report_overdue(r, ff.at("2026-03-03", 8, 59)) == []
    late = clocks.report_overdue(r, ff.at("2026-03-03", 9, 1))
    assert [o.kind for o in late] == [clocks.ACCEPT]


def test_accepted_in_time_is_not_overdue_but_late_handling_is():
    p = ff.place()
    r = ff.report(p, now=ff.at("2026-03-02", 9))
    r = actions.accept(r, by=p.triage, now=ff.at("2026-03-02", 15))
    assert clocks.report_overdue(r, ff.at("2026-03-03", 10)) == []
    assert [o.kind for o in clocks.report_overdue(r, r.handle_due + dt.timedelta(minutes=1))] == [
        clocks.HANDLE
    ]


def test_normal_and_complex_terms_are_data():
    p = ff.place()
    LevelTerm.objects.filter(level="normal").update(handle_hours=16)
    r = ff.report(p, now=ff.at("2026-03-02", 9))
    r = actions.accept(r, by=p.triage, now=ff.at("2026-03-02", 9))
    assert r.handle_due == ff.at("2026-03-04", 9)  # 7 h Monday + 8 h Tuesday + 1 h Wednesday
    assert not LevelTerm.objects.get(level="complex").confirmed  # UNCONFIRMED value, editable
    assert LevelTerm.objects.get(level="urgent").confirmed


def test_transfer_keeps_the_handling_clock():
    """F3: a transfer records from/to/reason and does NOT reset the handling deadline."""
    p = ff.place()
    dep, _dep_officer = ff.department()
    ff.route(p)
    r = ff.report(p, now=ff.at("2026-03-02", 9))
    r = actions.accept(r, by=p.triage, now=ff.at("2026-03-02", 10))
    due = r.handle_due
    r = actions.transfer(
        r, by=p.handler, unit=dep.pk, reason="Công trình do Sở quản lý", now=ff.at("2026-03-04", 9)
    )
    assert r.unit == dep and r.handle_due == due
    ev = r.events.get(verb="transfer")
    assert (ev.from_unit, ev.to_unit, ev.note) == (p.committee, dep, "Công trình do Sở quản lý")
    assert str(clocks.TRANSFER_RULE).startswith("Chuyển đơn vị xử lý không làm tính lại thời hạn")


def test_reminders_go_to_the_officers_before_each_deadline():
    from thudo.notifications.models import Notification

    p = ff.place()
    r = ff.report(p, now=ff.at("2026-03-02", 9))
    assert actions.send_reminders(now=ff.at("2026-03-02", 10)) == 0  # 7 working hours left
    assert actions.send_reminders(now=ff.at("2026-03-03", 7, 30)) == 1  # 1 h left (08:00–09:00)
    assert Notification.objects.filter(user=p.triage, event="feedback.reminder").count() == 1
    assert actions.send_reminders(now=ff.at("2026-03-03", 8)) == 0  # once per deadline
    ff.route(p)
    actions.accept(r, by=p.triage, now=ff.at("2026-03-03", 8))
    r.refresh_from_db()
    assert actions.send_reminders(now=r.handle_due - dt.timedelta(hours=1)) == 1
    assert Notification.objects.filter(user=p.handler, event="feedback.reminder").count() == 1
