"""API base: one error shape, bearer tokens stored hashed and revocable, the committed OpenAPI."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories
from thudo.core.models import ApiToken

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_validation_errors_have_the_one_shape(client):
    response = client.get("/api/v1/calendar/due", {"start": "2026-02-13T16:00", "days": "abc"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert "days" in body["fields"]


def test_unauthenticated_request_is_401_with_the_shape(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_bearer_token_authenticates_and_can_be_revoked(client, capsys):
    user = factories.UserFactory(username="tichhop", full_name="Hệ thống tích hợp")
    call_command("create_token", "tichhop", "--name", "cổng DVC")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("tds_")
    token = ApiToken.objects.get(user=user)
    assert raw not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    assert me.json()["full_name"] == "Hệ thống tích hợp"
    call_command("create_token", "tichhop", "--revoke", raw[:12])
    revoked = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "invalid_token"


def test_a_wrong_token_is_refused_not_treated_as_anonymous(client):
    response = client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer tds_wrong")
    assert response.status_code == 401


def test_session_login_works_for_the_api(client):
    client.force_login(factories.UserFactory(username="canbo"))
    assert client.get("/api/v1/me").json()["username"] == "canbo"


def test_openapi_is_served_with_local_docs(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Thủ đô số API"
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()


def test_committed_openapi_matches_the_code(client):
    """docs/openapi.json is the contract; regenerate with `thudo export_openapi_schema` (see README)."""
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())
    current = client.get("/api/v1/openapi.json").json()
    assert current == committed, "docs/openapi.json is stale: run scripts/export_openapi.sh"
