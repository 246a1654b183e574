"""Paged lists refuse an offset the database cannot hold (found by the API fuzzer: a 500 before)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/procedures", "/api/v1/units", "/api/v1/agencies"])
def test_an_absurd_offset_is_a_typed_422_not_a_server_error(client, url):
    response = client.get(url, {"offset": 10**26, "limit": 5})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert "offset" in body["fields"]


def test_the_largest_allowed_offset_is_an_empty_page(client):
    response = client.get("/api/v1/procedures", {"offset": 1_000_000_000})
    assert response.status_code == 200
    assert response.json()["items"] == []
