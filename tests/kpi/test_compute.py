"""A generated month of dossiers with known outcomes: every unit's score equals an independent
computation written here (Decision 766/QĐ-TTg formulas, domain-rules §4)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests import factories_kpi as fk
from thudo.kpi import compute, results, seed
from thudo.kpi.models import FillState, MonthlyAgencyCount
from thudo.procedures.models import Procedure

pytestmark = pytest.mark.django_db

OCT = compute.parse_period("2026-10")
NOW = fk.at("2026-11-05")

# name: (kwargs for the factory, expected flags)
# flags: p=in 2.1, t=on time, r=received in month, o=online counted, f=fee, po=paid online,
# ru=reused, e=ended in month, i=result issued, er=e-result, dg=digitised, l=late at end, dl=disliked
CASES = {
    "early": (
        {
            "received": "2026-10-02",
            "due": "2026-10-09",
            "status": "returned",
            "finished": "2026-10-08",
            "channel": "online",
            "e_result": True,
            "rating": {"attitude": 5, "time": 5, "result": 5},
        },
        "p t r o e i er dg",
    ),
    "late": (
        {
            "received": "2026-10-05",
            "due": "2026-10-10",
            "status": "returned",
            "finished": "2026-10-15",
            "e_result": True,
            "rating": {"attitude": 1, "time": 4, "result": 4},
        },
        "p r e i er dg l dl",
    ),
    "open_in_time": ({"received": "2026-10-20", "due": "2026-11-20"}, "p t r"),
    "open_overdue": ({"received": "2026-10-01", "due": "2026-10-20"}, "p r"),
    "two_supplements": (
        {
            "received": "2026-10-03",
            "due": "2026-10-30",
            "status": "returned",
            "finished": "2026-10-12",
            "supplements": 2,
        },
        "p r e i l",
    ),
    "apologised": (
        {
            "received": "2026-10-03",
            "due": "2026-10-30",
            "status": "returned",
            "finished": "2026-10-12",
            "apology": True,
        },
        "p r e i l",
    ),
    "refused": (
        {"received": "2026-10-06", "due": "2026-10-20", "status": "rejected", "finished": "2026-10-07"},
        "p t r e",
    ),
    "from_september": (
        {"received": "2026-09-10", "due": "2026-09-30", "status": "returned", "finished": "2026-10-02"},
        "p e i l",
    ),
    "all_september": (
        {"received": "2026-09-05", "due": "2026-09-30", "status": "returned", "finished": "2026-09-20"},
        "",
    ),
    "paid_online": (
        {
            "received": "2026-10-08",
            "due": "2026-11-30",
            "channel": "online",
            "fee": 50000,
            "paid_online": True,
        },
        "p t r o f po",
    ),
    "paid_cash": ({"received": "2026-10-09", "due": "2026-11-30", "fee": 50000}, "p t r f"),
    "reused": (
        {"received": "2026-10-10", "due": "2026-11-30", "channel": "online", "reused": True},
        "p t r o ru",
    ),
    "undigitised": (
        {
            "received": "2026-10-11",
            "due": "2026-10-30",
            "status": "returned",
            "finished": "2026-10-20",
            "e_result": True,
            "undigitised": True,
        },
        "p t r e i er",
    ),
    "paused_in_time": (
        {"received": "2026-10-01", "due": "2026-10-25", "status": "paused", "paused_since": "2026-10-20"},
        "p t r",
    ),
    "paper_result_online": (
        {
            "received": "2026-10-12",
            "due": "2026-10-30",
            "status": "returned",
            "finished": "2026-10-14",
            "channel": "online",
        },
        "p t r e i",
    ),
}


def _build(agency, proc, cases):
    for kwargs, _flags in cases.values():
        kw = dict(kwargs)
        kw["received"] = fk.at(kw["received"])
        kw["due"] = fk.at(kw["due"], 17)
        for key in ("finished", "paused_since"):
            if key in kw:
                kw[key] = fk.at(kw[key], 10)
        fk.dossier(procedure=proc, agency=agency, **kw)


def _expected_points(cases) -> dict[str, Decimal | None]:
    """Independent computation of each dossier indicator from the flag table."""
    flags = [set(f.split()) for _, f in cases.values()]

    def n(flag):
        return sum(1 for f in flags if flag in f)

    def pts(num, den, mx, target=None):
        if den == 0:
            return None
        r = Decimal(num) / Decimal(den)
        v = min(Decimal(mx), Decimal(mx) * r / Decimal(target)) if target else Decimal(mx) * r
        return v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    issued_doc = n("i")
    late_or_disliked = n("l") + n("dl")
    ended = n("e")
    sat = None if ended == 0 else max(Decimal(0), 1 - Decimal(late_or_disliked) / ended)
    return {
        "2.1": pts(n("t"), n("p"), 20),
        "3.3": pts(n("o"), n("r"), 4, "0.5"),
        "3.6": pts(n("po"), n("f"), 6),
        "4.1": pts(n("er"), issued_doc, 6),
        "4.2": pts(n("dg"), issued_doc, 4, "0.8"),
        "4.3": pts(n("ru"), n("r"), 2, "0.8"),
        "5.4": None
        if sat is None
        else min(Decimal(6), 6 * sat / Decimal("0.9")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    }


@pytest.fixture
def month():
    index, _ = seed.load()
    dept = fk.department()
    proc = fk.procedure(agency=dept)
    _build(dept, proc, CASES)
    small = {k: CASES[k] for k in ("early", "late", "open_overdue")}
    ward = fk.commune()
    _build(ward, fk.procedure(), small)
    empty = fk.department(name="Sở Không Có Hồ Sơ", abbreviation="SKC")
    Procedure.objects.update(published_at=fk.at("2026-01-05"))  # in force before the month
    compute.rollup(OCT[0], agencies=[dept, ward, empty], now=NOW)
    return index, dept, ward, empty, small


def _by_code(result):
    return {i["code"]: i for g in result["groups"] for i in g["indicators"]}


def test_every_units_score_equals_independent_computation(month):
    index, dept, ward, _empty, small = month
    for agency, cases in ((dept, CASES), (ward, small)):
        got = _by_code(results.unit_score(index, agency, OCT))
        for code, expected in _expected_points(cases).items():
            assert got[code]["points"] == expected, (agency.name, code, got[code])


def test_totals_classification_and_procedure_indicators(month):
    index, dept, *_ = month
    result = results.unit_score(index, dept, OCT)
    got = _by_code(result)
    # one published, complete, partially online procedure with an online dossier this month
    assert (got["1.3"]["points"], got["3.1"]["points"], got["3.2"]["points"]) == (2, 4, 4)
    earned = sum(i["points"] for i in got.values() if i["points"] is not None)
    available = sum(i["max"] for i in got.values() if i["points"] is not None)
    assert result["earned"] == earned
    assert result["available"] == available
    assert result["score"] == (100 * earned / available).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_no_data_is_distinct_from_zero(month):
    index, dept, ward, empty, _ = month
    got = _by_code(results.unit_score(index, empty, OCT))
    assert got["2.1"]["points"] is None and got["2.1"]["denominator"] == 0
    assert got["2.1"]["no_data_reason"]
    assert results.unit_score(index, empty, OCT)["score"] is None
    # sources the platform does not have yet: no data, with the reason, never 0
    dept_result = _by_code(results.unit_score(index, dept, OCT))
    for code in ("1.1", "1.2", "1.4", "3.5", "4.4", "4.5", "5.2", "5.3"):  # 5.2, 5.3: no feedback yet
        assert dept_result[code]["points"] is None
        assert dept_result[code]["no_data_reason"]
    # the ward had no fee-bearing dossier: 3.6 is no data, not zero
    assert _by_code(results.unit_score(index, ward, OCT))["3.6"]["points"] is None


def test_rollup_is_idempotent_and_resumes(month):
    index, dept, ward, empty, _ = month
    before = sorted(MonthlyAgencyCount.objects.values_list("agency_id", "metric", "value"))
    compute.rollup(OCT[0], agencies=[dept, ward, empty], now=NOW)
    assert sorted(MonthlyAgencyCount.objects.values_list("agency_id", "metric", "value")) == before
    # a crash left the month "started": catch_up redoes it and marks it done
    FillState.objects.update_or_create(
        metric_set=compute.METRIC_SET, defaults={"month": OCT[0], "state": FillState.State.STARTED}
    )
    done = compute.catch_up(OCT[0], now=NOW)
    assert done == [OCT[0]]
    assert FillState.objects.get().state == FillState.State.DONE
    assert _by_code(results.unit_score(index, dept, OCT))["2.1"]["denominator"] == 14


def test_dossiers_behind_match_the_counts(month, city_admin):
    from thudo.kpi import queries

    index, dept, *_ = month
    ind = queries.indicator(index, "2.1")
    num = queries.dossiers_behind(city_admin, ind, dept, "2026-10", "numerator", now=NOW)
    den = queries.dossiers_behind(city_admin, ind, dept, "2026-10", "denominator", now=NOW)
    assert num.count() == 9 and den.count() == 14
    assert set(num.values_list("pk", flat=True)) <= set(den.values_list("pk", flat=True))


def test_city_is_the_sum_of_units(month):
    index, dept, ward, *_ = month
    city = _by_code(results.city_score(index, OCT))
    assert city["2.1"]["denominator"] == 14 + 3
    ranking = results.ranking(index, OCT)
    ranked = {key: [u["code"] for u in units if not u["no_data"]] for key, units in ranking.items()}
    assert ranked == {"departments": [dept.code], "communes": [ward.code]}
    # units without any dossier in the period are listed as such, last and unranked (issue 11)
    assert all(u["rank"] is None and u["score"] is None for u in ranking["departments"][1:])
    assert ranking["departments"][0]["rank"] == 1
