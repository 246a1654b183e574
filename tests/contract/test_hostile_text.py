"""Text the database cannot hold (found by the API fuzzer: a 500 on PostgreSQL before)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_the_public_lookup_is_a_typed_404(client):
    response = client.get("/api/v1/dossiers/lookup", {"code": "H26.01\x00", "secret": "AB\x00CD"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/agencies/000.00.01\x00H26", "/api/v1/procedures/1.0\x0001", "/api/v1/kpi/ranking/2026-0\x001"],
)
def test_a_nul_character_anywhere_in_the_api_is_a_typed_client_error(client, path):
    # SQLite stores NUL (→ simply not found); PostgreSQL refuses it (→ 422). Never a 500.
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert set(response.json()) == {"code", "message", "fields"}


def test_a_nul_character_in_a_page_search_is_a_readable_page(client):
    response = client.get("/units/", {"q": "Hoàn\x00Kiếm"})
    assert response.status_code in (200, 400)
    assert "Internal Server Error" not in response.content.decode()
