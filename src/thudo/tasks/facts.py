"""The tasks app's indicator source (:mod:`thudo.core.indicators`): per lead unit and month, the
tasks received, done on time, done late and overdue at the month's end (Plan 259/KH-UBND ranks
units on task results too). ``kpi`` rolls them up without importing this app; the on-time rate is
``tasks.done_on_time / tasks.done`` (an indicator of kind ``dossier_ratio`` with these facts)."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import cast

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thudo.core.indicators import IndicatorSource
from thudo.tasks import status as st
from thudo.tasks.models import DONE_STATES, State, Task

RECEIVED = "tasks.received"
DONE_ON_TIME = "tasks.done_on_time"
DONE_LATE = "tasks.done_late"
DONE = "tasks.done"  # on time + late: the on-time rate's denominator
OVERDUE_AT_MONTH_END = "tasks.overdue_month_end"

FACTS = {
    RECEIVED: _("Nhiệm vụ được giao"),
    DONE_ON_TIME: _("Nhiệm vụ hoàn thành đúng hạn"),
    DONE_LATE: _("Nhiệm vụ hoàn thành quá hạn"),
    DONE: _("Nhiệm vụ hoàn thành"),
    OVERDUE_AT_MONTH_END: _("Nhiệm vụ quá hạn cuối tháng"),
}


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    last = first.replace(day=_calendar.monthrange(first.year, first.month)[1])
    return first, last


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def count(month: dt.date, agency_ids: Sequence[int] | None, now: dt.datetime) -> dict[int, dict[str, int]]:
    """One month's task facts per lead unit, in one query per fact family (never per agency).

    - received: tasks assigned in the month (not cancelled);
    - done on time / late: done reports dated in the month of tasks still counted done, judged
      against the deadline each report stated;
    - overdue at month end: tasks not done and not cancelled at the end of the month's last day
      whose due day was that day or earlier (for the current month: whose due day is before today).
    """
    first, last = _month_bounds(month)
    today = timezone.localtime(now).date()
    cutoff = min(last, today)
    base = Task.objects.all()
    if agency_ids is not None:
        base = base.filter(lead_agency_id__in=list(agency_ids))
    out: dict[int, dict[str, int]] = {}

    def bump(agency_id: int, fact: str) -> None:
        row = out.setdefault(agency_id, {})
        row[fact] = row.get(fact, 0) + 1

    start, end = _moment(first), _moment(last + dt.timedelta(days=1))
    received = base.filter(assigned_at__gte=start, assigned_at__lt=end).exclude(state=State.CANCELLED)
    for agency_id in received.values_list("lead_agency_id", flat=True):
        bump(agency_id, RECEIVED)

    done = base.filter(state__in=DONE_STATES, done_on__gte=first, done_on__lte=last)
    for t in done.only("pk", "state", "done_on", "done_deadline", "lead_agency_id", "recurrence"):
        s = st.standing(t)
        bump(t.lead_agency_id, DONE_ON_TIME if s == st.Standing.DONE_ON_TIME else DONE_LATE)
        bump(t.lead_agency_id, DONE)

    cutoff_end = _moment(cutoff + dt.timedelta(days=1))
    field = st.deadline_field()
    late = (
        base.filter(assigned_at__lt=cutoff_end, **{f"{field}__lte": cutoff})
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=cutoff))
        .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=cutoff_end))
    )
    finished = today > last
    for t in late.only("pk", "deadline", "original_deadline", "lead_agency_id"):
        last_day = st.due_day(st.counted_deadline(t), t.lead_agency_id)
        if last_day is not None and (last_day <= last if finished else last_day < today):
            bump(t.lead_agency_id, OVERDUE_AT_MONTH_END)
    return out


# Lazy labels: translated when shown.
SOURCE = IndicatorSource(name="tasks", facts=cast(Mapping[str, str], FACTS), count=count)
