"""The tasks app's indicator source (:mod:`thudo.core.indicators`): per lead unit and month, the
tasks received, done on time, done late and overdue at the month's end (Plan 259/KH-UBND ranks
units on task results too), and per co-ordinating unit the tasks it was given to co-ordinate
(phối hợp; the lead answers for the result, Decree 314/2025, so only the lead is judged on time).
``kpi`` rolls them up without importing this app; the on-time rate is
``tasks.done_on_time / tasks.done`` (an indicator of kind ``dossier_ratio`` with these facts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import cast

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thudo.core.indicators import IndicatorSource, month_bounds
from thudo.tasks import status as st
from thudo.tasks.models import (
    DONE_STATES,
    DeadlineBasis,
    Decision,
    ExtensionRequest,
    State,
    Task,
    TaskUnit,
    UnitRole,
)

RECEIVED = "tasks.received"
DONE_ON_TIME = "tasks.done_on_time"
DONE_LATE = "tasks.done_late"
DONE = "tasks.done"  # on time + late: the on-time rate's denominator
OVERDUE_AT_MONTH_END = "tasks.overdue_month_end"
COORDINATED = "tasks.coordinated"  # received as a co-ordinating unit

FACTS = {
    RECEIVED: _("Nhiệm vụ được giao"),
    DONE_ON_TIME: _("Nhiệm vụ hoàn thành đúng hạn"),
    DONE_LATE: _("Nhiệm vụ hoàn thành quá hạn"),
    DONE: _("Nhiệm vụ hoàn thành"),
    OVERDUE_AT_MONTH_END: _("Nhiệm vụ quá hạn cuối tháng"),
    COORDINATED: _("Nhiệm vụ được giao phối hợp"),
}


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def deadlines_in_effect(tasks: QuerySet[Task], before: dt.datetime) -> dict[int, dt.date]:
    """The working deadline each task had just before ``before``, for those whose deadline an
    extension approved before then moved (one query). Extensions only move a deadline later, so
    the latest approved date is the one in effect; a later approval does not rewrite a past month."""
    approved = ExtensionRequest.objects.filter(
        task__in=tasks, decision=Decision.APPROVED, decided_at__lt=before
    )
    return dict(approved.values("task_id").annotate(d=Max("proposed")).values_list("task_id", "d"))


def count(month: dt.date, agency_ids: Sequence[int] | None, now: dt.datetime) -> dict[int, dict[str, int]]:
    """One month's task facts per unit, in one query per fact family (never per agency).

    - received: tasks assigned in the month (not cancelled), per lead unit;
    - co-ordinated: the same, per co-ordinating unit;
    - done on time / late: done reports dated in the month of tasks still counted done, judged
      against the deadline each report stated;
    - overdue at month end: tasks not done and not cancelled at the end of the month's last day
      whose due day (on the lead unit's calendar) was that day or earlier (for the current month:
      before today), judged against the deadline in effect then — an extension approved after the
      month ended does not change the month's count.
    """
    start, end = month_bounds(month)
    first, last = start.date(), (end - dt.timedelta(days=1)).date()
    today = timezone.localtime(now).date()
    cutoff = min(last, today)
    ids = None if agency_ids is None else list(agency_ids)
    base = Task.objects.all() if ids is None else Task.objects.filter(lead_agency_id__in=ids)
    out: dict[int, dict[str, int]] = {}

    def bump(agency_id: int, fact: str) -> None:
        row = out.setdefault(agency_id, {})
        row[fact] = row.get(fact, 0) + 1

    received = Task.objects.filter(assigned_at__gte=start, assigned_at__lt=end).exclude(state=State.CANCELLED)
    led = received if ids is None else received.filter(lead_agency_id__in=ids)
    for agency_id in led.values_list("lead_agency_id", flat=True):
        bump(agency_id, RECEIVED)
    helpers = TaskUnit.objects.filter(role=UnitRole.COORDINATE, task__in=received)
    if ids is not None:
        helpers = helpers.filter(agency_id__in=ids)
    for agency_id in helpers.values_list("agency_id", flat=True):
        bump(agency_id, COORDINATED)

    done = base.filter(state__in=DONE_STATES, done_on__gte=first, done_on__lte=last)
    # Tuples, not model instances: a month of a city's tasks is tens of thousands of rows.
    for lead, done_on, deadline in done.values_list("lead_agency_id", "done_on", "done_deadline"):
        assert done_on is not None  # the filter above
        bump(lead, DONE_ON_TIME if st.done_in_time(done_on, deadline, lead) else DONE_LATE)
        bump(lead, DONE)

    cutoff_end = _moment(cutoff + dt.timedelta(days=1))
    # Candidates: the original deadline is the earliest a task ever had.
    late = (
        base.filter(assigned_at__lt=cutoff_end)
        .filter(Q(original_deadline__lte=cutoff) | Q(deadline__lte=cutoff))
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=cutoff))
        .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=cutoff_end))
    )
    extended = st.basis() == DeadlineBasis.EXTENDED
    moved = deadlines_in_effect(late, cutoff_end) if extended else {}
    finished = today > last
    rows = late.values_list("pk", "deadline", "original_deadline", "lead_agency_id")
    for pk, current, original, lead in rows:
        first_set = original or current
        deadline = moved.get(pk, first_set) if extended else first_set
        last_day = st.due_day(deadline, lead)
        if last_day is not None and (last_day <= last if finished else last_day < today):
            bump(lead, OVERDUE_AT_MONTH_END)
    return out


# Lazy labels: translated when shown.
SOURCE = IndicatorSource(name="tasks", facts=cast(Mapping[str, str], FACTS), count=count)
