"""The report's clocks, in WORKING HOURS on the one calendar service (``core.calendars``).

- Acceptance (tiếp nhận) is due :data:`ACCEPT_HOURS` working hours after submission (Decision
  1207/QĐ-UBND). The receiving agency's calendar counts.
- Handling is due a number of working hours after acceptance that depends on the level
  (:class:`~thudo.feedback.models.LevelTerm`; urgent 4 h, the others UNCONFIRMED data). The
  handling unit's calendar is the receiving agency's at acceptance time.
- A transfer to another unit does NOT reset the handling clock (the rule is stated on the page).
- A reopen gives the unit a new handling term from the moment of reopening.

Overdue is derived here and only here: :func:`overdue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from thudo.core.calendars import calendar_for
from thudo.feedback.models import Level, LevelTerm

ACCEPT_HOURS = 8
"""Decision 1207/QĐ-UBND: the receiving agency accepts within 8 working hours."""

DEFAULT_HANDLE_HOURS: dict[str, tuple[int, bool]] = {
    # level: (working hours, confirmed by the decision's text)
    Level.URGENT: (4, True),
    Level.COMPLEX: (80, False),  # UNCONFIRMED: 10 working days, until the decision's text is read
    Level.NORMAL: (40, False),  # UNCONFIRMED: 5 working days
}
"""Used when the :class:`LevelTerm` table has no row for a level (migration 0002 seeds it)."""

REMIND_BEFORE_HOURS = 2
"""Reminders go to the unit when a deadline is this many working hours (or fewer) away."""

TRANSFER_RULE = _(
    "Chuyển đơn vị xử lý không làm tính lại thời hạn: hạn xử lý vẫn tính từ lúc tiếp nhận phản ánh."
)


def handle_hours(level: str) -> int:
    row = LevelTerm.objects.filter(level=level).values_list("handle_hours", flat=True).first()
    return int(row) if row is not None else DEFAULT_HANDLE_HOURS[level][0]


def accept_due(agency_id: int, submitted_at: datetime) -> datetime:
    return calendar_for(agency_id).add_working_time(submitted_at, hours=ACCEPT_HOURS)


def handle_due(agency_id: int, level: str, accepted_at: datetime) -> datetime:
    return calendar_for(agency_id).add_working_time(accepted_at, hours=handle_hours(level))


def due_soon(agency_id: int, due: datetime, now: datetime) -> bool:
    """Is ``due`` at most REMIND_BEFORE_HOURS working hours away (and not yet passed)?"""
    if now >= due:
        return False
    return calendar_for(agency_id).working_time_between(now, due) <= timedelta(hours=REMIND_BEFORE_HOURS)


ACCEPT = "accept"
HANDLE = "handle"


@dataclass(frozen=True)
class Overdue:
    kind: str  # ACCEPT or HANDLE
    due: datetime
    done: datetime | None  # None: still not done


def overdue(
    *,
    accept_due: datetime,
    decided_at: datetime | None,
    handle_due: datetime | None,
    handled_at: datetime | None,
    now: datetime,
) -> list[Overdue]:
    """THE rule of lateness: the deadlines missed by ``now``. A deadline is missed when the thing
    was done after it, or is still not done after it. ``decided_at`` is the acceptance, or the
    refusal (which answers within the same term). Lists, pages, reminders and the KPI all ask
    this function."""
    out: list[Overdue] = []
    if (decided_at is not None and decided_at > accept_due) or (decided_at is None and now > accept_due):
        out.append(Overdue(ACCEPT, accept_due, decided_at))
    if handle_due is not None and (
        (handled_at is not None and handled_at > handle_due) or (handled_at is None and now > handle_due)
    ):
        out.append(Overdue(HANDLE, handle_due, handled_at))
    return out


def report_overdue(report, now: datetime) -> list[Overdue]:
    """:func:`overdue` for one report (a refused report's decision is its closing moment)."""
    refused = report.status == "refused"
    return overdue(
        accept_due=report.accept_due,
        decided_at=report.closed_at if refused else report.accepted_at,
        handle_due=None if refused else report.handle_due,
        handled_at=report.handled_at,
        now=now,
    )
