"""Monthly publication: immutable snapshots, versioned re-publication with a reason, open data."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests import factories
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.kpi import actions
from thudo.kpi.models import Snapshot

pytestmark = pytest.mark.django_db


def test_publish_freezes_the_ranking_and_versions(month, city_admin):
    dept, *_ = month
    snap = actions.publish("2026-10", by=city_admin)
    assert snap.version == 1
    assert [u["code"] for u in snap.data["departments"]] == [dept.code]
    assert snap.data["departments"][0]["groups"]["2"] == 10.0  # 1 of 2 on time × 20 points
    assert snap.data["communes"][0]["rank"] == 1
    with pytest.raises(InvalidInput) as exc:
        actions.publish("2026-10", by=city_admin)
    assert "reason" in exc.value.fields
    again = actions.publish("2026-10", by=city_admin, reason="Bổ sung dữ liệu phường")
    assert (again.version, again.reason) == (2, "Bổ sung dữ liệu phường")
    assert Snapshot.objects.filter(period="2026-10").count() == 2


def test_snapshots_are_never_updated(month, city_admin):
    snap = actions.publish("2026-10", by=city_admin)
    snap.data = {"tampered": True}
    with pytest.raises(Conflict):
        snap.save()
    with pytest.raises(Conflict):
        snap.delete()
    with pytest.raises(Conflict):
        Snapshot.objects.filter(pk=snap.pk).update(reason="x")
    with pytest.raises(Conflict):
        Snapshot.objects.all().delete()
    assert Snapshot.objects.get().data != {"tampered": True}


def test_only_publishers_publish_and_only_finished_months(month):
    leader = factories.official(role="leader", agency=month[0])
    with pytest.raises(NotAllowed):
        actions.publish("2026-10", by=leader)
    with pytest.raises(InvalidInput):
        actions.publish("2999-01", by=None)


def test_command_publishes(month, capsys):
    call_command("kpi_publish", "--period", "2026-10")
    call_command("kpi_publish", "--period", "2026-10", "--reason", "Sửa số liệu")
    assert "2026-10 v2" in capsys.readouterr().out


def test_open_data_exports(month, client, city_admin):
    actions.publish("2026-10", by=city_admin)
    page = client.get("/xep-hang/")
    assert page.status_code == 200
    assert "Sở Thử Nghiệm KPI" in page.content.decode()
    body = json.loads(client.get("/xep-hang/2026-10/v1.json").content)
    assert body["version"] == 1 and body["departments"][0]["code"] == month[0].code
    csv_text = client.get("/xep-hang/2026-10/v1.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Loại đơn vị,Hạng,Mã cơ quan,Tên cơ quan")
    assert month[0].code in csv_text
    xlsx = client.get("/xep-hang/2026-10/v1.xlsx")
    assert xlsx.content[:2] == b"PK"
    pdf = client.get("/xep-hang/2026-10/v1.pdf")
    assert pdf.content[:5] == b"%PDF-"
    assert client.get("/xep-hang/2026-10/v9.json").status_code == 404


def test_tasks_roll_up_and_publish(month, monkeypatch):
    from thudo.kpi import compute, tasks

    monkeypatch.setattr(compute, "this_month", lambda now=None: compute.parse_period("2026-11")[0])
    done = tasks.rollup_current.call()
    assert done[-1] == "2026-11"
    assert tasks.publish_month.call("2026-10") == "2026-10 v1"
