"""Text the database cannot hold (found by the API fuzzer: a 500 on PostgreSQL before)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_the_public_lookup_is_a_typed_404(client):
    response = client.get("/api/v1/dossiers/lookup", {"code": "H26.01\x00", "secret": "AB\x00CD"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
