"""Indicator sources (core.indicators): another app's facts reach the monthly counts without
``kpi`` importing that app, and its change events refresh the agency's month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories_kpi as fk
from thudo.core import events, indicators
from thudo.kpi import compute
from thudo.kpi.models import MonthlyAgencyCount

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def source():
    seen: dict = {"calls": []}

    def count(month, agency_ids, now):
        seen["calls"].append((month, agency_ids))
        return {pk: {"probe.items": n, "probe.zero": 0} for pk, n in seen.get("values", {}).items()}

    src = indicators.IndicatorSource(
        name="probe", facts={"probe.items": "Mục thử", "probe.zero": "Không"}, count=count
    )
    indicators.SOURCES.register(src)
    yield seen
    indicators.SOURCES.unregister(src)


def _counts(agency, month):
    return dict(MonthlyAgencyCount.objects.filter(agency=agency, month=month).values_list("metric", "value"))


def test_registered_facts_are_rolled_up_with_the_agencys_other_facts(source):
    dep, commune = fk.department(), fk.commune()
    source["values"] = {dep.pk: 3, commune.pk: 5}
    month = dt.date(2026, 11, 1)
    compute.rollup(month)
    assert _counts(dep, month)["probe.items"] == 3
    assert _counts(commune, month)["probe.items"] == 5
    assert "probe.zero" not in _counts(dep, month)  # zeros are not stored, as for dossier facts
    assert indicators.fact_labels()["probe.items"] == "Mục thử"


def test_a_fact_name_outside_the_sources_namespace_is_refused():
    with pytest.raises(ValueError, match="must start with"):
        indicators.IndicatorSource(name="probe", facts={"other.x": "x"}, count=lambda *a: {})


@override_settings(TASKS=IMMEDIATE)
def test_a_change_event_refreshes_that_agencys_month(source, django_capture_on_commit_callbacks):
    dep = fk.department()
    source["values"] = {dep.pk: 7}
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(indicators.AgencyFactsChanged(agency_id=dep.pk, at=now))
    month = compute.this_month(now)
    assert _counts(dep, month)["probe.items"] == 7
    assert source["calls"][-1] == (month, [dep.pk])
