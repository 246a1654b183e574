"""Publication indicators per department: registered (has datasets in the catalogue), opened
(≥ 1 public dataset with ≥ 1 resource) and stale datasets (not updated within their declared
frequency plus a grace period)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from thudo.core.models import Agency, AgencyKind
from thudo.opendata.models import Dataset, Frequency, Resource

GRACE = dt.timedelta(days=7)
PERIODS = {
    Frequency.DAILY: dt.timedelta(days=1),
    Frequency.WEEKLY: dt.timedelta(days=7),
    Frequency.MONTHLY: dt.timedelta(days=31),
    Frequency.QUARTERLY: dt.timedelta(days=92),
    Frequency.ANNUAL: dt.timedelta(days=366),
}


def stale_before(frequency: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """Datasets of ``frequency`` last modified before this moment are stale (None: never)."""
    period = PERIODS.get(Frequency(frequency)) if frequency in Frequency.values else None
    if period is None:
        return None
    moment: dt.datetime = (now or timezone.now()) - period - GRACE
    return moment


def is_stale(dataset: Dataset, now: dt.datetime | None = None) -> bool:
    limit = stale_before(dataset.frequency, now)
    return limit is not None and dataset.metadata_modified < limit


def stale_condition(now: dt.datetime | None = None) -> Q:
    condition = Q(pk__in=[])
    for frequency in PERIODS:
        limit = stale_before(frequency, now)
        condition |= Q(frequency=frequency, metadata_modified__lt=limit)
    return condition


@dataclass(frozen=True)
class DepartmentRow:
    agency: Agency
    datasets: int
    public: int
    stale: int

    @property
    def registered(self) -> bool:
        return self.datasets > 0

    @property
    def opened(self) -> bool:
        return self.public > 0


def per_department(now: dt.datetime | None = None) -> list[DepartmentRow]:
    """One row per department (sở, ngành), in one query."""
    with_resource = Exists(Resource.objects.filter(dataset=OuterRef("pk")))
    opened_ids = Dataset.objects.filter(private=False).filter(with_resource).values("pk")
    agencies = (
        Agency.objects.filter(kind=AgencyKind.DEPARTMENT)
        .annotate(
            n_datasets=Count("open_data__datasets", distinct=True),
            n_public=Count(
                "open_data__datasets", filter=Q(open_data__datasets__in=opened_ids), distinct=True
            ),
            n_stale=Count(
                "open_data__datasets",
                filter=Q(open_data__datasets__in=Dataset.objects.filter(stale_condition(now)).values("pk")),
                distinct=True,
            ),
        )
        .order_by("code")
    )
    return [DepartmentRow(a, a.n_datasets, a.n_public, a.n_stale) for a in agencies]


def facts(month: dt.date, agency_ids: Sequence[int] | None, now: dt.datetime) -> dict[int, dict[str, int]]:
    """The open-data facts of each agency for ``month`` (``core.indicators`` source ``opendata``):
    datasets registered by the end of the month, public ones with a resource, stale ones. Privacy
    and resources are counted as they are now (their history is not kept)."""
    first = dt.datetime(month.year, month.month, 1, tzinfo=timezone.get_current_timezone())
    following = (first + dt.timedelta(days=32)).replace(day=1)
    until = min(following, now)
    qs = Dataset.objects.filter(metadata_created__lt=until)
    if agency_ids is not None:
        qs = qs.filter(organisation__agency_id__in=agency_ids)
    with_resource = Exists(Resource.objects.filter(dataset=OuterRef("pk")))
    rows = qs.values("organisation__agency_id").annotate(
        n=Count("pk"),
        public=Count("pk", filter=Q(private=False) & Q(with_resource)),
        stale=Count("pk", filter=stale_condition(until)),
    )
    return {
        r["organisation__agency_id"]: {
            "opendata.datasets": r["n"],
            "opendata.opened": r["public"],
            "opendata.stale": r["stale"],
        }
        for r in rows
    }


def summary(now: dt.datetime | None = None) -> dict[str, int]:
    rows = per_department(now)
    return {
        "registered": sum(1 for r in rows if r.registered),
        "opened": sum(1 for r in rows if r.opened),
        "stale": sum(r.stale for r in rows),
    }


def departments_opened() -> Decimal:
    """The targets board's value (DL-01): departments with at least one public dataset with a
    resource (the seed figure: 13 registered, 7 opened)."""
    return Decimal(summary()["opened"])
