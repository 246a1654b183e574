"""Demo data: valid Hanoi residents in the registry, two verified citizens, idempotent."""

import pytest

from thudo.identity import demo
from thudo.identity.models import Citizen, RegistryRecord
from thudo.identity.pins import decode_pin

pytestmark = pytest.mark.django_db


def noop(*args):
    return None


def test_demo_loads_idempotently(client):
    first = demo.load(progress=noop, stdout=None)
    second = demo.load(progress=noop, stdout=None)
    assert (
        [a[:2] for a in first]
        == [a[:2] for a in second]
        == [
            ("congdan", "thudoso-demo-2026"),
            ("congdan2", "thudoso-demo-2026"),
        ]
    )
    assert "Công dân" in first[0][2]
    assert RegistryRecord.objects.count() == 50
    assert Citizen.objects.count() == 2
    for record in RegistryRecord.objects.all():
        province, sex, year = decode_pin(record.pin)
        assert (province, sex, year) == ("001", record.sex, record.birth_date.year)
    for citizen in Citizen.objects.select_related("user"):
        assert citizen.verified_at is not None
        assert citizen.address.endswith("Thành phố Hà Nội")
        assert citizen.user.check_password("thudoso-demo-2026")
    response = client.post("/login/", {"username": "congdan", "password": "thudoso-demo-2026"})
    assert response.status_code == 302


def test_demo_people_are_deterministic():
    assert demo.people() == demo.people()
    assert len({p.pin for p in demo.people()}) == 50
