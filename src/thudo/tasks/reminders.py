"""Reminders (đôn đốc): k working days before a task's deadline (setting ``TASK_REMINDER_DAYS``),
on the due day, and on every working day it is overdue; to the lead person (or the lead unit's
leaders) and the assigner. Never on a day off of the lead unit's calendar. Each reminder goes out
exactly once: a :class:`SentReminder` row (task, kind, day, person) under a unique key is written
before the notice, so running the job again the same day sends nothing new.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thudo.core import events
from thudo.core.calendars import calendar_for
from thudo.core.config import config
from thudo.core.models import User
from thudo.tasks import status as st
from thudo.tasks.actions import assigner_people, lead_people, task_url
from thudo.tasks.events import TaskNotified
from thudo.tasks.models import OPEN_STATES, ReminderKind, SentReminder, Task


def kind_on(t: Task, day: date) -> str | None:
    """Which reminder ``t`` is due for on ``day`` (``None``: none, or a day off)."""
    if t.state not in OPEN_STATES or not calendar_for(t.lead_agency_id).is_working_day(day):
        return None
    last = st.due_day(st.counted_deadline(t), t.lead_agency_id)
    if last is None:
        return None
    if day > last:
        return ReminderKind.OVERDUE
    if day == last:
        return ReminderKind.DUE
    # k working days before: the k-th working day after today is the due day (k steps, not a
    # walk over every day between, which a task overdue for a year would make long).
    k = config().task_reminder_days
    if k > 0 and st.add_working_days(day, k, t.lead_agency_id) == last:
        return ReminderKind.BEFORE
    return None


def candidates(day: date) -> list[Task]:
    # Generous window: k working days can span a Tết break; the exact rule is kind_on().
    horizon = day + timedelta(days=config().task_reminder_days * 2 + 21)
    field = st.deadline_field()
    qs = Task.objects.filter(state__in=OPEN_STATES, **{f"{field}__lte": horizon})
    return list(qs.select_related("lead_agency", "lead_person", "assigner").order_by("pk"))


def _message(t: Task, kind: str) -> tuple[str, str]:
    deadline = st.counted_deadline(t)
    values = {"code": t.code, "title": t.title, "unit": t.lead_agency.name, "d": f"{deadline:%d/%m/%Y}"}
    if kind == ReminderKind.OVERDUE:
        return (
            _("Nhiệm vụ %(code)s đã quá hạn") % values,
            _("Nhiệm vụ “%(title)s” (%(unit)s chủ trì) đã quá hạn %(d)s.") % values,
        )
    if kind == ReminderKind.DUE:
        return (
            _("Nhiệm vụ %(code)s đến hạn hôm nay") % values,
            _("Nhiệm vụ “%(title)s” (%(unit)s chủ trì) đến hạn hôm nay (%(d)s).") % values,
        )
    return (
        _("Nhiệm vụ %(code)s sắp đến hạn") % values,
        _("Nhiệm vụ “%(title)s” (%(unit)s chủ trì) phải hoàn thành trước %(d)s.") % values,
    )


def send(*, now: datetime | None = None) -> dict[str, int]:
    """Send today's reminders; returns how many went out per kind (0 on a second run)."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    sent = dict.fromkeys(ReminderKind.values, 0)
    # What already went out today (an earlier run): skipped without a write. The unique key below
    # still decides when two runs overlap.
    done = set(SentReminder.objects.filter(day=day).values_list("task_id", "kind", "user_id"))
    leaders: dict[int, list[User]] = {}
    with translation.override("vi"):
        for t in candidates(day):
            kind = kind_on(t, day)
            if kind is None:
                continue
            subject, body = _message(t, kind)
            people = {p.pk: p for p in [*lead_people(t, memo=leaders), *assigner_people(t)]}
            for person in people.values():
                if (t.pk, kind, person.pk) in done:
                    continue
                try:
                    with transaction.atomic():
                        SentReminder.objects.create(task=t, kind=kind, day=day, user=person, sent_at=now)
                        notice = events.Notice(
                            topic=f"task.reminder.{kind}",
                            subject=subject,
                            body=body,
                            user=person,
                            url=task_url(t),
                            obj=t,
                            key=f"task:{t.pk}:reminder:{kind}:{day.isoformat()}:{person.pk}",
                        )
                        events.publish(TaskNotified(task_id=t.pk, verb=f"reminder.{kind}", notice=notice))
                except IntegrityError:
                    continue  # already sent today (another run, or this one repeated)
                sent[kind] += 1
    return sent
