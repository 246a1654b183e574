"""What the feedback app counts per agency and month for the KPI (``core.indicators`` source
"feedback"; rolled up by ``kpi`` into ``MonthlyAgencyCount``).

- ``feedback.received``: reports submitted in the month, to the receiving agency;
- ``feedback.accepted`` / ``feedback.accepted_on_time``: acceptance decisions (accept or refuse)
  whose deadline falls in the month, and those taken in time — receiving agency;
- ``feedback.handled`` / ``feedback.handled_on_time``: handling deadlines in the month that were
  met or missed, and those met — handling unit;
- ``feedback.overdue``: deadlines (acceptance for the receiving agency, handling for the unit)
  falling in the month that were missed by their deadline — as :func:`clocks.overdue` says;
- ``feedback.rated`` / ``feedback.satisfied``: ratings given in the month, to the handling unit;
- ``feedback.reopened``: reopens in the month, to the handling unit.

A deadline belongs to the month it falls in: a report submitted on the last afternoon of a month
and accepted late counts in the next. One query per kind for the month, never one per agency.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thudo.core.workcalendar import HCM
from thudo.feedback import clocks
from thudo.feedback.models import Rating, Report, ReportEvent, Status

FACTS = {
    "feedback.received": _("Phản ánh tiếp nhận được"),
    "feedback.accepted": _("Phản ánh đến hạn tiếp nhận"),
    "feedback.accepted_on_time": _("Phản ánh tiếp nhận đúng hạn"),
    "feedback.handled": _("Phản ánh đến hạn xử lý"),
    "feedback.handled_on_time": _("Phản ánh xử lý đúng hạn"),
    "feedback.overdue": _("Phản ánh quá hạn (tiếp nhận hoặc xử lý)"),
    "feedback.rated": _("Lượt đánh giá trả lời phản ánh"),
    "feedback.satisfied": _("Lượt đánh giá hài lòng"),
    "feedback.reopened": _("Phản ánh phải xử lý lại"),
}


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = dt.datetime(month.year, month.month, 1, tzinfo=HCM)
    last_day = calendar.monthrange(month.year, month.month)[1]
    return first, first + dt.timedelta(days=last_day)


def count(
    month: dt.date, agency_ids: Sequence[int] | None, now: dt.datetime
) -> Mapping[int, Mapping[str, int]]:
    start, end = _bounds(month)
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def scoped(qs, *fields):
        if agency_ids is None:
            return qs
        cond = Q()
        for f in fields:
            cond |= Q(**{f"{f}__in": list(agency_ids)})
        return qs.filter(cond)

    wanted = None if agency_ids is None else set(agency_ids)

    def add(agency_id, fact, n=1):
        if agency_id is not None and (wanted is None or agency_id in wanted):
            out[agency_id][fact] += n

    received = scoped(
        Report.objects.filter(submitted_at__gte=start, submitted_at__lt=end), "receiving_agency"
    )
    for agency_id in received.values_list("receiving_agency_id", flat=True):
        add(agency_id, "feedback.received")

    fields = (
        "pk",
        "status",
        "receiving_agency_id",
        "unit_id",
        "accept_due",
        "accepted_at",
        "handle_due",
        "handled_at",
        "closed_at",
    )
    due_in_month = scoped(
        Report.objects.filter(
            Q(accept_due__gte=start, accept_due__lt=end) | Q(handle_due__gte=start, handle_due__lt=end)
        ),
        "receiving_agency",
        "unit",
    ).only(*fields)
    for r in due_in_month:
        late = {o.kind for o in clocks.report_overdue(r, now)}
        decided = r.closed_at if r.status == Status.REFUSED else r.accepted_at
        if start <= r.accept_due < end and (decided is not None or now > r.accept_due):
            add(r.receiving_agency_id, "feedback.accepted")
            if clocks.ACCEPT in late:
                add(r.receiving_agency_id, "feedback.overdue")
            else:
                add(r.receiving_agency_id, "feedback.accepted_on_time")
        if (
            r.handle_due is not None
            and r.status != Status.REFUSED
            and start <= r.handle_due < end
            and (r.handled_at is not None or now > r.handle_due)
        ):
            add(r.unit_id, "feedback.handled")
            if clocks.HANDLE in late:
                add(r.unit_id, "feedback.overdue")
            else:
                add(r.unit_id, "feedback.handled_on_time")

    ratings = Rating.objects.filter(at__gte=start, at__lt=end)
    if agency_ids is not None:
        ratings = ratings.filter(unit_id__in=list(agency_ids))
    for unit_id, satisfied in ratings.values_list("unit_id", "satisfied"):
        add(unit_id, "feedback.rated")
        if satisfied:
            add(unit_id, "feedback.satisfied")

    reopens = ReportEvent.objects.filter(verb="reopen", at__gte=start, at__lt=end)
    for unit_id in reopens.values_list("report__unit_id", flat=True):
        add(unit_id, "feedback.reopened")
    return {k: dict(v) for k, v in out.items()}
