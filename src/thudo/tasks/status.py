"""The status a person reads on a task, derived in this one place (domain-round2 §2.2).

A deadline is a date. When it falls on a day off (a weekend, Tết, a swapped day) the work is due
on the next working day of the lead unit's calendar (the shared calendar service,
:func:`thudo.core.calendars.calendar_for`; Civil Code 2015, Art. 148). A done report is on time
when it is made on or before that day. Which deadline a report counts against — the original one
or the one an approved extension set — is the ``TASK_DEADLINE_BASIS`` setting; every done report
states the basis and the date it was judged against (``Report.deadline_basis``/``deadline_counted``),
so changing the setting later never rewrites what was reported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thudo.core.calendars import calendar_for, own_calendar_agencies
from thudo.core.config import config
from thudo.tasks.models import DONE_STATES, DeadlineBasis, Recurrence, State, Task


class Standing(models.TextChoices):
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    ON_TRACK = "on_track", _("Đang thực hiện trong hạn")
    OVERDUE = "overdue", _("Đang thực hiện quá hạn")
    ONGOING = "ongoing", _("Thường xuyên, không có hạn")
    CANCELLED = "cancelled", _("Đã hủy")


def today() -> date:
    return timezone.localdate()


def basis() -> str:
    """The deadline done reports count against now (setting ``TASK_DEADLINE_BASIS``)."""
    return config().task_deadline_basis


def counted_deadline(task: Task, deadline_basis: str | None = None) -> date | None:
    """The deadline (as set, before any day-off shift) that ``deadline_basis`` names."""
    if (deadline_basis or basis()) == DeadlineBasis.ORIGINAL:
        return task.original_deadline or task.deadline
    return task.deadline


def due_day(deadline: date | None, agency_id: int | None) -> date | None:
    """The last day the work may be done: the deadline, or the next working day after it."""
    if deadline is None:
        return None
    cal = calendar_for(agency_id)
    day = deadline
    for _i in range(60):  # never more than a Tết break plus weekends
        if cal.is_working_day(day):
            return day
        day += timedelta(days=1)
    return deadline


def judged_on_time(task: Task, done_on: date, deadline_basis: str | None = None) -> tuple[date | None, bool]:
    """(the deadline a done report on ``done_on`` counts against, whether it is on time)."""
    deadline = counted_deadline(task, deadline_basis)
    last = due_day(deadline, task.lead_agency_id)
    return deadline, last is None or done_on <= last


def done_in_time(done_on: date, deadline: date | None, agency_id: int | None) -> bool:
    """Is work done on ``done_on`` on time against ``deadline`` (none: always) on the calendar of
    ``agency_id``? :func:`standing` and the monthly counts both ask this."""
    last = due_day(deadline, agency_id)
    return last is None or done_on <= last


def standing(task: Task, on: date | None = None) -> Standing:
    """The one derivation of a task's status on day ``on`` (default: today)."""
    on = on or today()
    if task.state == State.CANCELLED:
        return Standing.CANCELLED
    if task.state in DONE_STATES and task.done_on is not None:
        on_time = done_in_time(task.done_on, task.done_deadline, task.lead_agency_id)
        return Standing.DONE_ON_TIME if on_time else Standing.DONE_LATE
    deadline = counted_deadline(task)
    if deadline is None or (task.recurrence == Recurrence.ONGOING and task.deadline is None):
        return Standing.ONGOING
    last = due_day(deadline, task.lead_agency_id)
    assert last is not None
    return Standing.OVERDUE if on > last else Standing.ON_TRACK


def working_days_left(task: Task, on: date | None = None) -> int | None:
    """Working days from ``on`` to the due day (0 on the due day, negative when overdue), or
    ``None`` without a deadline."""
    on = on or today()
    last = due_day(counted_deadline(task), task.lead_agency_id)
    if last is None:
        return None
    cal = calendar_for(task.lead_agency_id)
    if last >= on:
        return cal.working_days_after(on, last)  # the working days after today, up to the due day
    # Overdue: the working days from the due day to yesterday.
    return -cal.working_days_after(last - timedelta(days=1), on - timedelta(days=1))


DONE_STANDINGS = (Standing.DONE_ON_TIME, Standing.DONE_LATE)


def add_working_days(start: date, n: int, agency_id: int | None = None) -> date:
    """The ``n``-th working day after ``start`` (``n`` ≥ 0; 0 gives ``start``)."""
    cal = calendar_for(agency_id)
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            left -= 1
    return day


def last_working_day_before(day: date, agency_id: int | None = None) -> date:
    """The last working day strictly before ``day``: a deadline on or before it is past its due
    day on ``day`` (the lists' overdue filter, equivalent to :func:`standing` for open tasks:
    the due day is the first working day on or after the deadline)."""
    cal = calendar_for(agency_id)
    d = day - timedelta(days=1)
    for _i in range(60):
        if cal.is_working_day(d):
            return d
        d -= timedelta(days=1)
    return d


def due_by_q(limit: Callable[[int | None], date]) -> Q:
    """Tasks whose counted deadline is on or before ``limit(calendar)``, where ``limit`` is given
    the lead unit's calendar (its agency id, or ``None`` for the city's): the lists' date filters
    judge each row on the same calendar as :func:`standing`, in one SQL condition."""
    field = deadline_field()
    own = sorted(own_calendar_agencies())
    q = Q(**{f"{field}__lte": limit(None)}) & ~Q(lead_agency_id__in=own)
    for agency_id in own:
        q |= Q(lead_agency_id=agency_id, **{f"{field}__lte": limit(agency_id)})
    return q


def deadline_field() -> str:
    """The task column the current basis reads (for list filters)."""
    return "original_deadline" if basis() == DeadlineBasis.ORIGINAL else "deadline"
