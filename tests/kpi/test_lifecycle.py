"""The facts agree with dossiers that went through the real lifecycle (thudo.dossiers.actions)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories_dossiers as fd
from thudo.dossiers import actions
from thudo.kpi import compute, results, seed

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=HCM)


def test_lifecycle_dossiers_count_as_the_index_says():
    index, _ = seed.load()
    w = fd.world()
    done = fd.submit(w, at=at(2026, 12, 4, 21, 0))
    done = actions.receive(done, by=w.reception, now=at(2026, 12, 7, 9, 0))
    done = actions.forward(done, by=w.reception, assignee=w.specialist, now=at(2026, 12, 7, 9, 30))
    done = actions.forward(done, by=w.specialist, now=at(2026, 12, 8, 9, 30))
    done = actions.approve_and_sign(done, by=w.leader, now=at(2026, 12, 8, 10, 0))
    actions.return_result(done, by=w.reception, now=at(2026, 12, 8, 14, 0))
    stuck = fd.submit(w, at=at(2026, 12, 10, 9, 0))
    actions.receive(stuck, by=w.reception, now=at(2026, 12, 10, 9, 30))  # never finished: overdue
    month = compute.parse_period("2026-12")
    compute.rollup(month[0], agencies=[w.agency], now=at(2027, 1, 5, 9, 0))
    got = {
        i["code"]: i for g in results.unit_score(index, w.agency, month)["groups"] for i in g["indicators"]
    }
    assert (got["2.1"]["numerator"], got["2.1"]["denominator"]) == (1, 2)
    assert (got["3.3"]["numerator"], got["3.3"]["denominator"]) == (2, 2)
    assert (got["4.1"]["numerator"], got["4.1"]["denominator"]) == (1, 1)
    assert (got["4.2"]["numerator"], got["4.2"]["denominator"]) == (1, 1)
    assert got["2.2"]["value"] is not None
