"""Monthly facts per agency for the service-quality index (Decision 766/QĐ-TTg; domain-rules §4).

How it works (the Zulip ``analytics/lib/counts.py`` idea): :func:`rollup` computes, for one month,
every fact of every agency and stores the counts in :class:`MonthlyAgencyCount`, one transaction
per agency-month (delete + insert: running it twice gives the same rows). A :class:`FillState`
row says which month is in progress or done; :func:`catch_up` resumes after the last done month
(a month left ``started`` by a crash is simply redone). Pages and the API read the counts; they
never rescan dossiers. The current month is rolled up again by the ``rollup_current`` task (run it
every few minutes from the scheduler) or ``thudo kpi_rollup``.

Periods are whole months (``YYYY-MM``); a range is the sum of its months' counts. Partial months
are not supported: the facts are monthly, so a range always starts on the 1st and ends at the end
of a month. A dossier open across several months is counted in each of those months (2.1 counts
dossiers "received or processed in the period").

The facts themselves are counted by the apps that own the data, registered as indicator sources
(:mod:`thudo.core.indicators`; the dossiers' and procedures' facts: :mod:`thudo.dossiers.indicators`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import indicators
from thudo.core.errors import InvalidInput
from thudo.core.indicators import COMMUNE_KINDS, DEPARTMENT_KINDS
from thudo.core.models import Agency
from thudo.kpi.models import FillState, MonthlyAgencyCount

METRIC_SET = "dossier_facts"


# --- periods -----------------------------------------------------------------------------------


def parse_period(value: str) -> list[dt.date]:
    """``YYYY-MM`` or ``YYYY-MM..YYYY-MM`` → the first days of the months it covers."""
    first, _sep, last = (value or "").strip().partition("..")
    try:
        start = dt.date.fromisoformat(f"{first}-01")
        end = dt.date.fromisoformat(f"{last or first}-01")
    except ValueError as exc:
        raise InvalidInput(
            _("Kỳ phải có dạng NNNN-TT (ví dụ 2026-10) hoặc NNNN-TT..NNNN-TT."), fields={"period": value}
        ) from exc
    if end < start:
        raise InvalidInput(_("Tháng cuối phải sau tháng đầu."), fields={"period": value})
    months = []
    while start <= end:
        months.append(start)
        start = next_month(start)
    return months


def period_label(months: list[dt.date]) -> str:
    first, last = months[0], months[-1]
    return f"{first:%Y-%m}" if first == last else f"{first:%Y-%m}..{last:%Y-%m}"


next_month = indicators.next_month
bounds = indicators.month_bounds


def this_month(now: dt.datetime | None = None) -> dt.date:
    local = timezone.localtime(now or timezone.now())
    return dt.date(local.year, local.month, 1)


def last_complete_month(now: dt.datetime | None = None) -> dt.date:
    m = this_month(now)
    return indicators.previous_month(m)


# --- rollup ---------------------------------------------------------------------------------------


def unit_agencies() -> list[Agency]:
    """The departments and commune committees that are ranked."""
    return list(Agency.objects.filter(kind__in=DEPARTMENT_KINDS + COMMUNE_KINDS).order_by("code"))


def rollup(
    month: dt.date,
    *,
    agencies: Iterable[Agency] | None = None,
    now: dt.datetime | None = None,
    progress=None,
) -> int:
    """(Re)compute one month's counts: every registered indicator source (dossiers, tasks,
    feedback ...) counts the month once for every agency, then one transaction per agency-month
    replaces its counts. Returns the rows written."""
    partial = agencies is not None
    agencies = list(agencies) if agencies is not None else unit_agencies()
    if not partial:
        FillState.objects.update_or_create(
            metric_set=METRIC_SET, defaults={"month": month, "state": FillState.State.STARTED}
        )
    ids = [a.pk for a in agencies] if partial else None
    _start, end = bounds(month)
    # Counts rows written after this point come from a roll-up that read the dossiers later than
    # this one (typically the live refresh of one agency while this pass reads the whole month):
    # those agency-months are left as they are, not overwritten with older counts.
    written_before = MonthlyAgencyCount.objects.aggregate(m=Max("pk"))["m"] or 0
    counted = indicators.count_all(month, ids, min(end, now or timezone.now()))
    if not partial:
        # Every agency a source counted, and every agency that had counts this month (its counts
        # may have dropped to nothing: its old rows go).
        had = MonthlyAgencyCount.objects.filter(month=month).values_list("agency_id", flat=True)
        extra = (set(counted) | set(had)) - {a.pk for a in agencies}
        agencies += list(Agency.objects.filter(pk__in=extra).order_by("code"))
    written = 0
    for i, agency in enumerate(agencies, 1):
        counts = counted.get(agency.pk, {})
        with transaction.atomic():
            # Two rollups of the same agency-month (task and command) take turns on the agency row.
            Agency.objects.select_for_update().filter(pk=agency.pk).first()
            current = MonthlyAgencyCount.objects.filter(agency=agency, month=month)
            if not current.filter(pk__gt=written_before).exists():
                current.delete()
                MonthlyAgencyCount.objects.bulk_create(
                    [
                        MonthlyAgencyCount(agency=agency, month=month, metric=k, value=v)
                        for k, v in counts.items()
                    ]
                )
                written += len(counts)
        if progress:
            progress(f"KPI {month:%Y-%m}", i, len(agencies))
    if not partial:
        FillState.objects.filter(metric_set=METRIC_SET).update(month=month, state=FillState.State.DONE)
    return written


def catch_up(
    until: dt.date | None = None, *, since: dt.date | None = None, now=None, progress=None
) -> list[dt.date]:
    """Roll up every month after the last one done (or from ``since``) up to ``until`` (default:
    the current month, which is always redone). Resumes a month a crash left ``started``."""
    until = until or this_month(now)
    state = FillState.objects.filter(metric_set=METRIC_SET).first()
    if since is None:
        if state is None:
            first = indicators.first_moment()
            since = this_month(first) if first else until
        elif state.state == FillState.State.STARTED:
            since = state.month
        else:
            since = min(next_month(state.month), until)
    done = []
    month = since
    while month <= until:
        rollup(month, now=now, progress=progress)
        done.append(month)
        month = next_month(month)
    return done


def rolled_up(months: list[dt.date]) -> bool:
    """Whether every month of the period has been rolled up at least once."""
    state = FillState.objects.filter(metric_set=METRIC_SET).first()
    if state is None:
        return False
    last_done = state.month if state.state == FillState.State.DONE else None
    if last_done is not None and months[-1] <= last_done:
        return True
    return MonthlyAgencyCount.objects.filter(month__in=months).values("month").distinct().count() == len(
        months
    )
