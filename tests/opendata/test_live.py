"""Live datasets: the platform publishes its own tables (units, old→new mapping, procedure
catalogue, published rankings) as open data, refreshed by the worker, each with CSV/JSON/XLSX
resources and a Frictionless schema the CSV is validated against."""

from __future__ import annotations

import json

import pytest

from tests import factories
from thudo.core.livedata import LIVE_DATASETS, Column, LiveDataset, Table
from thudo.core.models import AgencyKind, UnitSuccession
from thudo.opendata import actions, tasks
from thudo.opendata.models import Dataset

pytestmark = pytest.mark.django_db


def test_every_registered_live_dataset_is_published_and_refreshed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    factories.AgencyFactory(name="Ủy ban nhân dân thành phố Hà Nội", kind=AgencyKind.CITY_COMMITTEE)
    old, new = factories.UnitFactory(name="Phường Cũ"), factories.UnitFactory(name="Phường Mới")
    UnitSuccession.objects.create(predecessor=old, successor=new, partial=True)
    keys = {entry.key for entry in LIVE_DATASETS}
    assert {"don-vi-hanh-chinh", "danh-muc-thu-tuc-hanh-chinh", "xep-hang-chat-luong-phuc-vu"} <= keys

    assert tasks.refresh_live_datasets.call() == len(keys)
    mapping = Dataset.objects.get(name="doi-chieu-don-vi-hanh-chinh-cu-moi")
    formats = {r.format: r for r in mapping.resources.all()}
    assert set(formats) == {"CSV", "JSON", "XLSX"}
    assert formats["CSV"].table_schema["fields"][0]["name"] == "ma_cu"
    data = json.loads(formats["JSON"].file.read())
    assert data["data"] == [
        {
            "ma_cu": old.code,
            "ten_cu": "Phường Cũ",
            "ma_moi": new.code,
            "ten_moi": "Phường Mới",
            "mot_phan": True,
        }
    ]
    first_hash = formats["CSV"].hash

    UnitSuccession.objects.all().delete()
    actions.refresh_live()
    again = Dataset.objects.get(name="doi-chieu-don-vi-hanh-chinh-cu-moi")
    assert again.resources.count() == 3
    assert again.resources.get(format="CSV").hash != first_hash


def test_a_table_that_breaks_its_schema_is_not_published(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    factories.AgencyFactory(kind=AgencyKind.CITY_COMMITTEE)
    broken = LiveDataset(
        key="bang-loi",
        title="Bảng lỗi",
        notes="",
        table=lambda: Table([Column("so", "Số", "integer")], [["mười"]]),
    )
    with pytest.raises(actions.LiveTableInvalid):
        actions.publish_live(broken)
    assert not Dataset.objects.filter(name="bang-loi").exists()
