"""Permission-filtered reads of the kpi app.

Rankings, published snapshots, indicator sets and targets are public (Decision 766/QĐ-TTg: results
are published). A unit's detailed scores need ``kpi.view`` for that agency; the dossiers behind a
number are the person's visible dossiers only (``thudo.dossiers.queries.visible_dossiers``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import indicators, permissions, references
from thudo.core.errors import InvalidInput, NotAllowed, NotFound
from thudo.core.indicators import previous_month
from thudo.core.models import Agency
from thudo.dossiers import indicators as dossier_indicators
from thudo.dossiers import queries as dossier_queries
from thudo.kpi import compute, results, seed
from thudo.kpi.models import (
    RANKED_KINDS,
    Indicator,
    IndicatorSet,
    MonthlyAgencyCount,
    ReportAssignment,
    ReportForm,
    ReportSubmission,
    SetKind,
    Snapshot,
    SubmissionStatus,
    Target,
    TargetStatus,
)
from thudo.procedures.models import Procedure


def agency(code: str) -> Agency:
    found = Agency.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("Không tìm thấy cơ quan."))
    return found


def index_set(months: list[dt.date] | None = None) -> IndicatorSet:
    return seed.current_index(months[-1] if months else None)


def indicator(index: IndicatorSet, code: str) -> Indicator:
    found = Indicator.objects.filter(group__set=index, code=code).select_related("group").first()
    if found is None:
        raise NotFound(_("Không tìm thấy chỉ số."))
    return found


def indicator_sets() -> QuerySet[IndicatorSet]:
    return IndicatorSet.objects.prefetch_related("groups__indicators").order_by("kind", "-valid_from")


def can_view_unit(person, unit: Agency) -> bool:
    return permissions.is_city_admin(person) or unit.pk in permissions.agencies_for(person, "kpi.view")


def require_view_unit(person, unit: Agency) -> None:
    if not can_view_unit(person, unit):
        raise NotAllowed()


def require_kpi_view(person) -> None:
    if not permissions.can(person, "kpi.view"):
        raise NotAllowed()


def unit_score(person, unit: Agency, period: str, index: IndicatorSet | None = None) -> dict:
    require_view_unit(person, unit)
    months = compute.parse_period(period)
    return results.unit_score(index or index_set(months), unit, months)


def other_scores(person, unit: Agency, period: str) -> list[tuple[IndicatorSet, dict]]:
    """The unit's score in every ranked set other than the index valid in the period (the task
    results of Plan 259), for its page beside the index: ``[(set, score)]``."""
    require_view_unit(person, unit)
    months = compute.parse_period(period)
    last = months[-1]
    sets = (
        IndicatorSet.objects.filter(kind__in=RANKED_KINDS, valid_from__lt=indicators.next_month(last))
        .exclude(kind=SetKind.INDEX)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=last))
        .order_by("kind", "-valid_from")
    )
    sums = results.sums_for([unit.pk], months)
    return [(s, results.score(s, sums)) for s in sets]


def overview_scope(person) -> list[Agency] | None:
    """What the person's KPI overview is about: ``None`` for the whole city (those who manage the
    index), else the units whose scores the person may view (a ward leader: her ward)."""
    if permissions.can(person, "kpi.manage"):
        return None
    return list(Agency.objects.filter(pk__in=permissions.agencies_for(person, "kpi.view")).order_by("name"))


def live_ranking(person, index: IndicatorSet, months: list[dt.date]) -> dict:
    """The live (unpublished) ranking as ``person`` may see it: every unit for those who manage
    the index (the city), otherwise only the units whose scores they may view, as on the unit
    page. Published rankings are public anyway."""
    live = results.ranking(index, months)
    if permissions.can(person, "kpi.manage"):
        return live
    viewable = Agency.objects.filter(pk__in=permissions.agencies_for(person, "kpi.view"))
    own = set(viewable.values_list("code", flat=True))
    return {key: [u for u in live[key] if u["code"] in own] for key in ("departments", "communes")}


def trend(index: IndicatorSet, *, unit: Agency | None, last: dt.date, count: int = 6) -> list[dict]:
    """The score for each of the ``count`` months up to ``last`` (for charts)."""
    months = [last]
    while len(months) < count:
        m = months[0]
        months.insert(0, previous_month(m))
    # One query for the counts of every month and one for the indicators (not two per month).
    rows = MonthlyAgencyCount.objects.filter(month__in=months)
    if unit is not None:
        rows = rows.filter(agency=unit)
    sums: dict[dt.date, dict[str, int]] = {m: {} for m in months}
    for r in rows.values("month", "metric").annotate(total=Sum("value")):
        sums[r["month"]][r["metric"]] = int(r["total"])
    indicators = results._indicators(index)
    out = []
    for m in months:
        r = results.score(index, sums[m], indicators)
        out.append({"period": f"{m:%Y-%m}", "score": r["score"], "class": r["class"]})
    return out


def dossiers_behind(person, ind: Indicator, unit: Agency | None, period: str, part: str, *, now=None):
    """The dossiers behind an indicator's numerator or denominator for a unit (or the city, if
    ``unit`` is None) and period: the same classification as the rollup, re-run for this unit
    only, limited to the dossiers the person may see."""
    if part not in ("numerator", "denominator"):
        raise InvalidInput(_("Phần phải là tử số hoặc mẫu số."), fields={"part": part})
    facts = [f for f in results.behind_facts(ind, part) if f not in results.PROCEDURE_FACTS]
    months = compute.parse_period(period)
    units = [unit.pk] if unit is not None else None
    ids: set[int] = set()
    if facts:
        for m in months:
            for found in dossier_indicators.facts_by_agency(units, m, now=now).values():
                for f in facts:
                    ids |= found.get(f, set())
    return dossier_queries.visible_dossiers(person).filter(pk__in=ids).order_by("-submitted_at", "-pk")


def procedures_behind(ind: Indicator, unit: Agency, period: str, part: str):
    """The procedures behind a procedure indicator (1.3, 3.1, 3.2) — public catalogue data."""
    facts = [f for f in results.behind_facts(ind, part) if f in results.PROCEDURE_FACTS]
    ids: set[int] = set()
    for m in compute.parse_period(period):
        found = dossier_indicators.procedure_facts(unit, m)
        for f in facts:
            ids |= found.get(f, set())
    return Procedure.objects.filter(pk__in=ids).order_by("code")


# --- snapshots, targets -----------------------------------------------------------------------


def ranking_sets() -> list[IndicatorSet]:
    """The sets that rank units monthly (the Decision 766 index first, then the task results of
    Plan 259), newest first within a kind — the tabs of the public ranking page."""
    return list(IndicatorSet.objects.filter(kind__in=RANKED_KINDS).order_by("kind", "-valid_from", "code"))


def ranking_set(code: str) -> IndicatorSet:
    """A ranked set by its code (``259-NV``); NotFound for an unknown code or a set that is not
    ranked (the digital-transformation targets)."""
    found = IndicatorSet.objects.filter(code=code, kind__in=RANKED_KINDS).first()
    if found is None:
        raise NotFound(_("Không tìm thấy bảng xếp hạng này."))
    return found


def _of_set(qs: QuerySet[Snapshot], set_code: str | None) -> QuerySet[Snapshot]:
    """Snapshots of the set ``set_code``; without one, of the Decision 766 index (as before there
    were other rankings: old links and open-data clients keep getting the index)."""
    return qs.filter(set__code=set_code) if set_code else qs.filter(set__kind=SetKind.INDEX)


def snapshots(period: str | None = None, set_code: str | None = None, *, every_set: bool = False):
    """Published snapshots (without their data), newest first: of one set (default: the index),
    or of every set (``every_set``), with the set's code and name at hand (``s.set``)."""
    qs = Snapshot.objects.defer("data").select_related("set").order_by("-period", "set__kind", "-version")
    if not every_set:
        qs = _of_set(qs, set_code)
    return qs.filter(period=period) if period else qs


def snapshot(period: str, version: int | None = None, set_code: str | None = None) -> Snapshot:
    qs = _of_set(Snapshot.objects.filter(period=period), set_code).order_by("-version")
    found = qs.filter(version=version).first() if version else qs.first()
    if found is None:
        raise NotFound(_("Chưa công bố xếp hạng kỳ này."))
    return found


def latest_snapshot(set_code: str | None = None) -> Snapshot | None:
    return _of_set(Snapshot.objects.all(), set_code).order_by("-period", "-version").first()


def targets() -> list[Target]:
    """Every target; computed ones get their current value from platform data."""
    out = list(Target.objects.filter(set__kind=SetKind.TARGETS).select_related("owner_agency", "set"))
    today = timezone.localdate()
    for t in out:
        t.live_value = _computed(t.query) if t.kind == "computed" else None
        t.live_status = t.status
        if t.live_value is not None:
            if t.live_value >= t.goal:
                t.live_status = TargetStatus.MET
            elif today > t.deadline:
                t.live_status = TargetStatus.NOT_MET
        t.status_label = TargetStatus(t.live_status).label
    return out


def target_link(code: str) -> references.Link | None:
    """How another module's page links to a target (``kpi.target:<code>``): its row on the board."""
    found = Target.objects.filter(set__kind=SetKind.TARGETS, code=code).first()
    if found is None:
        return None
    return references.Link(f"{found.code}. {found.name}", f"{reverse('kpi:targets')}#muc-tieu-{found.code}")


def target(code: str) -> Target:
    found = Target.objects.filter(set__kind=SetKind.TARGETS, code=code).first()
    if found is None:
        raise NotFound(_("Không tìm thấy mục tiêu."))
    return found


def _computed(query: str):
    """A computed target's current value, from the app that registered it (core.indicators)."""
    return indicators.target_value(query)


def full_online_share():
    """DG-01: published procedures offered fully online, in percent."""
    published = Procedure.objects.filter(status="published")
    total = published.count()
    if not total:
        return None
    full = published.filter(online_level="full").count()
    return (Decimal(100) * full / total).quantize(Decimal("0.01"))


# --- report forms ---------------------------------------------------------------------------------


def forms() -> QuerySet[ReportForm]:
    return ReportForm.objects.all()


def assignments(person, *, period: str | None = None, form: ReportForm | None = None) -> QuerySet:
    qs = permissions.visible(
        person, ReportAssignment.objects.select_related("form", "agency", "submission"), "kpi.report"
    )
    if not permissions.is_city_admin(person):
        qs = qs | permissions.visible(
            person, ReportAssignment.objects.select_related("form", "agency", "submission"), "kpi.view"
        )
    if period:
        qs = qs.filter(period=period)
    if form is not None:
        qs = qs.filter(form=form)
    return qs.distinct().order_by("-period", "form__code", "agency__code")


def assignment(person, pk: int) -> ReportAssignment:
    found = assignments(person).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def submission(person, pk: int) -> ReportSubmission:
    found = (
        permissions.visible(
            person,
            ReportSubmission.objects.select_related("assignment__agency", "assignment__form"),
            "kpi.report",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def report_quality(agency_ids: list[int] | None, period: str | None = None) -> dict:
    """Report-quality indicator: on-time accepted submissions / assigned reports (missing and late
    counted separately). ``None`` ratio when nothing was assigned."""
    from thudo.kpi import scoring

    qs = ReportAssignment.objects.all()
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    if period:
        qs = qs.filter(period=period)
    handed_in = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED, SubmissionStatus.RETURNED)
    counts = qs.aggregate(  # one query (an assignment has at most one submission)
        assigned=Count("pk"),
        good=Count("pk", filter=Q(submission__status=SubmissionStatus.ACCEPTED, submission__late=False)),
        late=Count("pk", filter=Q(submission__late=True)),
        missing=Count("pk", filter=Q(submission__isnull=True) | ~Q(submission__status__in=handed_in)),
    )
    assigned, good, late, missing = (counts[k] for k in ("assigned", "good", "late", "missing"))
    return {
        "assigned": assigned,
        "on_time_accepted": good,
        "late": late,
        "missing": missing,
        "ratio": scoring.ratio(good, assigned),
    }
