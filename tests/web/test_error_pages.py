"""Missing or hidden objects answer 404 with the Vietnamese "not found" page; a dossier or unit a
person may not see is "not found" too, never "forbidden" (nobody learns which codes exist)."""

from __future__ import annotations

import pytest

from tests import factories
from tests import factories_dossiers as fd
from thudo.dossiers import actions

pytestmark = pytest.mark.django_db
NOT_FOUND = "Không tìm thấy trang"


def assert_not_found(response):
    assert response.status_code == 404
    html = response.content.decode()
    assert NOT_FOUND in html and '<html lang="vi">' in html


def test_missing_and_hidden_dossiers(client):
    with actions.papers_rendered(False):
        w = fd.world()
        d = fd.submit(w)
    client.force_login(w.other_citizen)
    assert_not_found(client.get("/ho-so/000.00.00.H26-260101-9999/"))
    assert_not_found(client.get(f"/ho-so/{d.code}/"))  # someone else's dossier
    client.force_login(w.other_officer)
    assert_not_found(client.get("/can-bo/ho-so/000.00.00.H26-260101-9999/"))
    assert_not_found(client.get(f"/can-bo/ho-so/{d.code}/"))  # another agency's dossier
    client.force_login(w.reception)
    assert client.get(f"/can-bo/ho-so/{d.code}/").status_code == 200


def test_missing_and_hidden_kpi_units(client):
    agency, other = factories.AgencyFactory(), factories.AgencyFactory()
    client.force_login(factories.official(role="leader", agency=agency))
    assert_not_found(client.get("/kpi/don-vi/KHONG-CO/"))
    assert_not_found(client.get(f"/kpi/don-vi/{other.code}/"))
    client.force_login(factories.UserFactory())
    assert_not_found(client.get("/kpi/"))
