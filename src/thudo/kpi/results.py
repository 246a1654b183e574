"""Scores from the rolled-up counts: per unit, for the city, and rankings of any ranked set (the
Decision 766/QĐ-TTg index, the task results of Plan 259/KH-UBND).

Reads :class:`MonthlyAgencyCount` only. An indicator whose denominator is zero, or that has no data
source on the platform yet, gives "no data" (``None``), shown as such and left out of the total.
The total is therefore given twice: points earned out of the points that had data, and that share
on a 100-point scale (``score``), which is what is classified and ranked — a unit is not marked
down for data the platform cannot collect yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thudo.core import indicators as core_indicators
from thudo.core.indicators import COMMUNE_KINDS, DEPARTMENT_KINDS
from thudo.core.models import Agency
from thudo.dossiers import indicators as dossier_indicators
from thudo.kpi import scoring
from thudo.kpi.models import Indicator, IndicatorKind, IndicatorSet, MonthlyAgencyCount, SetKind

CLASS_LABELS = {
    "excellent": gettext_lazy("Xuất sắc"),
    "good": gettext_lazy("Tốt"),
    "average": gettext_lazy("Trung bình"),
    "weak": gettext_lazy("Yếu"),
}


def vi_number(value, places: int = 2) -> str:
    """A score the Vietnamese way: decimal comma, ``places`` decimals, trailing zeros dropped
    (12,26; 9,5; 100). Used by tables, charts and PDFs alike."""
    text = f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def class_label(value: str | None) -> str:
    return str(CLASS_LABELS.get(value, _("Không có dữ liệu"))) if value else str(_("Không có dữ liệu"))


# Registered queries: name → (numerator facts, denominator facts); the ratio is computed below.
QUERIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "procedures_complete": (("proc.complete",), ("proc.total",)),
    "procedures_online": (("proc.online",), ("proc.total",)),
    "procedures_used": (("proc.used",), ("proc.online",)),
    "satisfaction": (("satisfaction.late", "satisfaction.disliked"), ("satisfaction.ended",)),
    "mean_processing_days": (("duration.minutes",), ("duration.count",)),
    # Plan 259 (task results): share of tasks not left overdue = 1 − overdue at month end /
    # (done in the month + overdue at month end); both counted per lead unit (tasks app).
    "tasks_not_overdue": (("tasks.overdue_month_end",), ("tasks.done", "tasks.overdue_month_end")),
}
# Registered queries given as 100% minus the share of their numerator, with what it counts.
COMPLEMENT_QUERIES = {
    "satisfaction": gettext_lazy("trễ hạn + bị đánh giá không hài lòng"),
    "tasks_not_overdue": gettext_lazy("quá hạn cuối tháng"),
}
PROCEDURE_FACTS = ("proc.total", "proc.complete", "proc.online", "proc.used", "proc.full")


def behind_facts(indicator: Indicator, part: str) -> tuple[str, ...]:
    """The facts whose rows (dossiers or procedures) are behind an indicator's numerator or
    denominator. Empty for indicators without a data source."""
    config = indicator.config or {}
    if indicator.kind == IndicatorKind.DOSSIER_RATIO:
        # Only the dossiers' facts have rows to list (feedback and task facts have their own pages).
        return (config[part],) if config[part] in dossier_indicators.FACTS else ()
    if indicator.kind == IndicatorKind.QUERY and config.get("query") in QUERIES:
        num, den = QUERIES[config["query"]]
        facts = num if part == "numerator" else den
        if facts == ("duration.minutes",):
            return ("duration.count",)
        return tuple(f for f in facts if f in dossier_indicators.FACTS)
    return ()


def referenced_facts(indicator: Indicator) -> tuple[str, ...]:
    """Every fact an indicator's value is computed from (whatever source counts it)."""
    config = indicator.config or {}
    if indicator.kind == IndicatorKind.DOSSIER_RATIO:
        return (config["numerator"], config["denominator"])
    if indicator.kind == IndicatorKind.RATING_MEAN:
        return tuple(f for f in (config.get("sum"), config.get("count")) if f)
    if indicator.kind == IndicatorKind.QUERY and config.get("query") in QUERIES:
        num, den = QUERIES[config["query"]]
        return num + den
    return ()


def own_facts(index: IndicatorSet) -> tuple[str, ...]:
    """The set's own facts: every fact of the indicator sources its indicators draw on (for the
    766 index the dossiers' and the feedback's, for the task results the tasks'), in the sources'
    order, without the procedure catalogue's counts (every unit has those, dossiers or not).

    A unit none of whose own facts is counted in the period has no data for the set: listed
    unranked, not scored 0."""
    found = getattr(index, "_thudo_own_facts", None)
    if found is None:
        used = {f for ind in _indicators(index) for f in referenced_facts(ind)}
        found = tuple(
            name
            for source in core_indicators.SOURCES
            if used & set(source.facts)
            for name in source.facts
            if name not in PROCEDURE_FACTS
        )
        # A fact no registered source declares (yet) still counts as the set's own.
        found += tuple(sorted(used - set(found) - set(core_indicators.fact_labels()) - set(PROCEDURE_FACTS)))
        index._thudo_own_facts = found  # type: ignore[attr-defined]
    return found


def shown_facts(index: IndicatorSet) -> list[dict]:
    """The counts a ranking of ``index`` shows beside each unit's score: none for the 766 index
    (its five groups; the counts are on each unit's page), the set's own facts otherwise (the task
    results: received, done on time, done late, done, overdue at month end ...)."""
    if index.kind == SetKind.INDEX:
        return []
    labels = core_indicators.fact_labels()
    return [{"code": f, "label": str(labels.get(f, f))} for f in own_facts(index)]


def evaluate(indicator: Indicator, sums: dict[str, int]) -> dict:
    """One indicator from summed counts: numerator, denominator, ratio, points (or no data)."""
    config = indicator.config or {}
    out = {
        "code": indicator.code,
        "name": indicator.name,
        "kind": indicator.kind,
        "max": indicator.max_points,
        "target": indicator.target,
        "scored": indicator.scored,
        "formula": indicator.formula,
        "numerator": None,
        "denominator": None,
        "ratio": None,
        "points": None,
        "value": None,
        "no_data_reason": "",
        "numerator_label": "",
    }
    if indicator.kind == IndicatorKind.DOSSIER_RATIO:
        num, den = sums.get(config["numerator"], 0), sums.get(config["denominator"], 0)
        out.update(numerator=num, denominator=den, ratio=scoring.ratio(num, den))
    elif indicator.kind == IndicatorKind.RATING_MEAN:
        total, count = sums.get(config.get("sum", ""), 0), sums.get(config.get("count", ""), 0)
        scale = Decimal(str(config.get("scale", 5)))
        mean = scoring.ratio(total, count)
        out.update(numerator=total, denominator=count, ratio=None if mean is None else mean / scale)
    elif indicator.kind == IndicatorKind.QUERY and config.get("query") in QUERIES:
        name = config["query"]
        num_facts, den_facts = QUERIES[name]
        num = sum(sums.get(f, 0) for f in num_facts)
        den = sum(sums.get(f, 0) for f in den_facts)
        out.update(numerator=num, denominator=den)
        if name in COMPLEMENT_QUERIES:
            # 5.4: 100% − (late share + share rated "not satisfied"); tasks: 100% − overdue share.
            share = scoring.ratio(num, den)
            out["ratio"] = None if share is None else max(Decimal(0), Decimal(1) - share)
            out["numerator_label"] = str(COMPLEMENT_QUERIES[name])
        elif name == "mean_processing_days":
            mean = scoring.ratio(num, den)  # minutes per dossier
            out["value"] = None if mean is None else (mean / Decimal(480)).quantize(Decimal("0.01"))
            out["ratio"] = None
            out["numerator_label"] = _("phút làm việc")
        else:
            out["ratio"] = scoring.ratio(num, den)
    else:
        out["no_data_reason"] = config.get("reason") or _("Nền tảng chưa có nguồn dữ liệu cho chỉ số này.")
        return out
    if out["ratio"] is None and out["value"] is None and not out["no_data_reason"]:
        out["no_data_reason"] = _("Không phát sinh trong kỳ (mẫu số bằng 0).")
    if indicator.scored and out["ratio"] is not None:
        out["points"] = scoring.points(out["ratio"], indicator.max_points, indicator.target)
    return out


def _indicators(index: IndicatorSet):
    """The index's indicators in order, read once per IndicatorSet instance (a page scores several
    months with the same instance)."""
    found = getattr(index, "_thudo_indicators", None)
    if found is None:
        found = list(
            Indicator.objects.filter(group__set=index)
            .select_related("group")
            .order_by("group__order", "order")
        )
        index._thudo_indicators = found  # type: ignore[attr-defined]
    return found


def score(index: IndicatorSet, sums: dict[str, int], indicators=None) -> dict:
    """Every group and indicator of ``index`` for the summed counts, with totals and class."""
    indicators = indicators if indicators is not None else _indicators(index)
    groups: dict[str, dict] = {}
    earned = available = Decimal(0)
    for ind in indicators:
        g = groups.setdefault(
            ind.group.code,
            {
                "code": ind.group.code,
                "name": ind.group.name,
                "max": ind.group.max_points,
                "points": None,
                "indicators": [],
            },
        )
        row = evaluate(ind, sums)
        g["indicators"].append(row)
        if row["points"] is not None:
            g["points"] = (g["points"] or Decimal(0)) + row["points"]
            earned += row["points"]
            available += Decimal(ind.max_points)
    total = scoring.scaled_total(earned, available)
    klass = scoring.classify(total, index.bands)
    return {
        "groups": list(groups.values()),
        "earned": earned,
        "available": available,
        "score": total,
        "class": klass,
        "class_label": class_label(klass),
    }


def sums_for(agency_ids: list[int] | None, months: list[dt.date]) -> dict[str, int]:
    qs = MonthlyAgencyCount.objects.filter(month__in=months)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    return {r["metric"]: int(r["total"]) for r in qs.values("metric").annotate(total=Sum("value"))}


def unit_score(index: IndicatorSet, agency: Agency, months: list[dt.date]) -> dict:
    return score(index, sums_for([agency.pk], months))


def city_score(index: IndicatorSet, months: list[dt.date]) -> dict:
    return score(index, sums_for(None, months))


def ranking(index: IndicatorSet, months: list[dt.date]) -> dict:
    """Departments and communes ranked by their score in ``index`` (units with none of the set's
    own facts in the period listed last, unranked: "no data", not 0). For sets other than the
    index each row also carries the counts of :func:`shown_facts` (``facts``)."""
    per_agency: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        MonthlyAgencyCount.objects.filter(month__in=months)
        .values("agency_id", "metric")
        .annotate(total=Sum("value"))
    )
    for r in rows:
        per_agency[r["agency_id"]][r["metric"]] = int(r["total"])
    indicators = _indicators(index)
    own = own_facts(index)
    shown = [f["code"] for f in shown_facts(index)]
    # Every active unit that is ranked, and any other unit with counts: a unit without data is
    # listed as such (unranked, last), not left out.
    agencies = Agency.objects.filter(
        Q(pk__in=per_agency.keys()) | Q(is_active=True, kind__in=COMMUNE_KINDS + DEPARTMENT_KINDS)
    ).order_by("code")
    out: dict[str, list] = {"departments": [], "communes": []}
    for agency in agencies:
        sums = per_agency.get(agency.pk, {})
        key = "communes" if agency.kind in COMMUNE_KINDS else "departments"
        facts = {"facts": {f: sums.get(f, 0) for f in shown}} if shown else {}
        if not any(sums.get(f) for f in own):  # none of the set's facts (766: no dossier at all)
            out[key].append(
                {
                    "code": agency.code,
                    "name": agency.short_name or agency.name,
                    "groups": {},
                    "earned": None,
                    "available": None,
                    "score": None,
                    "class": None,
                    "no_data": True,
                    **facts,
                }
            )
            continue
        result = score(index, sums, indicators)
        out[key].append(
            {
                "code": agency.code,
                "name": agency.short_name or agency.name,
                "groups": {g["code"]: _num(g["points"]) for g in result["groups"]},
                "earned": _num(result["earned"]),
                "available": _num(result["available"]),
                "score": _num(result["score"]),
                "class": result["class"],
                "no_data": False,
                **facts,
            }
        )
    for key, units in out.items():
        units.sort(key=lambda u: (u["score"] is None, -(u["score"] or 0), u["code"]))
        rank = 0
        for u in units:
            if u["score"] is not None:
                rank += 1
                u["rank"] = rank
            else:
                u["rank"] = None
        out[key] = units
    return out


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
