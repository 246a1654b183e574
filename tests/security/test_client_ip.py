"""Behind a reverse proxy the client's address comes from X-Forwarded-For, but only when the
peer is a configured proxy (THUDO_TRUSTED_PROXIES): audit records and login lockouts name the
client, and nobody else can forge the header."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from tests import factories
from thudo.core import actions
from thudo.core.middleware import client_ip
from thudo.core.models import AuditRecord, User

PROXY = "10.0.0.5"
CLIENT = "203.0.113.7"


@pytest.fixture
def behind_proxy(settings):
    with override_settings(THUDO={**settings.THUDO, "TRUSTED_PROXIES": ["10.0.0.0/8"]}):
        yield


def _ip(peer: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=peer, **extra))


def test_without_configured_proxies_the_header_is_ignored():
    assert _ip(PROXY, f"{CLIENT}") == PROXY


@pytest.mark.usefixtures("behind_proxy")
def test_the_client_is_the_first_untrusted_hop_from_the_right():
    assert _ip(PROXY, CLIENT) == CLIENT
    assert _ip(PROXY, f"{CLIENT}, 10.0.0.9") == CLIENT  # two proxies of ours
    assert _ip(PROXY, f"1.2.3.4, {CLIENT}") == CLIENT  # the client's own header is not believed
    assert _ip(PROXY, "") == PROXY
    assert _ip(PROXY, "not-an-ip") == PROXY


@pytest.mark.usefixtures("behind_proxy")
def test_a_peer_that_is_not_a_proxy_cannot_forge_the_header():
    assert _ip("198.51.100.1", CLIENT) == "198.51.100.1"


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_counts_per_client_behind_the_proxy(client):
    factories.UserFactory(username="nannhan")
    for _ in range(3):
        client.post(
            "/login/",
            {"username": "nannhan", "password": "doan-sai"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    attacker = client.post(
        "/login/",
        {"username": "nannhan", "password": factories.PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    assert attacker.status_code == 429
    owner = client.post(
        "/login/",
        {"username": "nannhan", "password": factories.PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert owner.status_code == 302  # the owner behind the same proxy is not locked out


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
def test_audit_records_name_the_client_not_the_proxy(client):
    city = factories.official(role="city_admin", agency=None)
    User.objects.filter(pk=city.pk).update(is_staff=True, is_superuser=True)
    api_token, _raw = actions.create_api_token(factories.UserFactory(), name="tich hop", by=None)
    client.force_login(User.objects.get(pk=city.pk))
    response = client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [api_token.pk]},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert response.status_code == 302
    assert AuditRecord.objects.latest("seq").ip == CLIENT
