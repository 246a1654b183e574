"""``/healthz`` and ``/readyz``: liveness always; readiness only with a living worker, the
migrations applied and the outbox keeping up (the real worker process: test_serve.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.factories_notifications import OutboxMessageFactory
from thudo.core.management.commands.db_worker import Heartbeat
from thudo.core.models import WorkerHeartbeat
from thudo.ops import health

pytestmark = pytest.mark.django_db


def _ready(client) -> tuple[int, dict]:
    response = client.get("/readyz", HTTP_ACCEPT="application/json")
    return response.status_code, response.json()


def test_liveness_answers_without_asking_anything_else(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


def test_not_ready_until_a_worker_beats_and_again_when_it_falls_silent(client):
    status, checks = _ready(client)
    assert status == 503
    assert checks["Worker()"] == "Unavailable: no background worker has ever been seen"
    assert checks["Database(alias='default')"] == "OK"
    assert checks["Migrations(alias='default')"] == "OK"

    Heartbeat("worker-1").beat()
    status, checks = _ready(client)
    assert status == 200, checks
    assert set(checks.values()) == {"OK"}

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=4))
    status, checks = _ready(client)
    assert status == 503
    assert checks["Worker()"].startswith("Unavailable: no background worker seen for 24")


def test_the_silence_tolerated_is_a_setting(client, settings):
    Heartbeat("worker-1").beat()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=4))
    with override_settings(THUDO={**settings.THUDO, "WORKER_SILENCE_MINUTES": 10}):
        assert _ready(client)[0] == 200


def test_an_outbox_backlog_over_the_threshold_is_not_ready(client, settings):
    Heartbeat("worker-1").beat()
    OutboxMessageFactory.create_batch(3)
    with override_settings(THUDO={**settings.THUDO, "OUTBOX_BACKLOG_MAX": 2}):
        status, checks = _ready(client)
    assert status == 503
    assert checks["Outbox()"] == "Unavailable: 3 items due in outbox (more than 2)"
    with override_settings(THUDO={**settings.THUDO, "OUTBOX_BACKLOG_MAX": 3}):
        assert _ready(client)[0] == 200


def test_pending_migrations_are_not_ready(client, monkeypatch):
    Heartbeat("worker-1").beat()
    monkeypatch.setattr(health, "pending_migrations", lambda alias: ["core.0099_future"])
    status, checks = _ready(client)
    assert status == 503
    assert checks["Migrations(alias='default')"] == (
        "Unavailable: 1 migrations not applied (first: core.0099_future)"
    )
