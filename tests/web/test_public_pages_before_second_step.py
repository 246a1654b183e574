"""An official who signed in with the password but has not given the second factor yet still
reaches every public page (what anyone may open without signing in); official pages wait."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests import factories_dossiers as fd
from thudo.dossiers import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_signed_in(client):
    """A one-stop officer past the password step only (no OTP device verified)."""
    with override_settings(THUDO_REQUIRE_2FA=True), actions.papers_rendered(False):
        w = fd.world()
        d = fd.submit(w)
        client.force_login(w.reception)
        yield client, d


def test_public_pages_stay_open(half_signed_in):
    client, d = half_signed_in
    public = [
        "/",
        "/thu-tuc/",
        f"/thu-tuc/{d.procedure.code}/",
        "/units/",
        "/calendar/due/",
        "/tra-cuu/",
        f"/tra-cuu/{d.code}/?s={d.secret}",
        "/xac-thuc/",
        "/xep-hang/",
        "/kpi/muc-tieu/",
    ]
    for path in public:
        response = client.get(path)
        assert response.status_code == 200, path
    assert d.code in client.get(f"/tra-cuu/{d.code}/?s={d.secret}").content.decode()


def test_official_and_personal_pages_wait_for_the_second_step(half_signed_in):
    client, d = half_signed_in
    for path in ("/workspace/", "/can-bo/ho-so/", f"/can-bo/ho-so/{d.code}/", "/kpi/", "/thong-bao/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/xac-thuc-2-buoc/"), path
