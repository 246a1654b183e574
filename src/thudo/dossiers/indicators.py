"""The dossiers' and procedures' facts of the service-quality index (Decision 766/QĐ-TTg;
domain-rules §4), counted per processing agency and month and registered as an indicator source
(:mod:`thudo.core.indicators`), so ``kpi`` rolls them up without reading dossiers itself.

Periods are whole months; a dossier open across several months is counted in each of them (2.1
counts dossiers "received or processed in the period").

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
from collections.abc import Iterable, Sequence

from django.db.models import Case, Exists, F, Min, OuterRef, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thudo.core.calendars import calendar_for
from thudo.core.indicators import COMMUNE_KINDS, DEPARTMENT_KINDS, IndicatorSource, month_bounds
from thudo.core.models import Agency
from thudo.dossiers import deadlines
from thudo.dossiers.models import (
    ApologyLetter,
    Attachment,
    Dossier,
    Payment,
    ResultDocument,
    ended_or_changed,
)
from thudo.procedures.models import Procedure, RequiredPaper

RESULT_STATUSES = ("result_ready", "returned")
OPEN = ("submitted", "processing", "supplement_requested", "paused", "transferred")

FACTS = {
    "progress.total": _("Hồ sơ tiếp nhận hoặc đang giải quyết trong kỳ"),
    "progress.on_time": _("Hồ sơ giải quyết đúng hạn"),
    "online.total": _("Hồ sơ tiếp nhận trong kỳ"),
    "online.online": _("Hồ sơ trực tuyến"),
    "payment.total": _("Hồ sơ có phí, lệ phí"),
    "payment.online": _("Hồ sơ thanh toán trực tuyến"),
    "reuse.total": _("Hồ sơ tiếp nhận (tái sử dụng)"),
    "reuse.yes": _("Hồ sơ tái sử dụng giấy tờ đã số hóa"),
    "eresult.total": _("Kết quả là giấy tờ"),
    "eresult.yes": _("Kết quả điện tử"),
    "digitised.total": _("Kết quả đã trả"),
    "digitised.yes": _("Hồ sơ, kết quả đã số hóa"),
    "satisfaction.ended": _("Hồ sơ kết thúc trong kỳ"),
    "satisfaction.late": _("Hồ sơ trễ hạn"),
    "satisfaction.disliked": _("Hồ sơ bị đánh giá không hài lòng"),
    "duration.count": _("Kết quả đã trả (thời gian giải quyết)"),
    "duration.minutes": _("Tổng thời gian giải quyết (phút làm việc)"),
    "proc.total": _("Thủ tục công bố"),
    "proc.complete": _("Thủ tục đủ thông tin"),
    "proc.online": _("Thủ tục có dịch vụ công trực tuyến"),
    "proc.full": _("Thủ tục trực tuyến toàn trình"),
    "proc.used": _("Thủ tục trực tuyến có phát sinh hồ sơ"),
}


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
    start, end = month_bounds(month)
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
    start, end = month_bounds(month)
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


def counted_agencies(agency_ids: Sequence[int] | None) -> list[Agency]:
    """The agencies the facts are counted for: those asked, or (None) the ranked departments and
    commune committees plus every other agency that processes dossiers."""
    if agency_ids is not None:
        return list(Agency.objects.filter(pk__in=list(agency_ids)).order_by("code"))
    # One index probe per agency (EXISTS), not a scan of every dossier for the distinct ones.
    processing = Exists(Dossier.objects.filter(processing_agency_id=OuterRef("pk")))
    ranked = Q(kind__in=DEPARTMENT_KINDS + COMMUNE_KINDS)
    return list(Agency.objects.filter(ranked | processing).order_by("code"))


def count(month: dt.date, agency_ids: Sequence[int] | None, now: dt.datetime) -> dict[int, dict[str, int]]:
    """Every fact of every agency for one month, as counts (the registered source's ``count``):
    the month's dossiers are read once for every agency."""
    start, end = month_bounds(month)
    dossier = facts_by_agency(agency_ids, month, now=now)
    procedures = _procedure_rows(end)
    used = _online_codes(agency_ids, start, end)
    out: dict[int, dict[str, int]] = {}
    for agency in counted_agencies(agency_ids):
        counts = _counts(
            dossier.get(agency.pk, {}), _procedure_facts_from(agency, procedures, used.get(agency.pk, set()))
        )
        if counts:
            out[agency.pk] = counts
    return out


def first_submission() -> dt.datetime | None:
    return Dossier.objects.aggregate(m=Min("submitted_at"))["m"]


SOURCE = IndicatorSource(
    name="dossiers",
    facts=FACTS,
    count=count,
    since=first_submission,
    prefixes=(
        "progress",
        "online",
        "payment",
        "reuse",
        "eresult",
        "digitised",
        "satisfaction",
        "duration",
        "proc",
    ),
)
