"""Officials are reminded of dossiers due within one working day and of overdue dossiers, once per
dossier, kind and day, through the notifications outbox (``thudo dossier_reminders`` from cron)."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from tests import factories_dossiers as fd
from thudo.dossiers import actions, reminders
from thudo.notifications.models import Notification, OutboxMessage

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
# Wednesday 2 December 2026, 10:00 in Hanoi.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=HCM)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=HCM)


def received(w, when: datetime, *, assignee=None):
    d = actions.receive(fd.submit(w, at=when), by=w.reception, now=when)
    if assignee is not None:
        d = actions.forward(d, by=w.reception, assignee=assignee, now=when)
    return d


@pytest.fixture
def desk():
    with actions.papers_rendered(False):
        w = fd.world()
        w.specialist.email = "chuyenvien@phuong-a.gov.vn"
        w.specialist.save(update_fields=["email"])
        soon = received(w, at(2026, 11, 30, 9, 0), assignee=w.specialist)  # due Thu 3 Dec 09:00
        late = received(w, at(2026, 11, 24, 9, 0))  # due Fri 27 Nov 09:00: overdue
        later = received(w, at(2026, 12, 2, 9, 0), assignee=w.specialist)  # due Mon 7 Dec
        waiting = fd.submit(w, at=at(2026, 12, 2, 8, 0))  # not received yet: no appointment
    return w, soon, late, later, waiting


def notices(user, event=None):
    qs = Notification.objects.filter(user=user, event__startswith="dossier.")
    qs = qs.filter(event=event) if event else qs.filter(event__in=list(reminders.EVENTS.values()))
    return qs


def test_due_soon_goes_to_the_assignee_and_overdue_also_to_the_leader(desk):
    w, soon, late, later, waiting = desk
    assert reminders.send(now=NOW) == {"due_soon": 1, "overdue": 2}

    mine = notices(w.specialist)
    assert [(n.event, n.obj_id) for n in mine] == [("dossier.due_soon", str(soon.pk))]
    note = mine.get()
    assert soon.code in note.subject and "sắp đến hạn" in note.subject
    assert "09:00 03/12/2026" in note.body
    assert note.url.endswith(f"/can-bo/ho-so/{soon.code}/")

    leader = notices(w.leader).get()
    assert (leader.event, leader.obj_id) == ("dossier.overdue", str(late.pk))
    assert "quá hạn" in leader.subject and "mẫu 04" in leader.body
    # The overdue dossier waits at the reception step: the one-stop officer is told too.
    assert notices(w.reception, "dossier.overdue").get().obj_id == str(late.pk)
    # Nothing about dossiers with time left, nor to officials of another agency or citizens.
    reminded = Notification.objects.filter(event__in=list(reminders.EVENTS.values()))
    assert not reminded.filter(obj_id__in=[str(later.pk), str(waiting.pk)]).exists()
    assert not notices(w.other_officer).exists() and not notices(w.citizen).exists()
    # E-mail copies wait in the outbox for the delivery worker.
    assert OutboxMessage.objects.filter(event="dossier.due_soon", recipient=w.specialist.email).exists()


def test_once_per_day_and_again_the_next_day(desk):
    w, *_ = desk
    reminders.send(now=NOW)
    assert reminders.send(now=at(2026, 12, 2, 15, 0)) == {"due_soon": 0, "overdue": 0}
    assert notices(w.leader).count() == 1
    # Thursday: the first dossier is now overdue as well; each is reminded again.
    assert reminders.send(now=at(2026, 12, 3, 10, 0)) == {"due_soon": 0, "overdue": 4}
    assert notices(w.leader).count() == 3


def test_finished_and_paused_dossiers_are_not_reminded(desk):
    w, soon, late, *_ = desk
    with actions.papers_rendered(False):
        actions.reject(soon, by=w.specialist, reasons=["Thiếu giấy tờ"], now=at(2026, 12, 1, 9, 0))
        actions.request_supplement(late, by=w.reception, reasons=["Bổ sung"], now=at(2026, 11, 25, 9, 0))
    assert reminders.send(now=NOW) == {"due_soon": 0, "overdue": 0}


def test_command_for_cron(desk):
    out = StringIO()
    call_command("dossier_reminders", stdout=out)
    assert out.getvalue().startswith("due_soon=")
