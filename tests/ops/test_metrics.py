"""``/metrics``: Prometheus' text format, for the configured addresses only; the counters move
with what happens (a submission, a failed sign-in, an audit append)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests import factories_dossiers as fd
from tests.ops.helpers import sample
from thudo.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def _scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_only_the_configured_addresses_may_scrape(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    assert client.get("/metrics").status_code == 200  # 127.0.0.1, the default
    with override_settings(THUDO={**settings.THUDO, "METRICS_ALLOWED": "10.1.0.0/16"}):
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
        assert client.get("/metrics").status_code == 403


def test_forwarded_addresses_count_only_through_a_trusted_proxy(client, settings):
    """A visitor cannot claim 127.0.0.1 in X-Forwarded-For; behind the proxy, its address counts."""
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403
    )
    with override_settings(THUDO={**settings.THUDO, "TRUSTED_PROXIES": ["10.0.0.10"]}):
        forwarded = client.get("/metrics", REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forwarded.status_code == 403


def test_a_submission_moves_the_counters(client, django_capture_on_commit_callbacks):
    w = fd.world()
    before = _scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        fd.submit(w)
    after = _scrape(client)
    agency = w.agency.code
    assert sample(after, "thudo_dossiers_submitted_total", agency=agency) == (
        sample(before, "thudo_dossiers_submitted_total", agency=agency) + 1
    )
    assert sample(after, "thudo_dossier_events_total", verb="submit") == (
        sample(before, "thudo_dossier_events_total", verb="submit") + 1
    )
    appended = AuditRecord.objects.count()
    assert appended > 0
    assert sample(after, "thudo_audit_append_seconds_count") >= (
        sample(before, "thudo_audit_append_seconds_count") + 1
    )
    assert sample(after, "thudo_dossiers_overdue", agency=agency) == 0
    assert sample(after, "thudo_metrics_database_up") == 1


def test_overdue_dossiers_and_the_outbox_are_gauges(client, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories_notifications import OutboxMessageFactory
    from thudo.dossiers.models import Dossier
    from thudo.notifications.models import OutboxStatus

    w = fd.world()
    d = fd.submit(w)
    Dossier.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(days=1))
    OutboxMessageFactory.create_batch(2)
    OutboxMessageFactory(status=OutboxStatus.DEAD)
    text = _scrape(client)
    assert sample(text, "thudo_dossiers_overdue", agency=w.agency.code) == 1
    assert sample(text, "thudo_queue_backlog", queue="outbox") >= 2
    assert sample(text, "thudo_queue_dead_letters", queue="outbox") == 1


def test_a_failed_sign_in_is_counted(client):
    before = sample(_scrape(client), "thudo_login_failures_total")
    response = client.post("/login/", {"username": "khongco", "password": "sai-mat-khau-123"})
    assert response.status_code == 200
    assert sample(_scrape(client), "thudo_login_failures_total") == before + 1


def test_http_and_database_metrics_come_from_django_prometheus(client):
    client.get("/healthz")
    text = _scrape(client)
    assert (
        sample(
            text,
            "django_http_requests_total_by_view_transport_method_total",
            view="ops:healthz",
            transport="http",
            method="GET",
        )
        >= 1
    )
    assert "django_db_execute_total" in text
