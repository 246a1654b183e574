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

The facts (agency = the dossier's processing agency; ``S``/``E`` the month's first moment and the
next month's first moment, Asia/Ho_Chi_Minh; ``cut = min(E, now)``):

- ``progress.total`` / ``progress.on_time`` (2.1): dossiers received before ``E`` whose processing
  did not end before ``S``. End of processing = the first of finished/returned/refused/stopped/
  withdrawn (``finished_at``, else ``returned_at``), or ``cut`` if still open (the moment the clock
  stopped if paused). On time = that end is not after ``due_at`` (which already includes the paused
  working time added back), no apology letter (a new appointment still counts as late) and at most
  one supplement request.
- ``online.total`` / ``online.online`` (3.3): dossiers received in the month; online = submitted
  online and, when the procedure's result is a document and a result was issued, the result is
  electronic (a stored result document).
- ``payment.total`` / ``payment.online`` (3.6): received in the month with a fee; paid online.
- ``reuse.total`` / ``reuse.yes`` (4.3): received in the month; re-using a stored paper.
- ``eresult.total`` / ``eresult.yes`` (4.1): result issued in the month for a procedure whose
  result is a document; with an electronic result.
- ``digitised.total`` / ``digitised.yes`` (4.2): result issued in the month; every paper digitised
  and, where the result is a document, an electronic result.
- ``satisfaction.ended`` / ``.late`` / ``.disliked`` (5.4): processing ended in the month; late by
  the 2.1 rule; rated 2 or less on any question.
- ``duration.count`` / ``duration.minutes`` (2.2, reported): results issued in the month and their
  working time from the clock start, less paused time.
- ``proc.total`` / ``proc.complete`` / ``proc.online`` / ``proc.full`` / ``proc.used`` (1.3, 3.1,
  3.2): published procedures of the agency at the end of the month (commune committees: every
  commune-level procedure); complete content; with an online service; full-process; with at
  least one online dossier at this agency in the month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Exists, F, Max, Min, OuterRef, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import indicators
from thudo.core.calendars import calendar_for
from thudo.core.errors import InvalidInput
from thudo.core.models import Agency, AgencyKind
from thudo.dossiers import deadlines
from thudo.dossiers.models import (
    ApologyLetter,
    Attachment,
    Dossier,
    Payment,
    ResultDocument,
    ended_or_changed,
)
from thudo.kpi.models import FillState, MonthlyAgencyCount
from thudo.procedures.models import Procedure, RequiredPaper

METRIC_SET = "dossier_facts"
DEPARTMENT_KINDS = (AgencyKind.DEPARTMENT, AgencyKind.CITY_OFFICE, AgencyKind.SERVICE_CENTER)
COMMUNE_KINDS = (AgencyKind.COMMUNE_COMMITTEE,)
RESULT_STATUSES = ("result_ready", "returned")
TERMINAL = ("returned", "rejected", "withdrawn")
OPEN = ("submitted", "processing", "supplement_requested", "paused", "transferred")


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


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    nm = next_month(month)
    return start, dt.datetime(nm.year, nm.month, 1, tzinfo=tz)


def this_month(now: dt.datetime | None = None) -> dt.date:
    local = timezone.localtime(now or timezone.now())
    return dt.date(local.year, local.month, 1)


def last_complete_month(now: dt.datetime | None = None) -> dt.date:
    m = this_month(now)
    return dt.date(m.year - (m.month == 1), (m.month - 2) % 12 + 1, 1)


# --- facts of one agency-month -------------------------------------------------------------------


def _end_of_processing():
    """When processing ended, as an SQL expression: finished, else returned, else (a closed
    dossier without either) last changed; NULL while open. One column instead of three per row."""
    closed_at = Case(When(~Q(status__in=OPEN), then=F("updated_at")), default=None)
    return Coalesce("finished_at", "returned_at", closed_at)


def is_on_time(row: dict, end: dt.datetime) -> bool:
    """2.1: not late by :func:`thudo.dossiers.deadlines.outcome` — end of processing not after the
    appointment (paused time already added back to ``due_at``), no apology (form 04 still counts
    as late), at most one supplement request during processing."""
    if row["due_at"] is None:
        return False
    result = deadlines.outcome(
        end, row["due_at"], supplements=row["supplement_count"], apologised=row["has_apology"]
    )
    return result != deadlines.LATE


def _disliked(scores) -> bool:
    if not isinstance(scores, dict):
        return False
    return any(isinstance(v, int | float) and v <= 2 for v in scores.values())


def _dossier_rows(agency_ids: Iterable[int] | None, start: dt.datetime, end: dt.datetime):
    """The dossiers that matter for the month ``[start, end)`` at these processing agencies (all
    when None): received before ``end`` and either still open or ended (finished, else returned,
    else last changed) at or after ``start``. The "ended" moment is the expression the
    ``dossier_ended`` index holds, so a month reads only its own rows and the open ones."""
    received = Q(received_at__lt=end) | Q(received_at__isnull=True, submitted_at__lt=end)
    still_relevant = Q(status__in=OPEN) | Q(ended__gte=start)
    qs = Dossier.objects.alias(ended=ended_or_changed())
    if agency_ids is not None:
        qs = qs.filter(processing_agency_id__in=list(agency_ids))
    papers = Attachment.objects.filter(dossier=OuterRef("pk"), kind="paper")
    return (
        qs.filter(received, still_relevant)
        .order_by()
        .annotate(
            has_result=Exists(ResultDocument.objects.filter(dossier=OuterRef("pk"))),
            has_apology=Exists(ApologyLetter.objects.filter(dossier=OuterRef("pk"))),
            paid_online=Exists(Payment.objects.filter(dossier=OuterRef("pk"), online=True)),
            reused=Exists(papers.filter(reused_from__isnull=False)),
            undigitised=Exists(papers.filter(digitised=False)),
        )
        .annotate(processing_ended=_end_of_processing())
        .values(
            "pk",
            "processing_agency_id",
            "processing_ended",
            "status",
            "channel",
            "procedure__result_type",
            "received_at",
            "clock_started_at",
            "due_at",
            "paused_since",
            "paused_total",
            "supplement_count",
            "fee_amount",
            "rating__scores",
            "has_result",
            "has_apology",
            "paid_online",
            "reused",
            "undigitised",
        )
    )


def facts_by_agency(
    agency_ids: Iterable[int] | None, month: dt.date, *, now: dt.datetime | None = None
) -> dict[int, dict[str, set[int]]]:
    """The ids of the dossiers behind every dossier fact, per processing agency (all when None),
    from one pass over the month's rows; ``_duration.minutes`` holds each agency's total."""
    start, end = bounds(month)
    cut = min(end, now or timezone.now())
    by_agency: dict[int, dict[str, set[int]]] = {}
    minutes: dict[int, int] = defaultdict(int)
    for row in _dossier_rows(agency_ids, start, end).iterator(chunk_size=5000):
        pk = row["pk"]
        agency_id = row["processing_agency_id"]
        facts = by_agency.get(agency_id)
        if facts is None:
            facts = by_agency[agency_id] = defaultdict(set)
        ended = row["processing_ended"]
        received = row["received_at"]
        # 2.1: received (clock started) before the end of the month, not ended before its start.
        in_period = ended is None or ended >= start
        if received is not None and received < end and row["due_at"] is not None and in_period:
            if ended is not None and ended < cut:
                moment = ended
            elif row["paused_since"] is not None and row["paused_since"] < cut:
                moment = row["paused_since"]
            else:
                moment = cut
            facts["progress.total"].add(pk)
            if is_on_time(row, moment):
                facts["progress.on_time"].add(pk)
        document = row["procedure__result_type"] == "document"
        issued = row["status"] in RESULT_STATUSES
        # Received in the month: 3.3, 3.6, 4.3.
        if received is not None and start <= received < end:
            facts["online.total"].add(pk)
            paper_result = document and issued and not row["has_result"]
            if row["channel"] == "online" and not paper_result:
                facts["online.online"].add(pk)
            if row["fee_amount"]:
                facts["payment.total"].add(pk)
                if row["paid_online"]:
                    facts["payment.online"].add(pk)
            facts["reuse.total"].add(pk)
            if row["reused"]:
                facts["reuse.yes"].add(pk)
        # Ended in the month: 4.1, 4.2, 5.4, 2.2.
        if ended is not None and start <= ended < end:
            if issued:
                facts["digitised.total"].add(pk)
                if not row["undigitised"] and (row["has_result"] or not document):
                    facts["digitised.yes"].add(pk)
                if document:
                    facts["eresult.total"].add(pk)
                    if row["has_result"]:
                        facts["eresult.yes"].add(pk)
                if row["clock_started_at"] is not None:
                    worked = calendar_for(agency_id).working_time_between(row["clock_started_at"], ended) - (
                        row["paused_total"] or dt.timedelta(0)
                    )
                    minutes[agency_id] += max(0, int(worked.total_seconds() // 60))
                    facts["duration.count"].add(pk)
            if row["due_at"] is not None:
                facts["satisfaction.ended"].add(pk)
                if not is_on_time(row, ended):
                    facts["satisfaction.late"].add(pk)
                if _disliked(row["rating__scores"]):
                    facts["satisfaction.disliked"].add(pk)
    out: dict[int, dict[str, set[int]]] = {}
    for agency_id, facts in by_agency.items():
        out[agency_id] = dict(facts)
        out[agency_id]["_duration.minutes"] = minutes[agency_id]  # type: ignore[assignment]
    return out


def _procedure_rows(end: dt.datetime) -> list[dict]:
    """Every procedure published before ``end``, with what the procedure facts need."""
    return list(
        Procedure.objects.filter(status="published")
        .filter(Q(published_at__isnull=True) | Q(published_at__lt=end))
        .annotate(has_papers=Exists(RequiredPaper.objects.filter(procedure=OuterRef("pk"))))
        .values(
            "pk",
            "code",
            "level",
            "agency_id",
            "online_level",
            "legal_bases",
            "result_type",
            "result_name",
            "duration_value",
            "has_papers",
        )
    )


def _online_codes(
    agency_ids: Iterable[int] | None, start: dt.datetime, end: dt.datetime
) -> dict[int, set[str]]:
    """Codes of the procedures with at least one online dossier submitted in ``[start, end)``,
    per processing agency (one grouped query on the ``dossier_submitted`` index)."""
    qs = Dossier.objects.filter(channel="online", submitted_at__gte=start, submitted_at__lt=end)
    if agency_ids is not None:
        qs = qs.filter(processing_agency_id__in=list(agency_ids))
    out: dict[int, set[str]] = defaultdict(set)
    for agency_id, code in qs.values_list("processing_agency_id", "procedure__code").distinct():
        out[agency_id].add(code)
    return out


def _procedure_facts_from(agency: Agency, rows: list[dict], used_codes: set[str]) -> dict[str, set[int]]:
    facts: dict[str, set[int]] = defaultdict(set)
    commune = agency.kind in COMMUNE_KINDS
    for row in rows:
        if (row["level"] != "commune") if commune else (row["agency_id"] != agency.pk):
            continue
        pk = row["pk"]
        facts["proc.total"].add(pk)
        complete = (
            row["has_papers"]
            and bool(row["legal_bases"])
            and row["duration_value"] is not None
            and (row["result_type"] != "document" or bool(row["result_name"]))
        )
        if complete:
            facts["proc.complete"].add(pk)
        if row["online_level"] in ("full", "partial"):
            facts["proc.online"].add(pk)
            if row["code"] in used_codes:
                facts["proc.used"].add(pk)
        if row["online_level"] == "full":
            facts["proc.full"].add(pk)
    return dict(facts)


def procedure_facts(agency: Agency, month: dt.date) -> dict[str, set[int]]:
    """The ids of the procedures behind the procedure facts (1.3, 3.1, 3.2) of one agency-month:
    published procedures of the agency at the end of the month (commune committees: every
    commune-level procedure)."""
    start, end = bounds(month)
    used = _online_codes([agency.pk], start, end).get(agency.pk, set())
    return _procedure_facts_from(agency, _procedure_rows(end), used)


def _counts(dossier: dict[str, set[int]], procedure: dict[str, set[int]]) -> dict[str, int]:
    dossier = dict(dossier)
    minutes = dossier.pop("_duration.minutes", 0)
    counts = {k: len(v) for k, v in dossier.items()}
    counts.update({k: len(v) for k, v in procedure.items()})
    if minutes:
        counts["duration.minutes"] = int(minutes)  # type: ignore[call-overload]
    return {k: v for k, v in counts.items() if v}


# --- rollup ---------------------------------------------------------------------------------------


def unit_agencies() -> list[Agency]:
    """Departments and commune committees that are ranked (plus any other processing agency)."""
    # One index probe per agency (EXISTS), not a scan of every dossier for the distinct ones.
    processing = Exists(Dossier.objects.filter(processing_agency_id=OuterRef("pk")))
    ranked = Q(kind__in=DEPARTMENT_KINDS + COMMUNE_KINDS)
    return list(Agency.objects.filter(ranked | processing).order_by("code"))


def rollup(
    month: dt.date,
    *,
    agencies: Iterable[Agency] | None = None,
    now: dt.datetime | None = None,
    progress=None,
) -> int:
    """(Re)compute one month's counts: the month's dossiers are read once for every agency, then
    one transaction per agency-month replaces its counts. Returns the rows written."""
    partial = agencies is not None
    agencies = list(agencies) if agencies is not None else unit_agencies()
    if not partial:
        FillState.objects.update_or_create(
            metric_set=METRIC_SET, defaults={"month": month, "state": FillState.State.STARTED}
        )
    ids = [a.pk for a in agencies] if partial else None
    start, end = bounds(month)
    # Counts rows written after this point come from a roll-up that read the dossiers later than
    # this one (typically the live refresh of one agency while this pass reads the whole month):
    # those agency-months are left as they are, not overwritten with older counts.
    written_before = MonthlyAgencyCount.objects.aggregate(m=Max("pk"))["m"] or 0
    dossier = facts_by_agency(ids, month, now=now)
    procedures = _procedure_rows(end)
    used = _online_codes(ids, start, end)
    # Facts the other apps count (tasks, feedback, ...), through the indicator-source registry.
    registered = indicators.count_all(month, ids, min(end, now or timezone.now()))
    if not partial:
        known = {a.pk for a in agencies}
        extra = [pk for pk in registered if pk not in known]
        agencies += list(Agency.objects.filter(pk__in=extra).order_by("code"))
    written = 0
    for i, agency in enumerate(agencies, 1):
        counts = _counts(
            dossier.get(agency.pk, {}), _procedure_facts_from(agency, procedures, used.get(agency.pk, set()))
        )
        counts.update(registered.get(agency.pk, {}))
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
            first = Dossier.objects.aggregate(m=Min("submitted_at"))["m"]
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
