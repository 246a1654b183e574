"""Reminders to officials: dossiers due within one working day, and overdue dossiers.

Run from cron (e.g. every working morning at 07:30 and again at 13:00): ``thudo dossier_reminders``.
Each official is told at most once per dossier, kind and day (Asia/Ho_Chi_Minh): the notice key is
``reminder:<code>:<kind>:<YYYY-MM-DD>:<user id>``, so running the command again the same day sends
nothing new. Delivery goes through the notifications outbox (in-app notice + e-mail).

Who is told: the assigned official; without one, the officials holding the role of the current
process step (reception for dossiers still waiting to be received) at the agency that holds the
dossier. Overdue dossiers are also reported to that agency's leaders, who answer for the unit's
timeliness and must issue the apology letter with a new appointment (Decree 118/2025/NĐ-CP;
Circular 03/2025/TT-VPCP, form 04).

"Due soon" and "overdue" are the work queues' rules (:func:`thudo.dossiers.queries.queue`,
:func:`thudo.dossiers.deadlines.overdue_q`); one working day is counted on the city calendar.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thudo.core.calendars import calendar_for
from thudo.core.config import config
from thudo.core.models import Role
from thudo.dossiers.deadlines import overdue_q
from thudo.dossiers.models import OPEN_STATUSES, Dossier, Status

DUE_SOON = "due_soon"
OVERDUE = "overdue"
EVENTS = {DUE_SOON: "dossier.due_soon", OVERDUE: "dossier.overdue"}
# Statuses whose clock runs (the due-soon queue's rule): supplement and pause stop the clock.
RUNNING = (Status.SUBMITTED, Status.PROCESSING, Status.TRANSFERRED)
_RELATED = ("procedure", "current_step", "assignee")


def due_soon(now: datetime) -> list[Dossier]:
    limit = calendar_for(None).add_working_time(now, days=1)
    qs = Dossier.objects.filter(status__in=RUNNING, due_at__lte=limit).exclude(overdue_q(now))
    return list(qs.select_related(*_RELATED).order_by("due_at", "pk"))


def overdue(now: datetime) -> list[Dossier]:
    qs = Dossier.objects.filter(overdue_q(now), status__in=OPEN_STATUSES)
    return list(qs.select_related(*_RELATED).order_by("due_at", "pk"))


def _holders(role: str, agency_id: int | None):
    if agency_id is None:
        return []
    users = get_user_model().objects.filter(
        is_active=True, role_grants__role=role, role_grants__agency_id=agency_id
    )
    return list(users.distinct().order_by("pk"))


def recipients(d: Dossier, kind: str) -> list:
    """The officials to remind about ``d`` (see the module docstring)."""
    if d.status == Status.SUBMITTED:
        people = _holders(Role.RECEPTION, d.receiving_agency_id)
    elif d.assignee is not None and d.assignee.is_active:
        people = [d.assignee]
    else:
        role = d.current_step.role if d.current_step is not None else Role.SPECIALIST
        people = _holders(role, d.processing_agency_id)
    if kind == OVERDUE:
        people += [p for p in _holders(Role.LEADER, d.processing_agency_id) if p not in people]
    return people


def _message(d: Dossier, kind: str) -> tuple[str, str]:
    due = timezone.localtime(d.due_at).strftime("%H:%M %d/%m/%Y")
    values = {"code": d.code, "procedure": d.procedure.name, "due": due}
    if kind == OVERDUE:
        subject = _("Hồ sơ %(code)s đã quá hạn") % values
        body = (
            _(
                "Hồ sơ %(code)s (%(procedure)s) đã quá hạn trả kết quả lúc %(due)s. Đề nghị xử lý ngay "
                "và phát hành văn bản xin lỗi, hẹn lại ngày trả (mẫu 04) nếu chưa có."
            )
            % values
        )
    else:
        subject = _("Hồ sơ %(code)s sắp đến hạn") % values
        body = _(
            "Hồ sơ %(code)s (%(procedure)s) phải trả kết quả trước %(due)s (còn dưới 1 ngày làm việc)."
        ) % (values)
    return subject, body


def _base_url() -> str:
    return config().public_base_url


def send(*, now: datetime | None = None) -> dict[str, int]:
    """Remind officials about every due-soon and overdue dossier; returns how many notices were
    created per kind (0 when this day's reminders were already sent)."""
    from thudo.notifications.actions import notify

    now = now or timezone.now()
    day = f"{timezone.localtime(now):%Y-%m-%d}"
    sent = {DUE_SOON: 0, OVERDUE: 0}
    with translation.override("vi"):
        for kind, dossiers in ((DUE_SOON, due_soon(now)), (OVERDUE, overdue(now))):
            for d in dossiers:
                subject, body = _message(d, kind)
                url = _base_url() + reverse("dossiers:work_detail", args=[d.code])
                for person in recipients(d, kind):
                    result = notify(
                        event=EVENTS[kind],
                        subject=subject,
                        body=body,
                        user=person,
                        url=url,
                        obj=d,
                        key=f"reminder:{d.code}:{kind}:{day}:{person.pk}",
                    )
                    sent[kind] += not result.duplicate
    return sent
