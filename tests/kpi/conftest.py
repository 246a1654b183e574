import pytest

from tests import factories_kpi as fk
from thudo.kpi import compute, seed

NOW = fk.at("2026-11-02")


@pytest.fixture
def month(city_admin):
    """October 2026: a department with one early online dossier and one late one, a ward with one
    dossier on time; rolled up on 2 November."""
    seed.load()
    dept = fk.department()
    proc = fk.procedure(agency=dept)
    early = fk.dossier(
        procedure=proc,
        agency=dept,
        received=fk.at("2026-10-02"),
        due=fk.at("2026-10-09", 17),
        status="returned",
        finished=fk.at("2026-10-05"),
        e_result=True,
        channel="online",
    )
    late = fk.dossier(
        procedure=proc,
        agency=dept,
        received=fk.at("2026-10-02"),
        due=fk.at("2026-10-09", 17),
        status="returned",
        finished=fk.at("2026-10-20"),
    )
    ward = fk.commune()
    fk.dossier(
        procedure=fk.procedure(),
        agency=ward,
        received=fk.at("2026-10-03"),
        due=fk.at("2026-10-06", 17),
        status="returned",
        finished=fk.at("2026-10-05"),
    )
    compute.rollup(compute.parse_period("2026-10")[0], agencies=[dept, ward], now=NOW)
    return dept, ward, early, late
