"""Factories for the open-data tests: organisations, datasets with resources, and a fast bulk
builder for catalogues of thousands of datasets."""

from __future__ import annotations

import itertools
import uuid

from django.utils import timezone

from tests import factories
from thudo.core.models import Agency, AgencyKind, Role
from thudo.opendata import actions
from thudo.opendata.models import Dataset, Organisation, Resource, ResourceKind

_seq = itertools.count(1)


def department(name: str = "Sở Giao thông Vận tải", code: str | None = None) -> Agency:
    return factories.AgencyFactory(
        name=name,
        short_name=name,
        kind=AgencyKind.DEPARTMENT,
        **({"code": code} if code else {}),
    )


def organisation(agency: Agency | None = None) -> Organisation:
    return actions.organisation_for(agency or department())


def editor(org: Organisation, username: str | None = None):
    return factories.official(role=Role.AGENCY_ADMIN, agency=org.agency, username=username)


def dataset(org: Organisation, *, resources: int = 1, **data) -> Dataset:
    n = next(_seq)
    payload = {
        "name": f"bo-du-lieu-{n}",
        "title": f"Bộ dữ liệu thử nghiệm {n}",
        "notes": "Dữ liệu thử nghiệm.",
        "owner_org": org.name,
        "resources": [
            {"name": f"Tệp {i + 1}", "url": f"https://example.vn/du-lieu/{n}-{i}.csv", "format": "CSV"}
            for i in range(resources)
        ],
        **data,
    }
    return actions.create_dataset(payload, by=None)


def bulk(org: Organisation, count: int, *, prefix: str = "hang-loat", private: bool = False) -> list[Dataset]:
    """``count`` datasets with one link resource each, in a few statements."""
    now = timezone.now()
    rows = []
    for i in range(count):
        d = Dataset(
            id=uuid.uuid4(),
            name=f"{prefix}-{i:05d}",
            title=f"Bộ dữ liệu hàng loạt {i}",
            notes="Dữ liệu sinh hàng loạt cho phép thử phân trang.",
            organisation=org,
            private=private,
            metadata_created=now,
            metadata_modified=now,
        )
        d.search_text = actions.search_text(d, [], org)
        rows.append(d)
    Dataset.objects.bulk_create(rows, batch_size=500)
    Resource.objects.bulk_create(
        [
            Resource(
                dataset=d,
                name="Tệp CSV",
                kind=ResourceKind.LINK,
                url=f"https://example.vn/{d.name}.csv",
                format="CSV",
                mimetype="text/csv",
                created=now,
                last_modified=now,
            )
            for d in rows
        ],
        batch_size=500,
    )
    return rows
