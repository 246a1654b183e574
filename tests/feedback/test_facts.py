"""The feedback indicator source: received, on time, overdue, satisfaction, reopened per agency and month."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories_feedback as ff
from thudo.core import indicators
from thudo.core.livedata import LIVE_DATASETS
from thudo.feedback import actions, facts, opentables
from thudo.kpi import compute, results, seed
from thudo.kpi.models import MonthlyAgencyCount

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


def test_the_source_is_registered():
    assert "feedback" in {s.name for s in indicators.SOURCES}
    assert indicators.fact_labels()["feedback.overdue"]


def test_not_accepted_by_tuesday_is_counted_overdue_in_the_units_month():
    """F2: submitted Monday 09:00, not accepted by Tuesday 09:00 → overdue for acceptance, in
    that agency's March, lowering its on-time count."""
    p = ff.place()
    late = ff.report(p, now=ff.at("2026-03-02", 9))
    on_time = ff.report(p, now=ff.at("2026-03-02", 9))
    actions.accept(on_time, by=p.triage, now=ff.at("2026-03-02", 14))
    counts = facts.count(MARCH, None, ff.at("2026-03-03", 10))[p.committee.pk]
    assert counts["feedback.received"] == 2
    assert counts["feedback.accepted"] == 2
    assert counts["feedback.accepted_on_time"] == 1
    assert counts["feedback.overdue"] == 1
    # accepting it late does not take it off the overdue count
    actions.accept(late, by=p.triage, now=ff.at("2026-03-03", 11))
    assert (
        facts.count(MARCH, [p.committee.pk], ff.at("2026-03-31", 10))[p.committee.pk]["feedback.overdue"] == 1
    )


def test_kpi_rollup_stores_satisfaction_and_reopens():
    p = ff.place()
    ff.route(p)
    owner = ff.citizen()
    r = actions.accept(
        ff.report(p, by=owner, now=ff.at("2026-03-02", 9)), by=p.triage, now=ff.at("2026-03-02", 10)
    )
    r = actions.handle(r, by=p.handler, answer="Đã thu gom rác xong.", now=ff.at("2026-03-02", 15))
    r = actions.publish_answer(r, by=p.triage, now=ff.at("2026-03-02", 16))
    r = actions.rate(r, by=owner, satisfied=False, now=ff.at("2026-03-03", 9))
    actions.reopen(r, by=owner, now=ff.at("2026-03-03", 10))
    compute.rollup(MARCH)
    stored = dict(
        MonthlyAgencyCount.objects.filter(agency=p.committee, month=MARCH).values_list("metric", "value")
    )
    assert stored["feedback.received"] == 1
    assert stored["feedback.rated"] == 1
    assert "feedback.satisfied" not in stored
    assert stored["feedback.reopened"] == 1


def test_the_index_shows_the_units_feedback_on_time_and_satisfaction():
    """5.2 and 5.3 of Decision 766 count the feedback facts (they had no data before the feedback
    app): the unit's score shows them, and they have no dossier list behind them."""
    index, _targets = seed.load()
    p = ff.place()
    ff.route(p)
    owner = ff.citizen()
    r = actions.accept(
        ff.report(p, by=owner, now=ff.at("2026-03-02", 9)), by=p.triage, now=ff.at("2026-03-02", 10)
    )
    r = actions.handle(r, by=p.handler, answer="Đã thu gom rác xong.", now=ff.at("2026-03-02", 11))
    r = actions.publish_answer(r, by=p.triage, now=ff.at("2026-03-02", 12))
    actions.rate(r, by=owner, satisfied=True, now=ff.at("2026-03-03", 9))
    compute.rollup(MARCH)
    got = {
        i["code"]: i
        for g in results.unit_score(index, p.committee, [MARCH])["groups"]  # routed to the committee
        for i in g["indicators"]
    }
    assert (got["5.2"]["numerator"], got["5.2"]["denominator"]) == (1, 1)
    assert got["5.2"]["points"] == got["5.2"]["max"]
    assert (got["5.3"]["numerator"], got["5.3"]["denominator"]) == (1, 1)
    five_two = index.groups.get(code="5").indicators.get(code="5.2")
    assert results.behind_facts(five_two, "numerator") == ()


def test_feedback_statistics_are_published_as_open_data_without_reporters():
    p = ff.place()
    owner = ff.citizen()
    ff.report(p, by=owner, now=ff.at("2026-03-02", 9))
    refused = ff.report(p, by=owner, now=ff.at("2026-03-02", 10))
    actions.refuse(
        refused, by=p.triage, reason="not_enough_info", note="Thiếu vị trí", now=ff.at("2026-03-02", 11)
    )
    table = opentables.statistics_table()
    rows = [dict(zip([c.name for c in table.columns], r, strict=True)) for r in table.rows]
    assert rows == [
        {
            "ky": "2026-03",
            "ma_phuong_xa": p.commune.code,
            "ten_phuong_xa": p.commune.name,
            "ma_linh_vuc": "moi-truong",
            "linh_vuc": ff.category().name,
            "so_phan_anh": 2,
            "da_tra_loi": 0,
            "khong_tiep_nhan": 1,
        }
    ]
    assert opentables.STATISTICS in LIVE_DATASETS
