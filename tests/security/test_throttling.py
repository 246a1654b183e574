"""Rate limits (issue 10, item 13): the public lookup by code and secret, and the anonymous API.

The suite runs without limits (tests/conftest.py); these tests set low rates through the settings,
which the limits read at every request, and check what a caller notices: a 429 with
``Retry-After``, the typed error ``throttled`` in the API and a readable Vietnamese page elsewhere.
"""

import pytest
from django.test import Client

from tests import factories_dossiers as fd
from thudo.conf.settings import env_rate
from thudo.core import actions as core_actions

pytestmark = pytest.mark.django_db
LOOKUP = "/api/v1/dossiers/lookup"


@pytest.fixture
def d(db):
    return fd.submit(fd.world())


@pytest.fixture
def rates(settings):
    def set_rates(*, lookup=None, anonymous_api=None):
        settings.THUDO = {**settings.THUDO, "RATE_LOOKUP": lookup, "RATE_ANONYMOUS_API": anonymous_api}

    return set_rates


def from_address(address: str) -> Client:
    return Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR=address)


def assert_throttled_json(response):
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == "throttled"
    assert "quá nhiều yêu cầu" in body["message"]
    assert int(response["Retry-After"]) >= 1


def test_guessing_secrets_through_the_api_is_stopped_even_with_the_right_secret(d, rates):
    rates(lookup="3/min")
    client = from_address("203.0.113.7")
    for guess in ("AAAA1111", "BBBB2222", "CCCC3333"):
        assert client.get(LOOKUP, {"code": d.code, "secret": guess}).status_code == 404
    assert_throttled_json(client.get(LOOKUP, {"code": d.code, "secret": d.secret}))
    # Another address is not affected.
    assert from_address("198.51.100.9").get(LOOKUP, {"code": d.code, "secret": d.secret}).status_code == 200


def test_the_lookup_pages_share_the_count_and_answer_a_vietnamese_page(d, rates):
    rates(lookup="3/min")
    client = from_address("203.0.113.8")
    assert client.get(LOOKUP, {"code": d.code, "secret": "AAAA1111"}).status_code == 404
    assert client.post("/tra-cuu/", {"code": d.code, "secret": "BBBB2222"}).status_code == 200  # form error
    assert client.get(f"/tra-cuu/{d.code}/", {"s": "CCCC3333"}).status_code == 404
    for response in (
        client.post("/tra-cuu/", {"code": d.code, "secret": d.secret}),
        client.get(f"/tra-cuu/{d.code}/", {"s": d.secret}),
    ):
        assert response.status_code == 429
        html = response.content.decode()
        assert '<html lang="vi">' in html and "quá nhiều yêu cầu" in html
        assert int(response["Retry-After"]) >= 1


def test_anonymous_api_calls_are_limited_per_address_and_signed_in_calls_are_not(d, rates):
    rates(anonymous_api="2/min")
    anonymous = from_address("203.0.113.9")
    assert anonymous.get("/api/v1/procedures").status_code == 200
    assert anonymous.get("/api/v1/calendar/due", {"start": "2026-12-03"}).status_code == 200
    assert_throttled_json(anonymous.get("/api/v1/agencies"))
    assert_throttled_json(anonymous.get(LOOKUP, {"code": d.code, "secret": d.secret}))

    token = core_actions.create_api_token(d.applicant_user, name="app")[1]
    signed_in = from_address("203.0.113.9")
    for _ in range(4):
        assert signed_in.get("/api/v1/procedures", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    signed_in.force_login(d.applicant_user)
    assert signed_in.get("/api/v1/agencies").status_code == 200


def test_no_rate_means_no_limit(d, rates):
    rates()
    client = from_address("203.0.113.10")
    for _ in range(50):
        assert client.get(LOOKUP, {"code": d.code, "secret": d.secret}).status_code == 200


@pytest.mark.parametrize(
    ("value", "expected"), [("30/min", "30/min"), ("off", None), ("0", None), ("", None)]
)
def test_rates_come_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("THUDO_RATE_LOOKUP", value)
    assert env_rate("THUDO_RATE_LOOKUP", "30/min") == expected
