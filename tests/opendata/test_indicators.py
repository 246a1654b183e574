"""Publication indicators (O5, O6): a department is *registered* when it has datasets in the
catalogue and *opened* when it has ≥ 1 public dataset with ≥ 1 resource; a monthly dataset not
updated for a month plus the grace period is stale. The demo reproduces Hanoi's seed figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management.base import OutputWrapper
from django.utils import timezone

from tests import factories_opendata as fo
from thudo.kpi import queries as kpi_queries
from thudo.kpi import seed
from thudo.opendata import demo, indicators
from thudo.opendata.models import Dataset

pytestmark = pytest.mark.django_db


def test_the_demo_reproduces_13_registered_and_7_opened(hanoi, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    demo.load(progress=None, stdout=OutputWrapper(open("/dev/null", "w")))  # noqa: SIM115
    summary = indicators.summary()
    assert (summary["registered"], summary["opened"]) == (13, 7)
    assert summary["stale"] == 1
    page = client.get("/du-lieu-mo/chi-so/")
    assert "13 cơ quan đã đăng ký dữ liệu, 7 cơ quan đã mở dữ liệu." in page.content.decode()
    # ... and the targets board shows the departments that opened data, computed (DL-01)
    seed.load()
    target = next(t for t in kpi_queries.targets() if t.code == "DL-01")
    assert (target.kind, target.live_value, target.goal) == ("computed", 7, 13)
    assert "Sở, ngành mở dữ liệu trong danh mục dữ liệu mở" in client.get("/kpi/muc-tieu/").content.decode()


def test_opened_needs_a_public_dataset_with_a_resource():
    org = fo.organisation()
    fo.dataset(org, resources=0)
    fo.dataset(org, private=True)
    row = next(r for r in indicators.per_department() if r.agency == org.agency)
    assert row.registered and not row.opened
    fo.dataset(org)
    row = next(r for r in indicators.per_department() if r.agency == org.agency)
    assert row.opened


def test_a_monthly_dataset_is_stale_after_a_month_and_the_grace():
    org = fo.organisation()
    monthly = fo.dataset(org, frequency="MONTHLY")
    now = timezone.now()
    Dataset.objects.filter(pk=monthly.pk).update(metadata_modified=now - dt.timedelta(days=31 + 6))
    assert not indicators.is_stale(Dataset.objects.get(pk=monthly.pk), now)
    Dataset.objects.filter(pk=monthly.pk).update(metadata_modified=now - dt.timedelta(days=31 + 8))
    assert indicators.is_stale(Dataset.objects.get(pk=monthly.pk), now)
    assert next(r for r in indicators.per_department(now) if r.agency == org.agency).stale == 1


def test_kpi_counts_the_open_data_facts_through_the_indicator_registry():
    from thudo.core import indicators as core_indicators

    org = fo.organisation()
    fo.dataset(org)
    fo.dataset(org, private=True)
    now = timezone.now()
    month = now.date().replace(day=1)
    facts = core_indicators.count_all(month, [org.agency_id], now)[org.agency_id]
    assert facts["opendata.datasets"] == 2 and facts["opendata.opened"] == 1
    assert "opendata.stale" not in facts  # zeros are left out
