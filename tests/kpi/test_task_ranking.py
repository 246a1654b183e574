"""Issue 12: a second ranking, of task results (Plan 259/KH-UBND), published beside the Decision
766 index without touching its scores: ranked by the on-time rate as counted by hand, its own
versions, both on the public page, its own name in the exports, units without task facts unranked.

The task facts are ``MonthlyAgencyCount`` rows made by hand (what the tasks app's source would
roll up; tests/tasks checks that source against a count by hand)."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests import factories_kpi as fk
from thudo.core.errors import InvalidInput, NotFound
from thudo.kpi import actions, compute, queries, seed
from thudo.kpi.models import FillState, IndicatorSet, MonthlyAgencyCount, SetKind

pytestmark = pytest.mark.django_db

OCTOBER = compute.parse_period("2026-10")[0]
TASKS_URL = f"/xep-hang/?set={seed.TASKS_CODE}"


def task_facts(agency, *, on_time: int, late: int, overdue: int = 0, received: int = 0) -> None:
    """One unit's October task facts, as the tasks source counts them (zeros left out)."""
    facts = {
        "tasks.received": received,
        "tasks.done_on_time": on_time,
        "tasks.done_late": late,
        "tasks.done": on_time + late,
        "tasks.overdue_month_end": overdue,
    }
    MonthlyAgencyCount.objects.bulk_create(
        MonthlyAgencyCount(agency=agency, month=OCTOBER, metric=k, value=v) for k, v in facts.items() if v
    )


def rolled_up() -> None:
    """October counts as rolled up (publishing does not roll it up again over the hand-made rows)."""
    FillState.objects.update_or_create(
        metric_set=compute.METRIC_SET, defaults={"month": OCTOBER, "state": FillState.State.DONE}
    )


@pytest.fixture
def tasks_set(db) -> IndicatorSet:
    seed.load()
    return IndicatorSet.objects.get(code=seed.TASKS_CODE)


@pytest.fixture
def units(month, tasks_set):
    """The October of ``month`` (a department and a ward with dossiers) plus two departments and a
    ward with task facts only; the ward of ``month`` has no task at all."""
    dept, ward, *_ = month
    quick = fk.department("Sở Nhiệm Vụ Nhanh", abbreviation="SNV")
    slow = fk.department("Sở Nhiệm Vụ Chậm", abbreviation="SNC")
    busy = fk.commune("UBND Phường Nhiệm Vụ")
    rolled_up()
    before = actions.snapshot_data(seed.current_index(OCTOBER), [OCTOBER])  # the 766 index, no task
    task_facts(dept, on_time=3, late=1, overdue=2, received=10)  # 75 %
    task_facts(quick, on_time=9, late=1, received=12)  # 90 %
    task_facts(slow, on_time=1, late=3, overdue=5)  # 25 %
    task_facts(busy, on_time=2, late=0, overdue=1)  # 100 %
    return {"dept": dept, "ward": ward, "quick": quick, "slow": slow, "busy": busy, "before": before}


def by_code(snap_units: list[dict]) -> dict[str, dict]:
    return {u["code"]: u for u in snap_units}


def test_the_task_set_is_seeded_as_data_and_current_index_stays_766(tasks_set):
    assert tasks_set.kind == SetKind.TASKS and "259/KH-UBND" in tasks_set.source
    assert "CHƯA ĐƯỢC XÁC NHẬN" in tasks_set.source  # the official weights are unconfirmed
    rate, overdue = [i for g in tasks_set.groups.all() for i in g.indicators.all()]
    assert rate.config == {"numerator": "tasks.done_on_time", "denominator": "tasks.done"}
    assert (rate.scored, rate.max_points) == (True, 100)
    assert (overdue.scored, overdue.config) == (False, {"query": "tasks_not_overdue"})
    assert seed.current_index(OCTOBER).code == seed.INDEX_CODE
    assert seed.current_index().code == seed.INDEX_CODE


def test_task_ranking_ranks_units_by_on_time_rate_counted_by_hand(units, tasks_set, city_admin):
    snap = actions.publish("2026-10", by=city_admin, set=tasks_set)
    assert (snap.set, snap.version) == (tasks_set, 1)
    depts = snap.data["departments"]
    assert [(u["code"], u["rank"], u["score"]) for u in depts] == [
        (units["quick"].code, 1, 90.0),  # 9 of 10 on time
        (units["dept"].code, 2, 75.0),  # 3 of 4
        (units["slow"].code, 3, 25.0),  # 1 of 4
    ]
    counted = {
        "tasks.received": 10,
        "tasks.done_on_time": 3,
        "tasks.done_late": 1,
        "tasks.done": 4,
        "tasks.overdue_month_end": 2,
    }
    assert {f: depts[1]["facts"][f] for f in counted} == counted  # shown beside the score
    communes = by_code(snap.data["communes"])
    assert communes[units["busy"].code]["rank"] == 1 and communes[units["busy"].code]["score"] == 100.0
    # The ward with dossiers but no task: listed, unranked, "no data" — not scored 0.
    ward = communes[units["ward"].code]
    assert (ward["no_data"], ward["rank"], ward["score"]) == (True, None, None)
    assert snap.data["set"]["code"] == seed.TASKS_CODE
    # Overdue is reported beside the score, not scored (the official weights are unconfirmed).
    busy = queries.unit_score(city_admin, units["busy"], "2026-10", tasks_set)
    not_overdue = busy["groups"][0]["indicators"][1]
    assert (not_overdue["numerator"], not_overdue["denominator"], not_overdue["points"]) == (1, 3, None)
    assert float(not_overdue["ratio"]) == pytest.approx(2 / 3)


def test_the_766_snapshot_of_the_same_month_is_unaffected(units, tasks_set, city_admin):
    index = actions.publish("2026-10", by=city_admin)
    tasks = actions.publish("2026-10", by=city_admin, set=tasks_set)
    assert (index.set.code, index.version, tasks.version) == (seed.INDEX_CODE, 1, 1)
    before = units["before"]
    assert index.data["departments"] == before["departments"]
    assert index.data["communes"] == before["communes"]
    assert index.data["city"] == before["city"] and "facts" not in index.data
    # Units with task facts but no dossier have no data in the 766 index (its own facts).
    assert by_code(index.data["departments"])[units["quick"].code]["no_data"] is True
    assert by_code(index.data["communes"])[units["ward"].code]["rank"] == 1
    # Each set has its own versions: publishing the task ranking again needs a reason.
    with pytest.raises(InvalidInput):
        actions.publish("2026-10", by=city_admin, set=tasks_set)
    again = actions.publish("2026-10", by=city_admin, set=tasks_set, reason="Bổ sung nhiệm vụ")
    assert again.version == 2 and queries.snapshot("2026-10").pk == index.pk
    assert queries.snapshot("2026-10", set_code=seed.TASKS_CODE).pk == again.pk


def test_only_ranked_sets_valid_that_month_are_published(units, tasks_set, city_admin):
    with pytest.raises(NotFound):
        queries.ranking_set(seed.TARGETS_CODE)
    targets = IndicatorSet.objects.get(code=seed.TARGETS_CODE)
    with pytest.raises(InvalidInput):
        actions.publish("2026-10", by=city_admin, set=targets)
    with pytest.raises(InvalidInput):  # Plan 259's set applies from July 2025
        actions.publish("2025-06", by=city_admin, set=tasks_set)


def test_public_page_shows_both_rankings_and_old_links_keep_the_index(units, tasks_set, client, city_admin):
    actions.publish("2026-10", by=city_admin)
    actions.publish("2026-10", by=city_admin, set=tasks_set)
    index_page = client.get("/xep-hang/").content.decode()
    assert "Xếp hạng chất lượng phục vụ người dân, doanh nghiệp" in index_page
    assert f'href="/xep-hang/?set={seed.TASKS_CODE}"' in index_page  # the other ranking's tab
    assert "Sở Thử Nghiệm KPI" in index_page and "Nhiệm vụ hoàn thành đúng hạn" not in index_page
    page = client.get(TASKS_URL).content.decode()
    assert "<h1>Xếp hạng kết quả thực hiện nhiệm vụ được giao</h1>" in page
    assert 'aria-current="page">Kết quả thực hiện nhiệm vụ được giao' in page
    assert "Nhiệm vụ hoàn thành đúng hạn" in page and "Nhiệm vụ quá hạn cuối tháng" in page
    assert page.index("Sở Nhiệm Vụ Nhanh") < page.index("Sở Thử Nghiệm KPI") < page.index("Sở Nhiệm Vụ Chậm")
    assert "Không có dữ liệu trong kỳ: không xếp hạng" in page  # the ward without tasks
    assert f'name="set" value="{seed.TASKS_CODE}"' in page  # the period picker stays on this ranking
    assert f"/xep-hang/2026-10/v1.csv?set={seed.TASKS_CODE}" in page
    assert client.get("/xep-hang/?set=khong-co").status_code == 404
    assert client.get(f"/xep-hang/?set={seed.TARGETS_CODE}").status_code == 404
    # The links made before there were two rankings still give the index.
    old = json.loads(client.get("/xep-hang/2026-10/v1.json").content)
    assert old["set"]["code"] == seed.INDEX_CODE


def test_exports_of_the_task_snapshot_carry_its_name(units, tasks_set, client, city_admin):
    actions.publish("2026-10", by=city_admin, set=tasks_set)
    name = "Xếp hạng kết quả thực hiện nhiệm vụ được giao"
    r = client.get(f"/xep-hang/2026-10/v1.csv?set={seed.TASKS_CODE}")
    short = f"Xếp hạng {seed.TASKS_CODE} 2026-10 v1"  # file names: the set's code, the file its name
    assert short in unquote(r["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head = rows[0]
    assert "Nhiệm vụ hoàn thành đúng hạn" in head and "Nhiệm vụ quá hạn cuối tháng" in head
    quick = next(row for row in rows if units["quick"].code in row)
    assert quick[1] == "1" and quick[head.index("Nhiệm vụ hoàn thành đúng hạn")] == "9"
    body = json.loads(client.get(f"/xep-hang/2026-10/v1.json?set={seed.TASKS_CODE}").content)
    assert body["set"]["name"] == name and body["departments"][0]["code"] == units["quick"].code
    xlsx = client.get(f"/xep-hang/2026-10/v1.xlsx?set={seed.TASKS_CODE}")
    assert short in unquote(xlsx["Content-Disposition"])
    cells = [c.value for c in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active["A"][:2]]
    assert name in str(cells[0]) and "chất lượng phục vụ" not in str(cells[0])
    pdf = client.get(f"/xep-hang/2026-10/v1.pdf?set={seed.TASKS_CODE}")
    assert pdf.content[:5] == b"%PDF-" and short in unquote(pdf["Content-Disposition"])
    # The task ranking has no version 1 of the index's name: the index was not published.
    assert client.get("/xep-hang/2026-10/v1.json").status_code == 404


def test_publish_page_lets_the_office_choose_the_ranking(units, tasks_set, client, city_admin):
    client.force_login(city_admin)
    overview = client.get("/kpi/?period=2026-10").content.decode()
    for code in (seed.TASKS_CODE, seed.INDEX_CODE):
        assert f'<option value="{code}">' in overview
    page = client.post("/kpi/cong-bo/", {"period": "2026-10", "set": seed.TASKS_CODE}, follow=True).content
    assert "Đã công bố xếp hạng kết quả thực hiện nhiệm vụ được giao kỳ 2026-10, lần 1." in page.decode()
    assert queries.latest_snapshot(seed.TASKS_CODE).version == 1
    assert queries.latest_snapshot() is None  # the index was not published by that
    client.post("/kpi/cong-bo/", {"period": "2026-10"})
    assert queries.latest_snapshot().set.code == seed.INDEX_CODE
    refused = client.post("/kpi/cong-bo/", {"period": "2026-10", "set": seed.TARGETS_CODE}, follow=True)
    assert "Không tìm thấy bảng xếp hạng này." in refused.content.decode()
    overview = client.get("/kpi/?period=2026-10").content.decode()
    assert f"?set={seed.TASKS_CODE}&amp;period=2026-10&amp;version=1" in overview


def test_unit_page_shows_the_task_results_beside_the_index(units, client, city_admin):
    client.force_login(factories.official(role="leader", agency=units["dept"]))
    page = client.get(f"/kpi/don-vi/{units['dept'].code}/?period=2026-10").content.decode()
    assert "Xếp hạng kết quả thực hiện nhiệm vụ được giao" in page
    assert "<strong>75</strong>" in page  # 3 of 4 on time
    assert "Không tính điểm" in page  # overdue: reported, not scored


def test_api_lists_snapshots_with_their_set(units, tasks_set, client, city_admin):
    actions.publish("2026-10", by=city_admin)
    client.force_login(city_admin)
    made = client.post(
        "/api/v1/kpi/snapshots",
        {"period": "2026-10", "set": seed.TASKS_CODE},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["set"] == seed.TASKS_CODE
    listed = client.get("/api/v1/kpi/snapshots?period=2026-10").json()
    assert sorted((s["set"], s["version"]) for s in listed) == [(seed.TASKS_CODE, 1), (seed.INDEX_CODE, 1)]
    assert [s["set"] for s in client.get(f"/api/v1/kpi/snapshots?set={seed.TASKS_CODE}").json()] == [
        seed.TASKS_CODE
    ]
    ranking = client.get(f"/api/v1/kpi/ranking/2026-10?set={seed.TASKS_CODE}").json()
    assert ranking["data"]["departments"][0]["code"] == units["quick"].code
    assert client.get("/api/v1/kpi/ranking/2026-10").json()["set"] == seed.INDEX_CODE
    bad = client.post(
        "/api/v1/kpi/snapshots", {"period": "2026-10", "set": "khong-co"}, content_type="application/json"
    )
    assert bad.status_code == 404 and bad.json()["code"] == "not_found"


def test_task_ranking_page_reads_a_fixed_number_of_queries(tasks_set, client, city_admin):
    def add_units(n: int) -> None:
        for i in range(n):
            task_facts(fk.commune(f"UBND Phường Đếm {add_units.seq}"), on_time=i % 3, late=1, overdue=i % 2)
            add_units.seq += 1

    add_units.seq = 0  # type: ignore[attr-defined]

    def count() -> tuple[int, str]:
        client.get(TASKS_URL)  # the published body is cached once per process
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(TASKS_URL).content.decode()
        return len(ctx.captured_queries), page

    rolled_up()
    add_units(5)
    actions.publish("2026-10", by=city_admin, set=tasks_set)
    small, page = count()
    assert page.count("UBND Phường Đếm") >= 5
    add_units(10)
    actions.publish("2026-10", by=city_admin, set=tasks_set, reason="Thêm đơn vị")
    large, page = count()
    assert page.count("UBND Phường Đếm") >= 15
    assert large == small <= 3  # the ranked sets, the snapshot, its set's published periods


def test_each_ranking_is_its_own_open_dataset(units, tasks_set, city_admin):
    from thudo.core.livedata import LIVE_DATASETS
    from thudo.kpi import opentables

    actions.publish("2026-10", by=city_admin)
    actions.publish("2026-10", by=city_admin, set=tasks_set)
    assert opentables.TASK_RANKINGS in LIVE_DATASETS
    index_rows = opentables.RANKINGS.table().rows
    task_rows = opentables.TASK_RANKINGS.table().rows
    # column 4 is the unit's code, 8 its score: the index has no task score and vice versa
    assert {r[4]: r[8] for r in task_rows}[units["quick"].code] == 90.0
    assert {r[4]: r[8] for r in index_rows}[units["quick"].code] == ""  # no dossier: no data
